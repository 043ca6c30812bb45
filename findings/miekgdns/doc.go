// Package miekgdns reproduces a finding in github.com/miekg/dns: a TCP
// server conn closed with a pipelined query unread, which makes Linux
// reset the connection and discard the answers not yet delivered. See
// docs/findings/miekg-dns.md; the test is the reproduction.
package miekgdns
