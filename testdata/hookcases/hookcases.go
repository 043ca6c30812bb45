package hookcases // want package:"hasConnFacts"

// hookcases is the proof of rstlint-test: a package that knows
// nothing of rstlint, whose plain tests (hookcases_test.go, no rsttest)
// make Closes reset in each of the three places rstlint-test tells apart:
// the program, the test files, and the standard library (net/http's
// server). integration/nethook.sh copies it into a module that has never
// heard of rstlint, runs rstlint-test there on each supported toolchain,
// and checks the summary and what rstlint -trace makes of the trace.

import (
	"io"
	"net"
)

// Confirmed reads a 4-byte header, answers, and closes with the rest of
// the request unread: rstlint warns, and the run confirms it.
//
//proof:skip rstlint-test's proof: its own plain tests run it on the kernel, recorded by the net hook (integration/nethook.sh)
func Confirmed(c net.Conn) { // want Confirmed:"^conn p0 closes unread:w returns closed uses reads writes$"
	defer c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
	hdr := make([]byte, 4)
	io.ReadFull(c, hdr)
	c.Write([]byte("ok\n"))
}

// finish is a function value: rstlint does not follow a conn into it.
var finish = func(c net.Conn) {
	c.Close()
}

// RuntimeOnly answers without reading and hands the conn to finish: its
// reset is one rstlint does not predict (runtime-only).
//
//proof:skip rstlint-test's proof: its own plain tests run it on the kernel, recorded by the net hook (integration/nethook.sh)
func RuntimeOnly(c net.Conn) {
	c.Write([]byte("ok\n"))
	finish(c)
}
