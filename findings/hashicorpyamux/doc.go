// Package hashicorpyamux reproduces a finding in github.com/hashicorp/yamux:
// (*Session).Close closes the TCP conn at once while the peer still sends
// frames, which makes Linux reset the connection and discard the stream
// data the session wrote but the peer has not received. See
// docs/findings/hashicorp-yamux.md; the test is the reproduction.
package hashicorpyamux
