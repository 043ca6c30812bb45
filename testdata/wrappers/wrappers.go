package wrappers // want package:"hasConnFacts"

// The program's own conn wrappers (the Resource Leak Checker's
// @MustCallAlias, inferred): a value of a type whose Read, Write and
// Close go to the conn it holds is that conn.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"time"

	"rstcases/crosspkg/wrapconn"
)

// meter counts bytes both ways; every method goes to m.c.
type meter struct {
	c       net.Conn
	in, out int
}

func (m *meter) Read(b []byte) (int, error) { // want Read:"^conn p0[.]c returns unread uses reads errdone errread$"
	n, err := m.c.Read(b)
	m.in += n
	return n, err
}

func (m *meter) Write(b []byte) (int, error) { // want Write:"^conn p0[.]c returns unread:w uses writes errdone errread$"
	n, err := m.c.Write(b)
	m.out += n
	return n, err
}

func (m *meter) Close() error                       { return m.c.Close() } // want Close:"^conn p0[.]c closes unread returns closed errdone$"
func (m *meter) LocalAddr() net.Addr                { return m.c.LocalAddr() }
func (m *meter) RemoteAddr() net.Addr               { return m.c.RemoteAddr() }
func (m *meter) SetDeadline(t time.Time) error      { return m.c.SetDeadline(t) }      // want SetDeadline:"^conn p0[.]c returns unread errdone errread$"
func (m *meter) SetReadDeadline(t time.Time) error  { return m.c.SetReadDeadline(t) }  // want SetReadDeadline:"^conn p0[.]c returns unread errdone errread$"
func (m *meter) SetWriteDeadline(t time.Time) error { return m.c.SetWriteDeadline(t) } // want SetWriteDeadline:"^conn p0[.]c returns unread errdone errread$"

func metered(c net.Conn) net.Conn { return &meter{c: c} }

// BadMetered answers one line through the meter and closes it.
func BadMetered(c net.Conn) { // want BadMetered:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	c = metered(c)
	defer c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(c, "echo %s", line)
}

// GoodMetered echoes through the meter until the peer's EOF.
//
//proof:eof
func GoodMetered(c net.Conn) { // want GoodMetered:"^conn p0 closes done:w returns closed uses writes drains$"
	c = metered(c)
	defer c.Close()
	io.Copy(c, c)
}

// counting embeds the conn: Read, Write and Close are promoted.
type counting struct {
	net.Conn
	calls int
}

// BadCounting wraps the conn in place and hangs up without reading.
func BadCounting(c net.Conn) { // want BadCounting:"^conn p0 closes unread:w returns closed uses writes$"
	w := &counting{Conn: c}
	fmt.Fprintln(w, "bye")
	w.Close() // want `conn c is closed with input never read: RST may destroy our reply`
}

// GoodCounting drains through the wrapper first.
//
//proof:raw
func GoodCounting(c net.Conn) { // want GoodCounting:"^conn p0 closes done:w:hc returns closed uses writes drains assumes=tcp$"
	w := &counting{Conn: c}
	fmt.Fprintln(w, "bye")
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	w.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, w)
	w.Close()
}

// BadCrossPackage wraps with another package's wrapper.
func BadCrossPackage(c net.Conn) { // want BadCrossPackage:"^conn p0 closes unread:w returns closed uses writes$"
	c = wrapconn.Wrap(c)
	fmt.Fprintln(c, "bye")
	c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
}

// GoodCrossPackage echoes through it until EOF.
//
//proof:eof
func GoodCrossPackage(c net.Conn) { // want GoodCrossPackage:"^conn p0 closes done:w returns closed uses writes drains$"
	c = wrapconn.Wrap(c)
	io.Copy(c, c)
	c.Close()
}

// logger's Close does not close the conn: no wrapper, the conn escapes
// into it, and nothing is reported.
type logger struct {
	net.Conn
}

func (l *logger) Close() error { fmt.Println("closed"); return nil }

// NotAWrapper hangs up through a value whose Close keeps the conn open.
//
//proof:skip its Close keeps the conn open: the conn escapes into it, silence by design
func NotAWrapper(c net.Conn) {
	l := &logger{Conn: c}
	fmt.Fprintln(l, "bye")
	l.Close()
}

// xorConn decrypts what it reads with a one-byte key, as a stream cipher
// does: a read through it can fail on what it read.
type xorConn struct {
	net.Conn
	key byte
}

func (x *xorConn) Read(b []byte) (int, error) {
	n, err := x.Conn.Read(b)
	for i := range b[:n] {
		b[i] ^= x.key
	}
	return n, err
}

// shadow is the decrypting wrapper, chosen at run time as a function
// value: a conn transformer rstlint cannot see into.
var shadow = func(c net.Conn) net.Conn { return &xorConn{Conn: c} }

// BadShadowMagic reads a magic through the transformer's conn and closes
// when it does not match: the rest of the probe's bytes are queued.
//
//proof:send bad-magic
func BadShadowMagic(c net.Conn) { // want BadShadowMagic:"^conn p0 closes unread:rj,done returns closed uses reads drains$"
	defer c.Close() // want `conn c is closed after rejecting its input, nothing written: the peer gets RST, not EOF`
	sc := shadow(c)
	magic := make([]byte, 4)
	if _, err := io.ReadFull(sc, magic); err != nil || string(magic) != "RST1" {
		return
	}
	io.Copy(io.Discard, sc)
}

// GoodShadowMagic drains what the probe sent before it closes.
//
//proof:send bad-magic
//proof:eof
func GoodShadowMagic(c net.Conn) { // want GoodShadowMagic:"^conn p0 closes done returns closed uses reads drains$"
	defer c.Close()
	sc := shadow(c)
	magic := make([]byte, 4)
	if _, err := io.ReadFull(sc, magic); err != nil || string(magic) != "RST1" {
		io.Copy(io.Discard, c)
		return
	}
	io.Copy(io.Discard, sc)
}

// debugging says whether conns are wrapped in a meter.
var debugging = false

// maybeMetered returns the conn as it is, or metered when debugging: the
// same conn either way.
func maybeMetered(c net.Conn) net.Conn {
	if !debugging {
		return c
	}
	return metered(c)
}

// BadMaybeMetered answers one line through maybeMetered's conn and closes
// it.
func BadMaybeMetered(c net.Conn) { // want BadMaybeMetered:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	mc := maybeMetered(c)
	defer mc.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
	line, err := bufio.NewReader(mc).ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(mc, "echo %s", line)
}

// GoodMaybeMetered echoes through it until the peer's EOF.
//
//proof:eof
func GoodMaybeMetered(c net.Conn) { // want GoodMaybeMetered:"^conn p0 closes done:w returns closed uses writes drains$"
	mc := maybeMetered(c)
	defer mc.Close()
	io.Copy(mc, mc)
}

// peekedConn is the conn behind the bytes a reader peeked at. Its
// constructor returns it as its own type, and is given the reader, a
// view of the same conn, with it: the result is that conn.
type peekedConn struct {
	net.Conn
	peeked []byte
}

func newPeekedConn(c net.Conn, br *bufio.Reader) *peekedConn {
	b, _ := br.Peek(br.Buffered()) // what is buffered: no read
	return &peekedConn{Conn: c, peeked: b}
}

// skipMarker peeks at the first byte and returns the conn wrapped with
// what it peeked: the same conn, read in part. Its error says the read
// failed.
func skipMarker(c net.Conn) (net.Conn, error) {
	br := bufio.NewReader(c)
	if _, err := br.Peek(1); err != nil {
		return nil, err
	}
	return newPeekedConn(c, br), nil
}

// BadPeekedConn answers through skipMarker's conn and hangs up.
func BadPeekedConn(c net.Conn) { // want BadPeekedConn:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	pc, err := skipMarker(c)
	if err != nil {
		c.Close() // the read failed: nothing is queued
		return
	}
	defer pc.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
	fmt.Fprintln(pc, "hello")
}

// GoodPeekedConn echoes through it until the peer's EOF.
//
//proof:eof
func GoodPeekedConn(c net.Conn) { // want GoodPeekedConn:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	pc, err := skipMarker(c)
	if err != nil {
		c.Close()
		return
	}
	defer pc.Close()
	io.Copy(pc, pc)
}

// unwrap returns the conn a *peekedConn holds, or c as it is: the same
// conn either way (tcpproxy's UnderlyingConn, which lets io.Copy splice).
func unwrap(c net.Conn) net.Conn {
	if pc, ok := c.(*peekedConn); ok {
		return pc.Conn
	}
	return c
}

// BadUnwrapped answers through the unwrapped conn and hangs up.
func BadUnwrapped(c net.Conn) { // want BadUnwrapped:"^conn p0 closes unread:w returns closed uses writes$"
	u := unwrap(c)
	fmt.Fprintln(u, "hello")
	u.Close() // want `conn c is closed with input never read: RST may destroy our reply`
}

// GoodUnwrapped echoes through the unwrapped conn until the peer's EOF.
//
//proof:eof
func GoodUnwrapped(c net.Conn) { // want GoodUnwrapped:"^conn p0 closes done:w returns closed uses writes drains$"
	u := unwrap(c)
	io.Copy(u, u)
	u.Close()
}

// bufConn is the conn with the reader its request line was read with:
// its Read reads that reader, a view of the same conn, so the struct is
// the conn.
type bufConn struct {
	r *bufio.Reader
	net.Conn
}

func (b *bufConn) Read(p []byte) (int, error) { return b.r.Read(p) } // want Read:"^conn p0[.]Conn returns unread uses reads errdone errread$"

func newBufConn(c net.Conn) *bufConn { return &bufConn{bufio.NewReader(c), c} }

// BadReaderWrapper reads the request line through the wrapper's reader,
// answers and hangs up.
func BadReaderWrapper(c net.Conn) { // want BadReaderWrapper:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	bc := newBufConn(c)
	defer bc.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
	if _, err := bc.r.ReadString('\n'); err != nil {
		return
	}
	io.WriteString(bc, "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
}

// GoodReaderWrapper answers and reads to the peer's EOF before it closes.
//
//proof:eof
func GoodReaderWrapper(c net.Conn) { // want GoodReaderWrapper:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	bc := newBufConn(c)
	defer bc.Close()
	if _, err := bc.r.ReadString('\n'); err != nil {
		return
	}
	io.WriteString(bc, "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
	bc.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, bc)
}

// BadRewindFallback sniffs the first bytes through a rewinding conn (a
// wrapper of another package whose Read goes through a reader of the
// program's own over the same conn). Not its protocol, it rewinds,
// answers with a canned page and hangs up: the rest of the peer's
// request is unread, and the page is lost to the RST.
func BadRewindFallback(c net.Conn) { // want BadRewindFallback:"^conn p0 closes unread:w:rj,done,done:w returns closed uses reads writes drains$"
	rc := wrapconn.NewRewindConn(c)
	defer rc.Close() // want `conn c is closed after rejecting its input: RST may destroy our reply`
	magic := make([]byte, 4)
	if _, err := io.ReadFull(rc, magic); err != nil {
		return
	}
	if string(magic) != "RST1" {
		rc.Rewind()
		io.WriteString(rc, "HTTP/1.1 400 Bad Request\r\n\r\n")
		return
	}
	io.WriteString(rc, "OK\n")
	io.Copy(io.Discard, rc)
}

// GoodRewindFallback gives the same page, then reads the peer's input to
// its EOF before it closes.
//
//proof:eof
func GoodRewindFallback(c net.Conn) { // want GoodRewindFallback:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	rc := wrapconn.NewRewindConn(c)
	defer rc.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(rc, magic); err != nil {
		return
	}
	if string(magic) != "RST1" {
		rc.Rewind()
		io.WriteString(rc, "HTTP/1.1 400 Bad Request\r\n\r\n")
	} else {
		io.WriteString(rc, "OK\n")
	}
	rc.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, rc)
}

// trailerConn is a framing wrapper whose Close writes an end-of-stream
// trailer and closes the conn: its Close is the conn's Close as its user
// calls it, judged there, in the user's state of the conn.
type trailerConn struct {
	net.Conn
}

func (t *trailerConn) Close() error { // want Close:"^conn p0[.]Conn closes unread:w returns closed uses writes errdone$"
	io.WriteString(t.Conn, "END\n")
	return t.Conn.Close()
}

// BadTrailerWrapper answers one request through the framing wrapper and
// closes it with the peer's next requests unread.
func BadTrailerWrapper(c net.Conn) { // want BadTrailerWrapper:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	t := &trailerConn{c}
	buf := make([]byte, 64)
	if _, err := t.Read(buf); err != nil {
		t.Close()
		return
	}
	io.WriteString(t, "OK\n")
	t.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
}

// GoodTrailerWrapper reads the peer's requests to their end first.
//
//proof:eof
func GoodTrailerWrapper(c net.Conn) { // want GoodTrailerWrapper:"^conn p0 closes done:w returns closed uses writes drains$"
	t := &trailerConn{c}
	io.Copy(io.Discard, t)
	io.WriteString(t, "OK\n")
	t.Close()
}
