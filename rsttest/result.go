package rsttest

import (
	"fmt"
	"testing"
)

// Result is what a scenario observed about the close of the connection under test.
type Result struct {
	// Verdict is RST, FIN or Unknown.
	Verdict Verdict
	// Evidence says what proved the verdict, or why none could be reached.
	Evidence string
	// Inferred is true when the verdict rests on inference (no kernel
	// counters, no error seen by the peer), e.g. FIN outside a private
	// network namespace.
	Inferred bool

	// Network is "tcp" or "unix".
	Network string
	// Netns is true when the scenario ran in a private network namespace,
	// where the kernel's RST counters belong to this test alone.
	Netns bool
	// NoNetns says why it did not ("no private network namespace:
	// RSTTEST_NETNS=off"), "" when it did: the usual reason for an Unknown
	// verdict, short enough to group skipped tests by.
	NoNetns string
	// Counters holds the counter deltas over the scenario (Tcp OutRsts and the
	// TcpExt TCPAbortOn* counters), read only in a private network namespace
	// and only for tcp; nil otherwise.
	Counters Counters

	// Queued is the number of bytes in the handler's receive queue (SIOCINQ)
	// when RunServer handed it the conn: the peer's pipelined input. -1 when
	// not measured (RunClient, or not Linux).
	Queued int
	// Unread is the number of bytes still in the receive queue (SIOCINQ) when
	// the conn under test was closed. -1 when the close could not be measured:
	// ServerScenario.Raw, RunClient (the client dials its own conn), or not Linux.
	Unread int
	// LingerZero is true when SO_LINGER was on with 0 seconds at the close
	// (only meaningful when Unread >= 0).
	LingerZero bool
	// ClosedBy says who closed the conn under test: "handler", "client", or
	// "runner" when the handler returned without closing it.
	ClosedBy string

	// Peer is what the scripted peer saw.
	Peer PeerResult
	// ClientErr is what the client function returned (RunClient only).
	ClientErr error
}

// PeerResult is what the scripted peer's reads and writes returned.
type PeerResult struct {
	// Sent is the number of bytes of the peer's Send it wrote.
	Sent int
	// WriteErr is the error of the peer's write, if any (ECONNRESET or EPIPE
	// prove that the other side reset the connection).
	WriteErr error
	// Received is the number of bytes the peer read.
	Received int
	// ReadErr is the error that ended the peer's reading; nil when it ended
	// cleanly at EOF.
	ReadErr error
	// State is, for tcp on Linux, the TCP state of the peer's socket after the
	// conn under test was closed and before the peer closed its own. Unless
	// the peer half-closed, "CLOSE" means it received an RST and "CLOSE_WAIT"
	// that it got only a FIN.
	State string
	// AfterClose is what the peer's socket reported after the conn under test
	// was closed: for tcp its pending error (getsockopt SO_ERROR), which an
	// RST arriving after the peer's last read leaves set; for unix what one
	// more read returned (Linux sets ECONNRESET on the peer in a close with
	// unread input, and a read reports it before EOF). nil: nothing pending, or EOF.
	AfterClose error
}

// String summarises the result as "kernel=RST evidence=...".
func (r Result) String() string {
	return fmt.Sprintf("kernel=%v evidence=%s", r.Verdict, r.Evidence)
}

// Expect logs r and checks its verdict: it skips the test when the verdict is
// Unknown (with the reason), and fails it when the verdict differs from want.
func (r Result) Expect(t testing.TB, want Verdict) {
	t.Helper()
	t.Log(r.String())
	switch r.Verdict {
	case want:
	case Unknown:
		t.Skipf("rsttest: cannot tell whether the close sent RST or FIN: %s", r.Evidence)
	default:
		t.Errorf("rsttest: kernel=%v, want %v (evidence: %s)", r.Verdict, want, r.Evidence)
	}
}
