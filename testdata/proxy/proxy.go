package proxy // want package:"hasConnFacts"

// Proxies: two io.Copy directions, and when the function closes.

import (
	"bufio"
	"context"
	"io"
	"net"
	"sync"
	"time"
)

// BadFirstFinisher returns when the first direction ends and its deferred
// Closes tear down the other direction with its input still queued.
func BadFirstFinisher(client net.Conn, target string) {
	server, err := net.Dial("tcp", target)
	if err != nil {
		refuse(client)
		return
	}
	defer server.Close() // want `conn dialed at proxy\.go:\d+ is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
	defer client.Close() // want `conn client is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
	errc := make(chan error, 2)
	go func() {
		_, err := io.Copy(server, client)
		errc <- err
	}()
	go func() {
		_, err := io.Copy(client, server)
		errc <- err
	}()
	<-errc
}

// GoodBothDirections half-closes the destination after each copy and
// waits for both.
func GoodBothDirections(client net.Conn, target string) {
	server, err := net.Dial("tcp", target)
	if err != nil {
		refuse(client)
		return
	}
	defer server.Close()
	defer client.Close()
	errc := make(chan error, 2)
	go func() {
		_, err := io.Copy(server, client)
		server.(*net.TCPConn).CloseWrite()
		errc <- err
	}()
	go func() {
		_, err := io.Copy(client, server)
		client.(*net.TCPConn).CloseWrite()
		errc <- err
	}()
	<-errc
	<-errc
}

// GoodWaitGroup waits for every direction with a WaitGroup.
func GoodWaitGroup(client net.Conn, target string) {
	server, err := net.Dial("tcp", target)
	if err != nil {
		refuse(client)
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		io.Copy(server, client)
		server.(*net.TCPConn).CloseWrite()
	}()
	go func() {
		defer wg.Done()
		io.Copy(client, server)
		client.(*net.TCPConn).CloseWrite()
	}()
	wg.Wait()
	server.Close()
	client.Close()
}

// GoodLoop receives once per direction in a loop.
func GoodLoop(client, server *net.TCPConn) {
	defer server.Close()
	defer client.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(server, client); server.CloseWrite(); done <- struct{}{} }()
	go func() { io.Copy(client, server); client.CloseWrite(); done <- struct{}{} }()
	for i := 0; i < 2; i++ {
		<-done
	}
}

// pipe copies one direction and reports.
func pipe(dst, src net.Conn, errc chan<- error) {
	_, err := io.Copy(dst, src)
	errc <- err
}

// BadHelper: the same first-finisher shape through a helper.
func BadHelper(client, server net.Conn) {
	errc := make(chan error, 2)
	go pipe(server, client, errc)
	go pipe(client, server, errc)
	<-errc
	client.Close() // want `conn client is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
	server.Close() // want `conn server is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
}

// copyAndClose copies one direction, then closes the conn it read: that
// conn is the other direction's destination, still being written.
func copyAndClose(w, r net.Conn, wg *sync.WaitGroup) {
	defer wg.Done()
	io.Copy(w, r)
	r.Close() // want `conn client is closed when one copy direction ends, while the other uses it: RST`
}

// BadCopyAndClose's goroutines cut each other when their own direction
// ends (and pass no EOF on).
func BadCopyAndClose(client, server net.Conn) {
	deadline := time.Now().Add(300 * time.Millisecond)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	var wg sync.WaitGroup
	wg.Add(2)
	go copyAndClose(server, client, &wg) // want `the copy into conn server ends without CloseWrite: its peer never sees EOF`
	go copyAndClose(client, server, &wg) // want `the copy into conn client ends without CloseWrite: its peer never sees EOF`
	wg.Wait()
	server.Close()
}

// copyHalf copies one direction and passes the EOF on.
func copyHalf(w, r net.Conn, wg *sync.WaitGroup) {
	defer wg.Done()
	io.Copy(w, r)
	w.(*net.TCPConn).CloseWrite()
}

// GoodCopyHalf passes each EOF on, waits for both, then closes both.
func GoodCopyHalf(client, server net.Conn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go copyHalf(server, client, &wg)
	go copyHalf(client, server, &wg)
	wg.Wait()
	client.Close()
	server.Close()
}

// abortBoth copies one direction, then aborts both conns with a deadline
// in the past, which cuts the other direction short (and passes no EOF
// on: the far peer never answers a request it has not seen the end of).
func abortBoth(dst, src net.Conn, wg *sync.WaitGroup) {
	defer wg.Done()
	io.Copy(dst, src)
	dst.SetDeadline(time.Now()) // want `conn server is aborted when one copy direction ends: the other gets a reset`
	src.SetDeadline(time.Now()) // want `conn client is aborted when one copy direction ends: the other gets a reset`
}

// BadAbort's goroutines abort each other when their own direction ends.
func BadAbort(client, server net.Conn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go abortBoth(server, client, &wg)
	go abortBoth(client, server, &wg)
	wg.Wait()
	client.Close()
	server.Close()
}

// copyOnly copies one direction and passes no EOF on.
func copyOnly(w, r net.Conn, wg *sync.WaitGroup) {
	defer wg.Done()
	io.Copy(w, r)
}

// BadLostEOF waits for both directions but passes no EOF on: a request
// that ends with the client's half-close never ends for the server, and
// both directions wait until the deadline.
func BadLostEOF(client, server net.Conn) {
	deadline := time.Now().Add(300 * time.Millisecond)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	var wg sync.WaitGroup
	wg.Add(2)
	go copyOnly(server, client, &wg) // want `the copy into conn server ends without CloseWrite: its peer never sees EOF`
	go copyOnly(client, server, &wg) // want `the copy into conn client ends without CloseWrite: its peer never sees EOF`
	wg.Wait()
	client.Close()
	server.Close()
}

// copyHalfSignal copies one direction, passes the EOF on, and reports.
func copyHalfSignal(w, r net.Conn, errc chan<- error) {
	_, err := io.Copy(w, r)
	w.(*net.TCPConn).CloseWrite()
	errc <- err
}

// copySignal copies one direction and reports; it passes no EOF on.
func copySignal(w, r net.Conn, errc chan<- error) {
	_, err := io.Copy(w, r)
	errc <- err
}

// relay copies both ways and returns when the first direction ends.
func relay(a, b net.Conn) error {
	errc := make(chan error, 2)
	go copySignal(a, b, errc)
	go copySignal(b, a, errc)
	return <-errc
}

// BadRelay closes both conns when relay returns: the other copy still
// reads one of them.
func BadRelay(client, server net.Conn) {
	relay(client, server)
	client.Close() // want `conn client is closed after proxy\.relay returned at its first direction: RST cuts the other short`
	server.Close() // want `conn server is closed after proxy\.relay returned at its first direction: RST cuts the other short`
}

// relayAll copies both ways and returns when both have ended.
func relayAll(a, b net.Conn) {
	errc := make(chan error, 2)
	go copyHalfSignal(a, b, errc)
	go copyHalfSignal(b, a, errc)
	<-errc
	<-errc
}

// GoodRelayAll closes both conns after relayAll.
func GoodRelayAll(client, server net.Conn) {
	relayAll(client, server)
	client.Close()
	server.Close()
}

// dialer is how a proxy reaches its backends: a func field, net.Dial by
// default.
type dialer struct {
	Dial func(network, addr string) (net.Conn, error)
}

// GoodDialerValue is the recommended form written with a dialer value and
// a pipe helper: each direction passes the EOF on, and both are waited for.
func GoodDialerValue(client net.Conn, target string) {
	d := &dialer{Dial: net.Dial}
	server, err := d.Dial("tcp", target)
	if err != nil {
		refuse(client)
		return
	}
	relayAll(client, server)
	client.Close()
	server.Close()
}

// BadDialerValue dials the same way and closes after relay's first
// direction.
func BadDialerValue(client net.Conn, target string) {
	d := &dialer{Dial: net.Dial}
	server, err := d.Dial("tcp", target)
	if err != nil {
		refuse(client)
		return
	}
	relay(client, server)
	client.Close() // want `conn client is closed after proxy\.relay returned at its first direction: RST cuts the other short`
	server.Close() // want `the conn is closed after proxy\.relay returned at its first direction: RST cuts the other short`
}

// closeWriter is what a stream conn can do to pass an EOF on.
type closeWriter interface{ CloseWrite() error }

// copyPassEOF copies one direction and half-closes its destination when
// it can: every TCP and unix conn can, so for a proxy of sockets the EOF
// is always passed on.
func copyPassEOF(dst io.Writer, src io.Reader, errc chan<- error) {
	_, err := io.Copy(dst, src)
	if cw, ok := dst.(closeWriter); ok {
		cw.CloseWrite()
	}
	errc <- err
}

// GoodAssertedCloseWrite passes each EOF on through an interface
// assertion and waits for both directions.
func GoodAssertedCloseWrite(client, server net.Conn) {
	errc := make(chan error, 2)
	go copyPassEOF(server, client, errc)
	go copyPassEOF(client, server, errc)
	for i := 0; i < 2; i++ {
		<-errc
	}
	client.Close()
	server.Close()
}

// copyPassTCPEOF copies src into dst and half-closes dst when it is a
// TCP conn: the idiom of Go proxies.
func copyPassTCPEOF(dst io.Writer, src io.Reader, errc chan<- error) {
	_, err := io.Copy(dst, src)
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	errc <- err
}

// GoodTCPAssertedCloseWrite passes each EOF on through an assertion to
// *net.TCPConn and waits for both directions: the conns are TCP conns,
// so the assertion holds.
func GoodTCPAssertedCloseWrite(client, server *net.TCPConn) {
	errc := make(chan error, 2)
	go copyPassTCPEOF(server, client, errc)
	go copyPassTCPEOF(client, server, errc)
	for i := 0; i < 2; i++ {
		<-errc
	}
	client.Close()
	server.Close()
}

// metered wraps a conn as metering and logging wrappers do: it embeds a
// net.Conn, so it has no CloseWrite and it is no *net.TCPConn.
type metered struct {
	net.Conn
	n int64
}

// BadTCPAssertedWrapped passes each EOF on only where the destination is
// a *net.TCPConn, and copies between wrappers: the assertion fails, and
// neither EOF is passed on.
func BadTCPAssertedWrapped(client, server net.Conn) {
	deadline := time.Now().Add(300 * time.Millisecond)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	c, s := &metered{Conn: client}, &metered{Conn: server}
	errc := make(chan error, 2)
	go copyPassTCPEOF(s, c, errc) // want `the copy into conn server ends without CloseWrite: its peer never sees EOF`
	go copyPassTCPEOF(c, s, errc) // want `the copy into conn client ends without CloseWrite: its peer never sees EOF`
	for i := 0; i < 2; i++ {
		<-errc
	}
	client.Close()
	server.Close()
}

// copyWrongEnd copies src into dst, then half-closes src and shuts dst's
// read side: the wrong ends. dst's peer never gets the EOF, and the other
// direction, which reads dst, sees EOF at once (shutdown(SHUT_RD)) with
// the bytes dst's peer still sends queued: a cut, as a past deadline.
func copyWrongEnd(wg *sync.WaitGroup, dst, src *net.TCPConn) {
	defer wg.Done()
	io.Copy(dst, src)
	src.CloseWrite()
	dst.CloseRead() // want `conn (server|client) is aborted when one copy direction ends: the other gets a reset`
}

// BadWrongEnd waits for both directions, each of which half-closes the
// wrong end.
func BadWrongEnd(client, server *net.TCPConn) {
	deadline := time.Now().Add(300 * time.Millisecond)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	var wg sync.WaitGroup
	wg.Add(2)
	go copyWrongEnd(&wg, server, client)
	go copyWrongEnd(&wg, client, server)
	wg.Wait()
	client.Close()
	server.Close()
}

// passOrAbort copies one direction; at a clean end it passes the EOF on,
// after a failed copy it aborts both conns: the session is broken, and the
// abort costs nothing.
func passOrAbort(dst, src *net.TCPConn, wg *sync.WaitGroup) {
	defer wg.Done()
	if _, err := io.Copy(dst, src); err == nil {
		dst.CloseWrite()
		return
	}
	dst.SetDeadline(time.Now())
	src.SetDeadline(time.Now())
}

// GoodAbortAfterFailure waits for both directions, each of which aborts
// only after its own copy failed.
func GoodAbortAfterFailure(client, server *net.TCPConn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go passOrAbort(server, client, &wg)
	go passOrAbort(client, server, &wg)
	wg.Wait()
	client.Close()
	server.Close()
}

// passOrClose copies one direction from a reader over src (which may
// hold bytes already buffered from it); at a clean end it passes the EOF
// on, after a failed copy it closes both conns: the session is broken,
// and the Closes cut nothing alive.
func passOrClose(dst, src *net.TCPConn, from io.Reader, wg *sync.WaitGroup) {
	defer wg.Done()
	if _, err := io.Copy(dst, from); err == nil {
		dst.CloseWrite()
		return
	}
	dst.Close()
	src.Close()
}

// GoodCloseAfterFailure waits for both directions, each of which closes
// both conns only after its own copy failed.
func GoodCloseAfterFailure(client, server *net.TCPConn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go passOrClose(server, client, bufio.NewReader(client), &wg)
	go passOrClose(client, server, server, &wg)
	wg.Wait()
	client.Close()
	server.Close()
}

// closeBothAfterCopy closes both conns when its copy ends, also at a
// clean end, while the other direction may still be copying.
func closeBothAfterCopy(dst, src *net.TCPConn, from io.Reader, wg *sync.WaitGroup) {
	defer wg.Done()
	io.Copy(dst, from)
	dst.Close() // want `conn dst is closed with input never read: RST may destroy our reply`
	src.Close() // want `conn client is closed when one copy direction ends, while the other uses it: RST`
}

// BadCloseAfterCopy: the first direction to end cuts the other.
func BadCloseAfterCopy(client, server *net.TCPConn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go closeBothAfterCopy(server, client, bufio.NewReader(client), &wg)
	go closeBothAfterCopy(client, server, server, &wg)
	wg.Wait()
}

// GoodWaitAllOrTimeout waits for both directions through a goroutine that
// closes a channel after the WaitGroup's Wait, bounded by a timer.
func GoodWaitAllOrTimeout(client, server net.Conn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go copyHalf(server, client, &wg)
	go copyHalf(client, server, &wg)
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	client.Close()
	server.Close()
}

// BadWaitNoneOrTimeout's goroutine closes the channel before the Wait:
// the select waits for none of the directions. (Its proof's upstream
// streams: with a short exchange the copies may end first, by chance.)
//
//proof:peer feed
func BadWaitNoneOrTimeout(client, server net.Conn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go copyHalf(server, client, &wg)
	go copyHalf(client, server, &wg)
	done := make(chan struct{})
	go func() {
		close(done)
		wg.Wait()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	client.Close() // want `conn client is closed when 0 of its 2 copy goroutines ended: RST cuts the others short`
	server.Close() // want `conn server is closed when 0 of its 2 copy goroutines ended: RST cuts the others short`
}

// refuse closes a client whose backend cannot be reached without a reset:
// it passes the EOF on and reads what the client already sent.
func refuse(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, c)
	c.Close()
}

// dialFailing dials a backend that cannot be reached: its context is
// done before the dial starts, so no packet leaves.
func dialFailing() (net.Conn, error) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var d net.Dialer
	return d.DialContext(ctx, "tcp", "127.0.0.1:9")
}

// BadRefuseOnDialError hands the client conn c to two copy goroutines once its
// backend answers; when the dial fails, it closes the client, whose
// request is already queued: that path is its own, and is judged.
func BadRefuseOnDialError(c net.Conn) {
	server, err := dialFailing()
	if err != nil {
		c.Close() // want `conn c is closed with input never read, nothing written: the peer gets RST, not EOF`
		return
	}
	relayAll(c, server)
	c.Close()
	server.Close()
}

// GoodRefuseOnDialError refuses gracefully when the dial fails.
//
//proof:eof
func GoodRefuseOnDialError(c net.Conn) {
	server, err := dialFailing()
	if err != nil {
		refuse(c)
		return
	}
	relayAll(c, server)
	c.Close()
	server.Close()
}

// rightHalf half-closes the conn it wrote and shuts down reading of the
// one it read to EOF: nothing else reads that one.
func rightHalf(w, r net.Conn, wg *sync.WaitGroup) {
	defer wg.Done()
	io.Copy(w, r)
	w.(*net.TCPConn).CloseWrite()
	r.(*net.TCPConn).CloseRead()
}

// GoodCloseReadOwnHalf passes each EOF on and shuts down reading only
// where it read to EOF: BadWrongEnd's clean twin.
func GoodCloseReadOwnHalf(client, server net.Conn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go rightHalf(server, client, &wg)
	go rightHalf(client, server, &wg)
	wg.Wait()
	client.Close()
	server.Close()
}

// session copies with two goroutines of its own method, which signal
// through a method that sends on the session's channel.
type session struct {
	client, server net.Conn
	errsig         chan bool
}

func (s *session) fail() { s.errsig <- true }

func (s *session) pipe(src, dst io.ReadWriter) {
	buf := make([]byte, 2048)
	for {
		n, err := src.Read(buf)
		if err != nil {
			s.fail()
			return
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			s.fail()
			return
		}
	}
}

func newSession(client, server net.Conn) *session {
	return &session{client: client, server: server, errsig: make(chan bool, 2)}
}

// BadMethodPipes closes both conns when the first direction signals: the
// other is cut short.
func BadMethodPipes(client, server net.Conn) { newSession(client, server).relayFirst() }

func (s *session) relayFirst() {
	defer s.client.Close() // want `conn s\.client is closed when one copy direction ends, while the other uses it: RST`
	defer s.server.Close() // want `conn s\.server is closed when one copy direction ends, while the other uses it: RST`
	go s.pipe(s.client, s.server)
	go s.pipe(s.server, s.client)
	<-s.errsig
}

// halfPipe copies and passes the end on.
func (s *session) halfPipe(src io.Reader, dst *net.TCPConn) {
	io.Copy(dst, src)
	dst.CloseWrite()
	s.fail()
}

// GoodMethodPipes passes each end on and waits for both directions.
func GoodMethodPipes(client, server *net.TCPConn) {
	newSession(client, server).relayBoth(client, server)
}

func (s *session) relayBoth(client, server *net.TCPConn) {
	defer s.client.Close()
	defer s.server.Close()
	go s.halfPipe(client, server)
	go s.halfPipe(server, client)
	<-s.errsig
	<-s.errsig
}

// BadOncePipe closes both conns, once, when the first direction ends,
// through a closure the goroutines share and run with sync.Once: the
// other direction is cut short.
func BadOncePipe(client, server net.Conn) {
	var wg sync.WaitGroup
	var once sync.Once
	closeBoth := func() {
		client.Close() // want `conn client is closed when one copy direction ends, while the other uses it: RST`
		server.Close() // want `conn server is closed when one copy direction ends, while the other uses it: RST`
	}
	wg.Add(2)
	go func() {
		io.Copy(client, server)
		once.Do(closeBoth)
		wg.Done()
	}()
	go func() {
		io.Copy(server, client)
		once.Do(closeBoth)
		wg.Done()
	}()
	wg.Wait()
}

// GoodOncePipe passes each end on, and closes both once both directions
// are done.
func GoodOncePipe(client, server *net.TCPConn) {
	var wg sync.WaitGroup
	var once sync.Once
	closeBoth := func() {
		client.Close()
		server.Close()
	}
	wg.Add(2)
	go func() {
		io.Copy(client, server)
		client.CloseWrite()
		wg.Done()
	}()
	go func() {
		io.Copy(server, client)
		server.CloseWrite()
		wg.Done()
	}()
	wg.Wait()
	once.Do(closeBoth)
}

// outbound is a proxy's own abstraction of where a tunnel goes (a chain of
// hops, a mux, a plain dial): rstlint knows no origin behind its Open, and
// its conn may be no socket.
type outbound interface {
	Open(target string) (net.Conn, error)
}

// tcpOutbound opens plain TCP conns.
type tcpOutbound struct{}

func (tcpOutbound) Open(target string) (net.Conn, error) { return net.Dial("tcp", target) } // want Open:"origin dialed tcp"

// BadOutboundFirstFinisher tears both ends down when the first direction
// ends: the end the outbound opened is cut as a dialed one would be.
func BadOutboundFirstFinisher(client net.Conn, target string) {
	firstFinisherVia(client, tcpOutbound{}, target)
}

func firstFinisherVia(client net.Conn, out outbound, target string) {
	server, err := out.Open(target)
	if err != nil {
		refuse(client)
		return
	}
	defer server.Close() // want `the opened conn is closed when 1 of its 2 copy goroutines ended: that cuts the other short`
	defer client.Close() // want `conn client is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
	errc := make(chan error, 2)
	copyConn := func(dst, src net.Conn) {
		_, err := io.Copy(dst, src)
		errc <- err
	}
	go copyConn(server, client)
	go copyConn(client, server)
	<-errc
}

// GoodOutboundBothDirections passes each EOF on where the end can, and
// waits for both directions.
func GoodOutboundBothDirections(client net.Conn, target string) {
	bothDirectionsVia(client, tcpOutbound{}, target)
}

func bothDirectionsVia(client net.Conn, out outbound, target string) {
	server, err := out.Open(target)
	if err != nil {
		refuse(client)
		return
	}
	defer server.Close()
	defer client.Close()
	errc := make(chan error, 2)
	go copyPassEOF(server, client, errc)
	go copyPassEOF(client, server, errc)
	<-errc
	<-errc
}

// BadRelayInCallee closes the client when its callee returns, and the
// callee returns at the first direction its pipe helper finished: the
// other direction still copies into the client.
func BadRelayInCallee(client net.Conn, target string) {
	defer client.Close() // want `the conn is closed after proxy\.serveRelay returned at its first direction: RST cuts the other short`
	serveRelay(client, tcpOutbound{}, target)
}

func serveRelay(client net.Conn, out outbound, target string) {
	server, err := out.Open(target)
	if err != nil {
		refuse(client)
		return
	}
	defer server.Close() // want `the conn is closed after proxy\.relay returned at its first direction: that cuts the other short`
	relay(client, server)
}

// GoodRelayAllInCallee closes the client when its callee returns, after
// both directions ended, each passing its EOF on.
func GoodRelayAllInCallee(client net.Conn, target string) {
	defer client.Close()
	serveRelayAll(client, tcpOutbound{}, target)
}

func serveRelayAll(client net.Conn, out outbound, target string) {
	server, err := out.Open(target)
	if err != nil {
		refuse(client)
		return
	}
	defer server.Close()
	relayAll(client, server)
}

// redirect is a request to forward a conn elsewhere, handed over with the
// conn in a field, and the way to open the other end in another.
type redirect struct {
	Inbound net.Conn
	Open    func(target string) (net.Conn, error)
	Target  string
}

// BadRedirectFirstFinisher forwards the client through a redirect
// request whose handler tears both ends down at the first direction.
func BadRedirectFirstFinisher(client net.Conn, target string) {
	serveRedirect(&redirect{Inbound: client, Open: tcpOutbound{}.Open, Target: target})
}

func serveRedirect(r *redirect) {
	defer r.Inbound.Close() // want `conn r.Inbound is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
	out, err := r.Open(r.Target)
	if err != nil {
		refuse(r.Inbound)
		return
	}
	defer out.Close() // want `the opened conn is closed when 1 of its 2 copy goroutines ended: that cuts the other short`
	errc := make(chan error, 2)
	copyConn := func(dst, src net.Conn) {
		_, err := io.Copy(dst, src)
		errc <- err
	}
	go copyConn(out, r.Inbound)
	go copyConn(r.Inbound, out)
	<-errc
}

// GoodRedirectBothDirections's handler passes each EOF on and waits for
// both directions.
func GoodRedirectBothDirections(client net.Conn, target string) {
	serveRedirectAll(&redirect{Inbound: client, Open: tcpOutbound{}.Open, Target: target})
}

func serveRedirectAll(r *redirect) {
	defer r.Inbound.Close()
	out, err := r.Open(r.Target)
	if err != nil {
		refuse(r.Inbound)
		return
	}
	defer out.Close()
	errc := make(chan error, 2)
	go copyPassEOF(out, r.Inbound, errc)
	go copyPassEOF(r.Inbound, out, errc)
	<-errc
	<-errc
}

// queuedRedirect is a redirect request queued to a worker, with the conn
// it forwards in a field: no store of this package makes that field an
// owner, so only the proxy rule follows it.
type queuedRedirect struct {
	Open    func(target string) (net.Conn, error)
	Target  string
	Inbound net.Conn
}

// redirectWorker serves the queued requests, each in its goroutine that
// tears both ends down at the first direction, until the queue closes,
// and waits for them.
func redirectWorker(queue <-chan *queuedRedirect) {
	var wg sync.WaitGroup
	for req := range queue {
		wg.Add(1)
		go func(r *queuedRedirect) {
			defer wg.Done()
			defer r.Inbound.Close() // want `conn r.Inbound is closed when 1 of its 2 copy goroutines ended: that cuts the other short`
			out, err := r.Open(r.Target)
			if err != nil {
				return
			}
			defer out.Close() // want `the opened conn is closed when 1 of its 2 copy goroutines ended: that cuts the other short`
			errc := make(chan error, 2)
			copyConn := func(dst, src net.Conn) {
				_, err := io.Copy(dst, src)
				errc <- err
			}
			go copyConn(out, r.Inbound)
			go copyConn(r.Inbound, out)
			<-errc
		}(req)
	}
	wg.Wait()
}

// redirectWorkerAll serves them passing each EOF on and waiting for both
// directions.
func redirectWorkerAll(queue <-chan *queuedRedirect) {
	var wg sync.WaitGroup
	for req := range queue {
		wg.Add(1)
		go func(r *queuedRedirect) {
			defer wg.Done()
			defer r.Inbound.Close()
			out, err := r.Open(r.Target)
			if err != nil {
				return
			}
			defer out.Close()
			errc := make(chan error, 2)
			go copyPassEOF(out, r.Inbound, errc)
			go copyPassEOF(r.Inbound, out, errc)
			<-errc
			<-errc
		}(req)
	}
	wg.Wait()
}

// queued queues one request for the client.
func queued(client net.Conn, target string) <-chan *queuedRedirect {
	queue := make(chan *queuedRedirect, 1)
	queue <- &queuedRedirect{Open: tcpOutbound{}.Open, Target: target, Inbound: client}
	close(queue)
	return queue
}

// BadQueuedRedirect's worker tears both ends down at the first direction.
func BadQueuedRedirect(client net.Conn, target string) { redirectWorker(queued(client, target)) }

// GoodQueuedRedirect's worker passes each EOF on and waits for both.
func GoodQueuedRedirect(client net.Conn, target string) { redirectWorkerAll(queued(client, target)) }

// relayCells relays two conns its goroutine reads from variables
// assigned after the literal is made (cells, not fields): a load of a
// cell is no proxy's end of its own, and nothing is said about them.
func relayCells(l net.Listener, target string) <-chan error {
	var a, b net.Conn
	run := func() <-chan error {
		errc := make(chan error, 1)
		go func() { errc <- relay(a, b) }()
		return errc
	}
	a, _ = l.Accept()
	b, _ = net.Dial("tcp", target)
	return run()
}

// halfCloser is a conn that can half-close: the assertion proxies make
// before they pass an EOF on.
type halfCloser interface {
	CloseWrite() error
}

// GoodCapturedHalfClose asserts each conn to a half-closer before it
// starts its copies, and each copy half-closes its destination where the
// captured ok says it can: the assertion's outcome holds in the goroutine
// as in the function that made it.
func GoodCapturedHalfClose(client, server net.Conn) {
	sc, scOK := server.(halfCloser)
	cc, ccOK := client.(halfCloser)
	errc := make(chan error, 2)
	go func() {
		_, err := io.Copy(server, client)
		if scOK {
			sc.CloseWrite()
		}
		errc <- err
	}()
	go func() {
		_, err := io.Copy(client, server)
		if ccOK {
			cc.CloseWrite()
		}
		errc <- err
	}()
	for i := 0; i < 2; i++ {
		<-errc
	}
	client.Close()
	server.Close()
}

// BadCapturedTCPAssertedWrapped does the same with an assertion to
// *net.TCPConn, and copies between wrappers: the captured ok is false,
// and neither EOF is passed on.
func BadCapturedTCPAssertedWrapped(client, server net.Conn) {
	deadline := time.Now().Add(300 * time.Millisecond)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	var c, s net.Conn = &metered{Conn: client}, &metered{Conn: server}
	st, sOK := s.(*net.TCPConn)
	ct, cOK := c.(*net.TCPConn)
	errc := make(chan error, 2)
	go func() { // want `the copy into conn server ends without CloseWrite: its peer never sees EOF`
		_, err := io.Copy(s, c)
		if sOK {
			st.CloseWrite()
		}
		errc <- err
	}()
	go func() { // want `the copy into conn client ends without CloseWrite: its peer never sees EOF`
		_, err := io.Copy(c, s)
		if cOK {
			ct.CloseWrite()
		}
		errc <- err
	}()
	for i := 0; i < 2; i++ {
		<-errc
	}
	client.Close()
	server.Close()
}

// Relay is a proxied session that holds the conn it serves in a field, as
// a tool's parameter struct does.
type Relay struct {
	Conn net.Conn
}

// NewRelay makes the session of c.
//
//proof:skip a constructor, run by the overrides of Relay.BadPipe and Relay.GoodPipe
func NewRelay(c net.Conn) *Relay { return &Relay{Conn: c} }

// BadPipe copies both ways between the session's conn and w/r, and each
// direction closes the session's conn when it ends: the first one while
// the other still copies it. Each goroutine is given the conn as an
// argument and reaches it through the captured session too: one conn
// under two names.
func (c *Relay) BadPipe(w io.Writer, r io.Reader) { // want BadPipe:"^conn p0[.]Conn returns escaped escapes$"
	c.Conn.SetDeadline(time.Now().Add(300 * time.Millisecond))
	done := make(chan struct{}, 2)
	copyIO := func(dst io.Writer, src io.Reader) {
		io.Copy(dst, src)
		c.Conn.Close() // want `conn c.Conn is closed when one copy direction ends, while the other uses it: RST`
		done <- struct{}{}
	}
	go copyIO(c.Conn, r)
	go copyIO(w, c.Conn)
	<-done
	<-done
}

// GoodPipe passes each end on and closes the session's conn when both
// directions have ended.
func (c *Relay) GoodPipe(w io.Writer, r io.Reader) { // want GoodPipe:"^conn p0[.]Conn closes escaped returns escaped escapes$"
	done := make(chan struct{}, 2)
	copyIO := func(dst io.Writer, src io.Reader) {
		io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		done <- struct{}{}
	}
	go copyIO(c.Conn, r)
	go copyIO(w, c.Conn)
	<-done
	<-done
	c.Conn.Close()
}
