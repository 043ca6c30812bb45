// Package libp2pyamux reproduces a finding in github.com/libp2p/go-yamux:
// (*Session).close writes a GoAway and closes the TCP conn at once while
// the peer still sends frames, which makes Linux reset the connection and
// discard the GoAway and the stream data written before it. See
// docs/findings/libp2p-go-yamux.md; the test is the reproduction.
package libp2pyamux
