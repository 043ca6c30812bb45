package perpath // want package:"hasConnFacts"
// Package perpath holds the cases of per-path ownership: a go statement, a
// send, a store or an unknown call that takes the conn ends the
// obligation to close it gracefully on the paths through it, and on no
// other path. A handler that rejects a bad request with an error reply
// and closes, and hands a good one to a tunnel, is judged on its reject
// path.

import (
	"bufio"
	"io"
	"net"
	"time"
)

// tunnel serves c from here on: it owns c from the go statement on.
func tunnel(c net.Conn) {
	io.WriteString(c, "OK\r\n")
	io.Copy(c, c) // echo to EOF
	c.Close()
}

// command reads a command line, as the handlers below do; false when the
// read failed (the conn's EOF, or a reset).
func command(br *bufio.Reader) (string, bool) {
	line, err := br.ReadString('\n')
	return line, err == nil
}

// BadRejectOrTunnel answers a request it does not know with an error and
// closes, the rest of the request unread; a known one goes to a tunnel
// goroutine, which owns the conn on that path only.
func BadRejectOrTunnel(c net.Conn) {
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil {
		c.Close()
		return
	}
	if line != "TUNNEL\r\n" {
		io.WriteString(c, "ERR unknown command\r\n")
		c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
		return
	}
	go tunnel(c)
}

// GoodRejectOrTunnel is the same handler, with a graceful close on the
// reject path.
//
//proof:raw
func GoodRejectOrTunnel(c net.Conn) {
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil {
		c.Close()
		return
	}
	if line != "TUNNEL\r\n" {
		io.WriteString(c, "ERR unknown command\r\n")
		c.(*net.TCPConn).CloseWrite()
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, br)
		c.Close()
		return
	}
	go tunnel(c)
}

// BadDeferredRejectOrRelay defers the Close. A request it does not know
// gets an error reply, and the deferred Close runs with the rest of the
// request unread: our reply may be lost (unread-close). A known one is
// relayed: a goroutine copies the conn to the upstream, and the function
// copies back. (On that path the deferred Close cuts the goroutine's copy
// short: the proxy rule's finding.) Each problem is reported, and the
// reject of a failed dial beside them.
func BadDeferredRejectOrRelay(c net.Conn) {
	defer c.Close() // want `conn c is closed when one copy direction ends, while the other uses it: RST` `conn c is closed with input read in part, nothing written: the peer gets RST, not EOF` `conn c is closed with input read in part: RST may destroy our reply`
	br := bufio.NewReader(c)
	line, ok := command(br)
	if !ok {
		return
	}
	if line != "RELAY\r\n" {
		io.WriteString(c, "ERR unknown command\r\n")
		return // after the error reply
	}
	up, err := net.Dial("tcp", "127.0.0.1:1")
	if err != nil {
		return // the dial failed
	}
	defer up.Close()
	go io.Copy(up, br)
	io.Copy(c, up)
}

// GoodDeferredRejectOrRelay is BadDeferredRejectOrRelay done right on
// each path: the error reply is followed by a half-close and a drain, and
// the relay passes each end on and waits for both copies.
//
//proof:raw
//proof:eof
func GoodDeferredRejectOrRelay(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	line, ok := command(br)
	if !ok {
		return
	}
	if line != "RELAY\r\n" {
		io.WriteString(c, "ERR unknown command\r\n")
		c.(*net.TCPConn).CloseWrite()
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, br)
		return
	}
	relayOrDrain(c, br)
}

// relayOrDrain relays the client, read through in, to the backend: it
// passes each end on and waits for both copies. When the backend refuses,
// it drains the client.
func relayOrDrain(c net.Conn, in io.Reader) {
	up, err := net.Dial("tcp", backendAddr)
	if err != nil {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, in)
		return
	}
	defer up.Close()
	relayBoth(c, up, in)
}

// relayBoth copies the client, read through in, to up and back, passes
// each end on, and waits for both copies.
func relayBoth(c, up net.Conn, in io.Reader) {
	done := make(chan struct{})
	go func() {
		io.Copy(up, in)
		up.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(c, up)
	c.(*net.TCPConn).CloseWrite()
	<-done
}

// BadRejectOrSink hands a known request's conn to a goroutine started
// inline, and closes an unknown one after the error reply.
func BadRejectOrSink(c net.Conn) {
	br := bufio.NewReader(c)
	line, ok := command(br)
	if !ok {
		c.Close()
		return
	}
	if line != "SINK\r\n" {
		io.WriteString(c, "ERR unknown command\r\n")
		c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
		return
	}
	go io.Copy(io.Discard, br)
}

// BadRejectOrStore keeps a good conn in a session (a store), and closes
// a rejected one with the request unread.
func BadRejectOrStore(c net.Conn) {
	br := bufio.NewReader(c)
	line, ok := command(br)
	if !ok {
		c.Close()
		return
	}
	if line != "HELLO\r\n" {
		io.WriteString(c, "ERR say hello\r\n")
		c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
		return
	}
	sessions.Store(c)
}

// GoodAllHandedOn hands the conn on on every path: nothing to judge.
//
//proof:skip the conn leaves the function on every path: silence by design, whatever its new owner does
func GoodAllHandedOn(c net.Conn) {
	br := bufio.NewReader(c)
	if _, ok := command(br); ok {
		sessions.Store(c)
		return
	}
	go tunnel(c)
}

// store keeps conns for later: an unknown owner.
type store struct{ conns chan net.Conn }

// Store keeps c.
func (s *store) Store(c net.Conn) { s.conns <- c }

var sessions = &store{conns: make(chan net.Conn, 100)}

// backendAddr is no address: the dial fails before it sends anything (a
// refused dial would count its own RST in the proof).
const backendAddr = ""

// BadDialOrCut relays to a backend. When the backend refuses, the
// deferred Close rejects the client's first bytes; when it answers, the
// same Close, after the function's own copy ends, cuts the goroutine's
// copy of the client's rest. Both problems are reported at the Close.
func BadDialOrCut(c net.Conn) {
	defer c.Close() // want `closed with input never read, nothing written: the peer gets RST, not EOF` `closed when one copy direction ends, while the other uses it: RST`
	up, err := net.Dial("tcp", backendAddr)
	if err != nil {
		return
	}
	defer up.Close()
	go io.Copy(up, c)
	io.Copy(c, up)
}

// GoodDialOrWait drains the client when the backend refuses, and passes
// each end on and waits for both copies when it answers.
//
//proof:eof
func GoodDialOrWait(c net.Conn) {
	defer c.Close()
	relayOrDrain(c, c)
}

// BadReplyOrRelayInHelper hands its conn, after the command, to a helper
// that either writes an error reply (the backend refused) or relays
// until the first direction ends. The deferred Close destroys the reply
// on the paths where the helper left no copy running, and cuts the relay
// on the others: each is reported.
func BadReplyOrRelayInHelper(c net.Conn) {
	defer c.Close() // want `the conn is closed after replyOrRelay returned at its first direction: RST cuts the other short` `conn c is closed with input read in part: RST may destroy our reply`
	br := bufio.NewReader(c)
	if _, ok := command(br); !ok {
		return
	}
	replyOrRelay(c, br)
}

// replyOrRelay answers with an error when the backend refuses, or relays
// the client, read through in, and returns when one direction ends.
func replyOrRelay(c net.Conn, in io.Reader) {
	up, err := net.Dial("tcp", backendAddr)
	if err != nil {
		io.WriteString(c, "ERR backend refused\r\n")
		return
	}
	defer up.Close() // want `the dialed conn is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
	errc := make(chan error, 2)
	go func() {
		_, err := io.Copy(up, in)
		errc <- err
	}()
	go func() {
		_, err := io.Copy(c, up)
		errc <- err
	}()
	<-errc
}

// GoodReplyOrRelayInHelper is BadReplyOrRelayInHelper done right in its
// helper: the error reply is followed by a half-close and a drain, and
// the relay passes each end on and waits for both copies.
//
//proof:raw
//proof:eof
func GoodReplyOrRelayInHelper(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	if _, ok := command(br); !ok {
		return
	}
	replyOrRelayAll(c, br)
}

// replyOrRelayAll is replyOrRelay, graceful on each path.
func replyOrRelayAll(c net.Conn, in io.Reader) {
	up, err := net.Dial("tcp", backendAddr)
	if err != nil {
		io.WriteString(c, "ERR backend refused\r\n")
		c.(*net.TCPConn).CloseWrite()
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, in)
		return
	}
	defer up.Close()
	relayBoth(c, up, in)
}

// BadRejectOrDialFails closes, deferred, after the peer's header fails
// its check (a probe sees the reset at a fixed offset) and after the
// upstream cannot be reached (an address without a port: the dial fails
// at once): two rejects, each with its own drain to add, each reported.
func BadRejectOrDialFails(c net.Conn) { // want BadRejectOrDialFails:"^conn p0 closes unread,unread:rj,done returns closed uses reads drains$"
	defer c.Close() // want `conn c is closed after rejecting its input, nothing written: the peer gets RST, not EOF` `conn c is closed with input read in part, nothing written: the peer gets RST, not EOF`
	h := make([]byte, 4)
	if _, err := io.ReadFull(c, h); err != nil {
		return
	}
	if string(h) != "RST1" {
		return // the check failed
	}
	up, err := net.Dial("tcp", "127.0.0.1")
	if err != nil {
		return // the dial failed
	}
	defer up.Close()
	io.Copy(up, c)
}

// GoodRejectOrDialFails reads the peer's input to its end on both paths.
//
//proof:eof
func GoodRejectOrDialFails(c net.Conn) { // want GoodRejectOrDialFails:"^conn p0 closes done returns closed uses reads drains$"
	defer c.Close()
	h := make([]byte, 4)
	if _, err := io.ReadFull(c, h); err != nil {
		return
	}
	if string(h) != "RST1" {
		io.Copy(io.Discard, c)
		return
	}
	up, err := net.Dial("tcp", "127.0.0.1")
	if err != nil {
		io.Copy(io.Discard, c)
		return
	}
	defer up.Close()
	io.Copy(up, c)
}
