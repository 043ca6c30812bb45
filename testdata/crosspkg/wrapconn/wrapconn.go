package wrapconn // want package:"hasConnFacts"

// A conn wrapper of another package: its Wrap is known by its fact.

import (
	"io"
	"net"
)

// Conn counts the bytes read; Write and Close are its embedded conn's.
type Conn struct {
	net.Conn
	N int
}

// Read reads the conn and counts.
//
//proof:skip a method of the wrapper, run by the reads of wrappers.BadCrossPackage and wrappers.GoodCrossPackage
func (c *Conn) Read(b []byte) (int, error) { // want Read:"^conn p0[.]Conn returns unread uses reads errdone errread$"
	n, err := c.Conn.Read(b)
	c.N += n
	return n, err
}

// Greet writes a greeting on the conn: its summary says so of the field
// Conn.
func (c *Conn) Greet() error { // want Greet:"^conn p0[.]Conn returns unread:w uses writes errdone errread$"
	_, err := io.WriteString(c.Conn, "hello\n")
	return err
}

// Header reads an n-byte header through the wrapper's own Read: it
// hands the wrapper itself on as the reader, so its summary says that it
// reads the field Conn.
func (c *Conn) Header(n int) ([]byte, error) { // want Header:"^conn p0[.]Conn returns unread uses reads errdone errread$"
	b := make([]byte, n)
	_, err := io.ReadFull(c, b)
	return b, err
}

// Wrap returns c, counted.
//
//proof:skip a wrapper of another package, run through wrappers.BadCrossPackage and wrappers.GoodCrossPackage
func Wrap(c net.Conn) net.Conn { return &Conn{Conn: c} } // want Wrap:"^wraps p0$" Wrap:"^conn p0 returns unread$"

// Rewinder is a reader of the program's own over a conn (a Read that
// reads its raw field, and no Close): it keeps what it reads until
// Rewind, then replays it, as a protocol sniffer does before it hands the
// conn to a fallback.
type Rewinder struct {
	raw     io.Reader
	kept    []byte
	next    int
	rewound bool
}

// Read replays what was kept after Rewind, then reads the conn, keeping
// what it reads until then.
//
//proof:skip a method of the reader, run by the reads of wrappers.BadRewindFallback and wrappers.GoodRewindFallback
func (r *Rewinder) Read(p []byte) (int, error) { // want Read:"^conn p0[.]raw returns unread uses reads errdone errread$"
	if r.rewound && r.next < len(r.kept) {
		n := copy(p, r.kept[r.next:])
		r.next += n
		return n, nil
	}
	n, err := r.raw.Read(p)
	if !r.rewound {
		r.kept = append(r.kept, p[:n]...)
	}
	return n, err
}

// Rewind makes the next reads replay what was read so far.
func (r *Rewinder) Rewind() { r.rewound, r.next = true, 0 }

// RewindConn reads its conn through a Rewinder over the same conn, kept
// beside it: one conn in two fields. N counts nothing a conn owns.
type RewindConn struct {
	net.Conn
	*Rewinder
	N *int64
}

// Read reads through the Rewinder.
//
//proof:skip a method of the wrapper, run by the reads of wrappers.BadRewindFallback and wrappers.GoodRewindFallback
func (c *RewindConn) Read(p []byte) (int, error) { return c.Rewinder.Read(p) } // want Read:"^conn p0[.]Conn returns unread uses reads errdone errread$"

// NewRewindConn wraps c for sniffing.
//
//proof:skip a wrapper of another package, run through wrappers.BadRewindFallback and wrappers.GoodRewindFallback
func NewRewindConn(c net.Conn) *RewindConn { // want NewRewindConn:"^wraps p0$" NewRewindConn:"^conn p0 returns unread$"
	return &RewindConn{Conn: c, Rewinder: &Rewinder{raw: c}, N: new(int64)}
}
