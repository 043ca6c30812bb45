package app // want package:"hasConnFacts"

import (
	"bufio"
	"fmt"
	"io"
	"net"

	"rstcases/crosspkg/addr"
	"rstcases/crosspkg/bufpool"
	"rstcases/crosspkg/connutil"
	"rstcases/crosspkg/muxsess"
	"rstcases/crosspkg/pipes"
	"rstcases/crosspkg/quiet"
	"rstcases/crosspkg/reuse"
	"rstcases/crosspkg/tcpserve"
	"rstcases/crosspkg/wire"
	"rstcases/crosspkg/wrapconn"
)

// Bad hangs up through another package's helper.
func Bad(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	fmt.Fprintln(c, "bye")
	connutil.HangUp(c) // want `the accepted conn is closed by connutil\.HangUp with input never read: RST may destroy our reply`
}

// Good drains with the other package's helper first.
func Good(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	fmt.Fprintln(c, "bye")
	connutil.Drain(c)
	connutil.HangUp(c)
}

// Kept: the helper keeps the conn; our Close is not the last word.
//
//proof:skip the conn is kept elsewhere: silence by design
func Kept(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	connutil.Keep(c)
	c.Close()
}

// BadReuseDial dials through another package's helper with a TCP network,
// asks twice and closes with the second answer unread.
func BadReuseDial(addr string) error {
	c, err := reuse.Dial("tcp", "", addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at app\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	r := bufio.NewReader(c)
	fmt.Fprintf(c, "PING\r\n")
	if _, err := r.ReadString('\n'); err != nil {
		return err
	}
	_, err = fmt.Fprintf(c, "PING\r\n")
	return err
}

// GoodReuseDial reads both answers.
func GoodReuseDial(addr string) error {
	c, err := reuse.Dial("tcp", "", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for range 2 {
		fmt.Fprintf(c, "PING\r\n")
		if _, err := r.ReadString('\n'); err != nil {
			return err
		}
	}
	return nil
}

// GoodReuseDatagram dials UDP through the same helper: no stream, no RST.
//
//proof:skip a datagram conn: no stream, nothing to reset
func GoodReuseDatagram(addr string) error {
	c, err := reuse.Dial("udp", "", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = fmt.Fprintf(c, "PING\r\n")
	return err
}

// BadCrossRelay closes both conns when another package's relay returns at
// its first direction: the other copy still reads one of them.
func BadCrossRelay(client, server net.Conn) {
	pipes.Relay(client, server)
	client.Close() // want `conn client is closed after pipes\.Relay returned at its first direction: RST cuts the other short`
	server.Close() // want `conn server is closed after pipes\.Relay returned at its first direction: RST cuts the other short`
}

// GoodCrossRelayAll closes both conns after both directions ended.
func GoodCrossRelayAll(client, server *net.TCPConn) {
	pipes.RelayAll(client, server)
	client.Close()
	server.Close()
}

// BadCrossGo starts both directions through another package's goroutine
// helper, returns when the first ends and closes both.
func BadCrossGo(client, server net.Conn) {
	errc := make(chan error, 2)
	pipes.Go(func() {
		_, err := io.Copy(server, client)
		errc <- err
	})
	pipes.Go(func() {
		_, err := io.Copy(client, server)
		errc <- err
	})
	<-errc
	client.Close() // want `conn client is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
	server.Close() // want `conn server is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
}

// BadQuietClose answers and hangs up through a logging helper of a
// package that imports no socket package.
func BadQuietClose(c net.Conn) { // want BadQuietClose:"^conn p0 closes unread:w returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	quiet.Close(c) // want `conn c is closed by quiet\.Close with input never read: RST may destroy our reply`
}

// GoodQuietClose echoes to the peer's EOF, then hangs up through it.
//
//proof:eof
func GoodQuietClose(c net.Conn) { // want GoodQuietClose:"^conn p0 closes done:w returns closed uses writes drains$"
	io.Copy(c, c)
	quiet.Close(c)
}

// BadHello reads the greeting through another package's helper, answers
// and hangs up on the requests that follow.
func BadHello(c net.Conn) { // want BadHello:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	if _, err := connutil.Hello(c); err != nil {
		c.Close()
		return
	}
	fmt.Fprintln(c, "hello")
	c.Close() // want "conn c is closed with input read in part: RST may destroy our reply"
}

// GoodHello answers, then reads the rest through the helper's reader.
//
//proof:eof
func GoodHello(c net.Conn) { // want GoodHello:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	br, err := connutil.Hello(c)
	if err != nil {
		c.Close()
		return
	}
	fmt.Fprintln(c, "hello")
	io.Copy(io.Discard, br)
	c.Close()
}

// pooledConn is a conn with a pooled reader over it beside it, as a
// proxy's buffered conn is.
type pooledConn struct {
	r *bufio.Reader
	net.Conn
}

func (p *pooledConn) Read(b []byte) (int, error) { return p.r.Read(b) } // want Read:"^conn p0[.]Conn returns unread uses reads errdone errread$"

func (p *pooledConn) Close() error { // want Close:"^conn p0[.]Conn closes unread returns closed errdone$"
	bufpool.Put(p.r)
	return p.Conn.Close()
}

func newPooledConn(c net.Conn) *pooledConn { return &pooledConn{bufpool.Get(c), c} }

// BadPooledReply reads the request line through the pooled reader,
// answers and hangs up.
func BadPooledReply(c net.Conn) { // want BadPooledReply:"^conn p0 closes unread:w,done returns closed uses reads writes$"
	pc := newPooledConn(c)
	defer pc.Close() // want "conn c is closed with input read in part: RST may destroy our reply"
	line, err := pc.r.ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(pc, "got %s", line)
}

// GoodPooledReply answers, half-closes and reads the rest through the
// pooled conn before it closes.
//
//proof:eof
func GoodPooledReply(c net.Conn) { // want GoodPooledReply:"^conn p0 closes done,done:w:hc returns closed uses reads writes drains assumes=tcp$"
	pc := newPooledConn(c)
	defer pc.Close()
	line, err := pc.r.ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(pc, "got %s", line)
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	io.Copy(io.Discard, pc)
}

// BadMessageReject reads one request with the message's own ReadFrom,
// answers "denied" to a name it does not serve, and hangs up on what the
// client sent after its request.
func BadMessageReject(c net.Conn) { // want BadMessageReject:"^conn p0 closes unread:w,unread:rj,done:w returns closed uses reads writes drains$"
	defer c.Close() // want `conn c is closed with input read in part: RST may destroy our reply` `conn c is closed after rejecting its input, nothing written: the peer gets RST, not EOF`
	var req wire.Request
	if _, err := req.ReadFrom(c); err != nil {
		return
	}
	if req.Name != "echo" {
		(&wire.Response{Status: 1}).WriteTo(c)
		return
	}
	(&wire.Response{Status: 0}).WriteTo(c)
	io.Copy(c, c)
}

// GoodMessageReject answers the same, and on every path that ends the
// session early half-closes and drains before it hangs up.
//
//proof:eof
func GoodMessageReject(c net.Conn) { // want GoodMessageReject:"^conn p0 closes done:w,done:w:hc,done:rj,done:hc:rj returns closed uses reads writes drains$"
	defer c.Close()
	var req wire.Request
	if _, err := req.ReadFrom(c); err != nil {
		hangUpDrained(c)
		return
	}
	if req.Name != "echo" {
		(&wire.Response{Status: 1}).WriteTo(c)
		hangUpDrained(c)
		return
	}
	(&wire.Response{Status: 0}).WriteTo(c)
	io.Copy(c, c)
}

// hangUpDrained sends FIN and reads what the peer still sends.
func hangUpDrained(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	io.Copy(io.Discard, c)
}

// ServeStreams hands each stream of a mux session to its handler.
//
//proof:skip a mux stream is no socket: its Close sends a frame on the session's conn, and no kernel sees it
func ServeStreams(sess *muxsess.Session) {
	for {
		st, err := sess.Accept()
		if err != nil {
			return
		}
		handleStream(st)
	}
}

// handleStream turns a stream away after its header: closing a stream
// resets nothing, whatever is unread.
func handleStream(st net.Conn) {
	var hdr [4]byte
	if _, err := io.ReadFull(st, hdr[:]); err != nil {
		st.Close()
		return
	}
	if hdr[0] != 1 {
		st.Close()
		return
	}
	io.Copy(st, st)
	st.Close()
}

// ServeStreamsEach hands each stream of a mux session to a literal,
// through an accept loop of another package: the literal's conn is a
// stream, whatever its type says, and its reject resets nothing.
//
//proof:skip a mux stream is no socket: its Close sends a frame on the session's conn, and no kernel sees it
func ServeStreamsEach(sess *muxsess.Session) error {
	return tcpserve.AcceptEach(sess, func(st net.Conn) {
		var hdr [4]byte
		if _, err := io.ReadFull(st, hdr[:]); err != nil {
			st.Close()
			return
		}
		if hdr[0] != 1 {
			st.Close()
			return
		}
		io.Copy(st, st)
		st.Close()
	})
}

// BadAcceptEachReject is the same literal given the conns of a listener
// through the same accept loop: each is a socket, and the reject after
// the header resets it.
func BadAcceptEachReject(ln net.Listener) error {
	return tcpserve.AcceptEach(ln, func(c net.Conn) {
		var hdr [4]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			c.Close()
			return
		}
		if hdr[0] != 1 {
			c.Close() // want `conn c is closed with input read in part, nothing written: the peer gets RST, not EOF`
			return
		}
		io.Copy(c, c)
		c.Close()
	})
}

// BadTunnelReject is the same handler given an accepted conn: turned
// away after its header, with the rest unread.
func BadTunnelReject(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		handleTunnel(c)
	}
}

// handleTunnel is handleStream's body for a socket.
func handleTunnel(c net.Conn) {
	var hdr [4]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		c.Close()
		return
	}
	if hdr[0] != 1 {
		c.Close() // want `conn c is closed with input read in part, nothing written: the peer gets RST, not EOF`
		return
	}
	io.Copy(c, c)
	c.Close()
}

// gate is a server on tcpserve's framework that lets no loopback peer in.
type gate struct {
	tcpserve.Server
}

// handle turns a loopback peer away by returning: tcpserve closes the
// conn when it returns, so each return is that Close.
func (g *gate) handle(c net.Conn) {
	if !allowedPeer(c.RemoteAddr()) {
		return // want `the conn is closed by Serve with input never read, nothing written: the peer gets RST, not EOF`
	}
	io.Copy(c, c)
}

// allowedPeer lets no loopback peer in.
func allowedPeer(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && !tcp.IP.IsLoopback()
}

// BadHandlerReturns serves on a framework that closes each conn when its
// handler returns; the handler, a method value, turns the client away by
// returning, with its request unread.
func BadHandlerReturns(ln net.Listener) {
	g := &gate{}
	g.Server.Handler = g.handle
	g.Server.Greet = greet
	g.Serve(ln)
}

// greet writes a banner and returns: tcpserve goes on with the conn to
// the handler, so this return closes nothing.
func greet(c net.Conn) {
	io.WriteString(c, "hello\r\n")
}

// GoodHandlerDrains is the same server with a handler, a function, that
// reads the client to its end before it returns.
//
//proof:eof
func GoodHandlerDrains(ln net.Listener) {
	srv := &tcpserve.Server{Handler: turnAwayDrained}
	srv.Serve(ln)
}

// turnAwayDrained reads a loopback peer to its end, then returns.
func turnAwayDrained(c net.Conn) {
	if !allowedPeer(c.RemoteAddr()) {
		io.Copy(io.Discard, c)
		return
	}
	io.Copy(c, c)
}

// BadServeWithReturns gives tcpserve.ServeWith, which closes each conn
// when its handler returns, a literal that turns the client away by
// returning, with its request unread.
func BadServeWithReturns(ln net.Listener) {
	tcpserve.ServeWith(ln, func(c net.Conn) {
		if !allowedPeer(c.RemoteAddr()) {
			return // want `the conn is closed by Serve with input never read, nothing written: the peer gets RST, not EOF`
		}
		io.Copy(c, c)
	})
}

// GoodServeWithDrains gives it a handler that reads the client to its
// end before it returns.
//
//proof:eof
func GoodServeWithDrains(ln net.Listener) {
	tcpserve.ServeWith(ln, turnAwayDrained)
}

// serveOneItself calls another package's handler field itself and closes
// the conn after it: that field's facts are its package's to say (a
// regression case: the fact was once exported here, on an object of
// another package, and the analysis failed).
func serveOneItself(srv *tcpserve.Server, c net.Conn) {
	srv.Handler(c)
	c.Close()
}

var _ = serveOneItself

// BadWrappedDialFails is given its conn in another package's wrapper, a
// pointer to a struct whose Read, Write and Close go to the conn it
// holds: it is that conn. It cannot reach its upstream (an address
// without a port: the dial fails at once) and hangs up with the client's
// bytes queued and its greeting, written through the wrapper's own
// method, lost.
func BadWrappedDialFails(c *wrapconn.Conn) { // want BadWrappedDialFails:"^conn p0 closes unread:w,done:w returns closed uses reads writes drains$"
	if err := c.Greet(); err != nil {
		c.Close()
		return
	}
	up, err := net.Dial("tcp", "127.0.0.1")
	if err != nil {
		c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
		return
	}
	defer up.Close()
	io.Copy(up, c)
	c.Close()
}

// GoodWrappedDialFails reads the client's bytes to their end first.
func GoodWrappedDialFails(c *wrapconn.Conn) { // want GoodWrappedDialFails:"^conn p0 closes done:w returns closed uses reads writes drains$"
	if err := c.Greet(); err != nil {
		c.Close()
		return
	}
	up, err := net.Dial("tcp", "127.0.0.1")
	if err != nil {
		io.Copy(io.Discard, c)
		c.Close()
		return
	}
	defer up.Close()
	io.Copy(up, c)
	c.Close()
}

// BadWrappedHeaderReject reads a header through a method of another
// package's wrapper that hands the wrapper on as its own reader, and
// rejects a bad one with the rest of the client's bytes queued.
func BadWrappedHeaderReject(c *wrapconn.Conn) { // want BadWrappedHeaderReject:"^conn p0 closes unread,done returns closed uses reads drains$"
	h, err := c.Header(4)
	if err != nil {
		c.Close()
		return
	}
	if string(h) != "RST1" {
		c.Close() // want `conn c is closed with input read in part, nothing written: the peer gets RST, not EOF`
		return
	}
	io.Copy(io.Discard, c)
	c.Close()
}

// GoodWrappedHeaderReject reads the rest to its end before it rejects.
func GoodWrappedHeaderReject(c *wrapconn.Conn) { // want GoodWrappedHeaderReject:"^conn p0 closes done returns closed uses reads drains$"
	h, err := c.Header(4)
	if err != nil {
		c.Close()
		return
	}
	if string(h) != "RST1" {
		io.Copy(io.Discard, c)
		c.Close()
		return
	}
	io.Copy(io.Discard, c)
	c.Close()
}

// BadAddrDialFails reads the target address through another package's
// parser, which holds no conn, and hangs up when the dial fails (an
// address without a port: it fails at once) with the client's bytes
// after the address still queued.
func BadAddrDialFails(c net.Conn) { // want BadAddrDialFails:"^conn p0 closes unread,done returns closed uses reads drains$"
	target, err := addr.Read(c)
	if err != nil {
		io.Copy(io.Discard, c)
		c.Close()
		return
	}
	_ = target
	up, err := net.Dial("tcp", "127.0.0.1")
	if err != nil {
		c.Close() // want `conn c is closed with input read in part, nothing written: the peer gets RST, not EOF`
		return
	}
	defer up.Close()
	io.Copy(up, c)
	c.Close()
}

// GoodAddrDialFails reads the client's bytes to their end first.
//
//proof:eof
func GoodAddrDialFails(c net.Conn) { // want GoodAddrDialFails:"^conn p0 closes done returns closed uses reads drains$"
	target, err := addr.Read(c)
	if err != nil {
		io.Copy(io.Discard, c)
		c.Close()
		return
	}
	_ = target
	up, err := net.Dial("tcp", "127.0.0.1")
	if err != nil {
		io.Copy(io.Discard, c)
		c.Close()
		return
	}
	defer up.Close()
	io.Copy(up, c)
	c.Close()
}
