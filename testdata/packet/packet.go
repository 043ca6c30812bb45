package packet // want package:"hasConnFacts"

// Packet sockets and in-memory pipes have no RST: nothing is reported,
// also for a handler of this package fed datagram conns; a helper it also
// feeds stream conns is judged where those are closed.

import (
	"context"
	"io"
	"net"
	"time"
)

//proof:skip packet sockets and net.Pipe have no RST
func UDP(addr string) error {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	c.Write([]byte("ping"))
	return c.Close()
}

//proof:skip packet sockets and net.Pipe have no RST
func ListenPacket() error {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	return pc.Close()
}

//proof:skip packet sockets and net.Pipe have no RST
func Pipe() {
	a, b := net.Pipe()
	go func() { b.Write([]byte("x")); b.Close() }()
	a.Close()
}

//proof:skip packet sockets and net.Pipe have no RST
func Unixgram(path string) error {
	c, err := net.Dial("unixgram", path)
	if err != nil {
		return err
	}
	c.Write([]byte("x"))
	return c.Close()
}

//proof:skip packet sockets and net.Pipe have no RST
func UnknownNetwork(network, addr string) error {
	c, err := net.Dial(network, addr)
	if err != nil {
		return err
	}
	c.Write([]byte("x"))
	return c.Close()
}

// datagramConn is a net.Conn over a datagram socket, as DTLS or KCP
// libraries give: one peer of a net.PacketConn.
type datagramConn struct {
	pc   net.PacketConn
	peer net.Addr
}

func (c *datagramConn) Read(b []byte) (int, error) {
	n, _, err := c.pc.ReadFrom(b)
	return n, err
}
func (c *datagramConn) Write(b []byte) (int, error)        { return c.pc.WriteTo(b, c.peer) }
func (c *datagramConn) Close() error                       { return nil }
func (c *datagramConn) LocalAddr() net.Addr                { return c.pc.LocalAddr() }
func (c *datagramConn) RemoteAddr() net.Addr               { return c.peer }
func (c *datagramConn) SetDeadline(t time.Time) error      { return c.pc.SetDeadline(t) }
func (c *datagramConn) SetReadDeadline(t time.Time) error  { return c.pc.SetReadDeadline(t) }
func (c *datagramConn) SetWriteDeadline(t time.Time) error { return c.pc.SetWriteDeadline(t) }

func newDatagramConn(pc net.PacketConn, peer net.Addr) net.Conn { return &datagramConn{pc, peer} }

// answer answers one message and closes. This package feeds it datagram
// conns only (ServeDatagrams): a datagram close sends no RST.
func answer(c net.Conn) {
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	if err != nil {
		c.Close()
		return
	}
	c.Write(buf[:n])
	c.Close()
}

// ServeDatagrams hands each peer's datagrams to answer as a conn.
//
//proof:skip packet sockets and net.Pipe have no RST
func ServeDatagrams(pc net.PacketConn) {
	buf := make([]byte, 1500)
	_, peer, err := pc.ReadFrom(buf)
	if err != nil {
		return
	}
	go answer(newDatagramConn(pc, peer))
}

// BadStreamAnswer is answer fed stream conns (the proof gives it a TCP
// conn): the pipelined rest of the input makes its Close reset.
//
//proof:skip packet sockets and net.Pipe have no RST
func BadStreamAnswer(c net.Conn) { // want BadStreamAnswer:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	if err != nil {
		c.Close()
		return
	}
	c.Write(buf[:n])
	c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
}

// pipe copies both ways and returns when the first direction ends. The
// package gives it datagram conns (RelayDatagrams) and stream conns
// (BadSharedPipe): it is judged where each caller closes.
func pipe(a, b net.Conn) {
	errc := make(chan error, 2)
	go func() { _, err := io.Copy(a, b); errc <- err }()
	go func() { _, err := io.Copy(b, a); errc <- err }()
	<-errc
}

// pipeAll copies both ways, passes each EOF on where the conn can, and
// returns when both directions have ended.
func pipeAll(a, b net.Conn) {
	errc := make(chan error, 2)
	go func() { _, err := io.Copy(a, b); closeWrite(a); errc <- err }()
	go func() { _, err := io.Copy(b, a); closeWrite(b); errc <- err }()
	<-errc
	<-errc
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
}

// RelayDatagrams relays between two UDP peers through both helpers: a
// datagram close sends no RST.
//
//proof:skip packet sockets and net.Pipe have no RST
func RelayDatagrams(a, b string) error {
	ca, err := net.Dial("udp", a)
	if err != nil {
		return err
	}
	defer ca.Close()
	cb, err := net.Dial("udp", b)
	if err != nil {
		return err
	}
	defer cb.Close()
	pipe(ca, cb)
	pipeAll(ca, cb)
	return nil
}

// turnAway drains what a client sent before it closes: no reset.
func turnAway(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, c)
	c.Close()
}

// BadSharedPipe relays a stream through the helper the datagram relay
// shares, and closes both conns when it returns at its first direction.
func BadSharedPipe(client net.Conn, target string) {
	server, err := net.Dial("tcp", target)
	if err != nil {
		turnAway(client)
		return
	}
	defer server.Close() // want `the conn is closed after packet\.pipe returned at its first direction: RST cuts the other short`
	defer client.Close() // want `conn client is closed after packet\.pipe returned at its first direction: RST cuts the other short`
	pipe(client, server)
}

// GoodSharedPipeAll relays it through the shared helper that waits for
// both directions.
func GoodSharedPipeAll(client net.Conn, target string) {
	server, err := net.Dial("tcp", target)
	if err != nil {
		turnAway(client)
		return
	}
	defer server.Close()
	defer client.Close()
	pipeAll(client, server)
}

// dialChain is a program's own way out: it dials on the network it is
// given.
type dialChain struct{}

func (dialChain) DialContext(ctx context.Context, network, addr string) (net.Conn, error) { // want DialContext:"origin dialed network=p2"
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// ServeUDPForward relays a conn a UDP listener gave (a net.Conn by its
// type) with one the chain dials on "udp": a datagram relay, whose ends
// send no RST, whatever path closes them.
//
//proof:skip packet sockets and net.Pipe have no RST
func ServeUDPForward(conn net.Conn, target string) {
	defer conn.Close()
	cc, err := dialChain{}.DialContext(context.Background(), "udp", target)
	if err != nil {
		return
	}
	defer cc.Close()
	pipe(conn, cc)
}

// GoodExpectsDatagram is a handler of a server whose listeners give it
// UDP and TCP conns alike, as net.Conn: it tests for a datagram conn
// itself, so the conn may be one, and its early return is not judged.
//
//proof:skip it expects a datagram conn, which has no RST (given a stream it would reset, as BadStreamHandler does)
func GoodExpectsDatagram(c net.Conn) {
	defer c.Close()
	var hdr [4]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return
	}
	pc, ok := c.(net.PacketConn)
	if !ok {
		return
	}
	echoDatagrams(pc)
}

// GoodHandsToDatagram hands its conn to a function of the package that
// tests it for a datagram conn: it expects one too.
//
//proof:skip it expects a datagram conn, which has no RST (given a stream it would reset, as BadStreamHandler does)
func GoodHandsToDatagram(c net.Conn) {
	defer c.Close()
	var hdr [4]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return
	}
	echoIfDatagram(c)
}

// BadStreamHandler is the same handler with no test for a datagram
// conn: its conn is a stream, turned away with the rest of the request
// unread when its peer is not allowed.
func BadStreamHandler(c net.Conn) { // want BadStreamHandler:"conn p0 closes unread,done returns closed uses reads drains"
	defer c.Close() // want `conn c is closed with input read in part, nothing written: the peer gets RST, not EOF`
	var hdr [4]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return
	}
	if !allowed(c.RemoteAddr()) {
		return
	}
	io.Copy(io.Discard, c)
}

// allowed is an allow-list that lets no loopback peer in.
func allowed(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && !tcp.IP.IsLoopback()
}

// echoIfDatagram echoes what a datagram conn receives.
func echoIfDatagram(conn net.Conn) {
	if pc, ok := conn.(net.PacketConn); ok {
		echoDatagrams(pc)
	}
}

// echoDatagrams sends each datagram pc receives back to its sender.
func echoDatagrams(pc net.PacketConn) {
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if _, err := pc.WriteTo(buf[:n], from); err != nil {
			return
		}
	}
}
