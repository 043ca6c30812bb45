package tracecases // want package:"hasConnFacts"

// tracecases is the test of rstlint -trace: three handlers, whose
// tests (handlers_test.go) record their resets with rsttest, and whose
// expectations say what rstlint reports with that trace
// (analyzer/trace_test.go):
//
//   - Confirmed: rstlint flags it, and its test makes it reset;
//   - Unexercised: rstlint flags it, and no test runs it;
//   - RuntimeOnly: rstlint misses it (the conn goes to a function value),
//     and its test makes it reset.

import (
	"io"
	"net"
)

// Confirmed reads a 4-byte header, answers, and closes with the rest of
// the request unread.
//
//proof:skip runtime-trace cases: their own tests run them on the kernel with rsttest and record the resets
func Confirmed(c net.Conn) { // want Confirmed:"^conn p0 closes unread:w returns closed uses reads writes$"
	// confirmed: reset seen in TestConfirmed (60 bytes unread)
	defer c.Close() // want `is closed with input read in part: RST may destroy our reply`
	hdr := make([]byte, 4)
	io.ReadFull(c, hdr)
	c.Write([]byte("ok\n"))
}

// Unexercised is Confirmed's shape, with no test.
//
//proof:skip runtime-trace cases: their own tests run them on the kernel with rsttest and record the resets
func Unexercised(c net.Conn) { // want Unexercised:"^conn p0 closes unread:w returns closed uses reads writes$"
	hdr := make([]byte, 4)
	io.ReadFull(c, hdr)
	c.Write([]byte("ok\n"))
	c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
}

// finish is a function value: rstlint does not follow a conn into it.
var finish = func(c net.Conn) {
	c.Close() // want `a Close here reset its conn in TestRuntimeOnly \(64 bytes unread\); rstlint did not predict it`
}

// RuntimeOnly answers without reading and hands the conn to finish.
//
//proof:skip runtime-trace cases: their own tests run them on the kernel with rsttest and record the resets
func RuntimeOnly(c net.Conn) {
	c.Write([]byte("ok\n"))
	finish(c)
}
