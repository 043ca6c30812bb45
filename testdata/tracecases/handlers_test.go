package tracecases_test

import (
	"net"
	"testing"

	"rstcases/tracecases"

	"github.com/rstlint/rstlint/rsttest"
)

// serveOne runs handler on one conn, accepted from a watched listener
// after the client's 64-byte request reached the server's kernel, records
// the resets in the trace (RSTTEST_TRACE) and returns them.
func serveOne(t *testing.T, handler func(net.Conn)) []rsttest.ResetClose {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	rsttest.SendPending(t, ln, make([]byte, 64))
	var w rsttest.Watcher
	c, err := w.Listener(ln).Accept()
	if err != nil {
		t.Fatal(err)
	}
	handler(c)
	w.Record(t)
	return w.Resets()
}

func TestConfirmed(t *testing.T) {
	if rs := serveOne(t, tracecases.Confirmed); len(rs) != 1 || rs[0].Unread != 60 {
		t.Fatalf("resets %v, want Confirmed's Close with 60 bytes unread", rs)
	}
}

func TestRuntimeOnly(t *testing.T) {
	if rs := serveOne(t, tracecases.RuntimeOnly); len(rs) != 1 || rs[0].Unread != 64 {
		t.Fatalf("resets %v, want finish's Close with 64 bytes unread", rs)
	}
}
