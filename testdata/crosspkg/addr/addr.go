package addr // want package:"hasConnFacts"

// Package addr parses a target address off a stream, as a proxy suite's
// socks.ReadAddr does: it imports net only for its addresses and holds no
// conn, but its exported parser reads what its callers give it, so its
// summary is a fact.

import (
	"errors"
	"io"
	"net"
	"strconv"
)

// Read reads a one-byte length, that many bytes of host, and a two-byte
// port, and rejects an empty host.
func Read(r io.Reader) (string, error) { // want Read:"^conn p0 returns unread,done uses reads errread$"
	var n [1]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return "", err
	}
	if n[0] == 0 {
		return "", errors.New("addr: empty host")
	}
	b := make([]byte, int(n[0])+2)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	port := int(b[len(b)-2])<<8 | int(b[len(b)-1])
	return net.JoinHostPort(string(b[:len(b)-2]), strconv.Itoa(port)), nil
}
