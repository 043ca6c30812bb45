package traceforms // want package:"hasConnFacts" package:"delegatedCloses"

// traceforms holds each form in which a Close appears differently
// to rstlint and in a runtime stack, for rstlint -trace to match: each
// handler reads a 4-byte header of a longer request, answers and closes,
// and its test (forms_test.go) makes it reset. Graceful, the clean twin,
// reads to EOF: nothing resets, nothing is reported.

import (
	"io"
	"net"

	"rstcases/traceforms/closer"
)

func header(c net.Conn) {
	io.ReadFull(c, make([]byte, 4))
	c.Write([]byte("ok\n"))
}

// Direct closes where the stack's frame names the Close.
//
//proof:skip runtime-trace cases: their own tests run them on the kernel with rsttest and record the resets
func Direct(c net.Conn) { // want Direct:"^conn p0 closes unread:w returns closed uses reads writes$"
	header(c)
	// confirmed: reset seen in TestForms/Direct (60 bytes unread)
	c.Close() // want `is closed with input read in part: RST may destroy our reply`
}

// Deferred closes at its return: the frame names the return statement.
//
//proof:skip runtime-trace cases: their own tests run them on the kernel with rsttest and record the resets
func Deferred(c net.Conn) { // want Deferred:"^conn p0 closes unread:w returns closed uses reads writes$"
	// confirmed: reset seen in TestForms/Deferred (60 bytes unread)
	defer c.Close() // want `is closed with input read in part: RST may destroy our reply`
	header(c)
	if c == nil {
		return
	}
	c.Write([]byte("more\n"))
	return
}

// closeConn closes c for its caller.
func closeConn(c net.Conn) {
	c.Close()
}

// Helper closes in a helper: rstlint reports the call, the frame out of
// the helper names it.
//
//proof:skip runtime-trace cases: their own tests run them on the kernel with rsttest and record the resets
func Helper(c net.Conn) { // want Helper:"^conn p0 closes unread:w returns closed uses reads writes$"
	header(c)
	// confirmed: reset seen in TestForms/Helper (60 bytes unread)
	closeConn(c) // want `is closed by traceforms\.closeConn with input read in part: RST may destroy our reply`
}

// DeferredHelper defers the helper: the frame out of it names the brace.
//
//proof:skip runtime-trace cases: their own tests run them on the kernel with rsttest and record the resets
func DeferredHelper(c net.Conn) { // want DeferredHelper:"^conn p0 closes unread:w returns closed uses reads writes$"
	// confirmed: reset seen in TestForms/DeferredHelper (60 bytes unread)
	defer closeConn(c) // want `is closed by traceforms\.closeConn with input read in part: RST may destroy our reply`
	header(c)
}

// CrossPackage closes in a helper of another package.
//
//proof:skip runtime-trace cases: their own tests run them on the kernel with rsttest and record the resets
func CrossPackage(c net.Conn) { // want CrossPackage:"^conn p0 closes unread:w returns closed uses reads writes$"
	header(c)
	// confirmed: reset seen in TestForms/CrossPackage (60 bytes unread)
	closer.Close(c) // want `is closed by closer\.Close with input read in part: RST may destroy our reply`
}

// Goroutine closes in a goroutine literal.
//
//proof:skip runtime-trace cases: their own tests run them on the kernel with rsttest and record the resets
func Goroutine(c net.Conn) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		header(c)
		// confirmed: reset seen in TestForms/Goroutine (60 bytes unread)
		c.Close() // want `is closed with input read in part: RST may destroy our reply`
	}()
	<-done
}

// Graceful reads the request to EOF before closing.
//
//proof:skip runtime-trace cases: their own tests run them on the kernel with rsttest and record the resets
func Graceful(c net.Conn) { // want Graceful:"^conn p0 closes done:w:hc returns closed uses reads writes drains$"
	header(c)
	c.(*net.TCPConn).CloseWrite()
	io.Copy(io.Discard, c)
	c.Close()
}
