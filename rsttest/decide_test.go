//go:build !plan9

package rsttest

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestResultRules checks the evidence rules on evidence, without sockets.
func TestResultRules(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the FIN rules need Linux's probes")
	}
	reset := fmt.Errorf("read: %w", syscall.ECONNRESET)
	ns := "private network namespace (test)"
	measured := func(unread int, linger bool) closeMeasure { return closeMeasure{unread: unread, lingerZero: linger} }
	cases := []struct {
		name     string
		o        evidence
		want     Verdict
		inferred bool
		evidence string
	}{
		{"peer reset proves RST",
			evidence{network: "tcp", peer: PeerResult{ReadErr: reset}},
			RST, false, "peer Read after 0 bytes: connection reset by peer"},
		{"counters prove RST",
			evidence{network: "tcp", netns: true, netnsWhy: ns, counters: Counters{"OutRsts": 1, "TCPAbortOnClose": 1}, peer: PeerResult{State: "CLOSE_WAIT"}},
			RST, false, "OutRsts+1 TCPAbortOnClose+1 in a private"},
		{"counters prove FIN",
			evidence{network: "tcp", netns: true, netnsWhy: ns, counters: Counters{"OutRsts": 0}, peer: PeerResult{State: "CLOSE_WAIT"}},
			FIN, false, "OutRsts+0 TCPAbortOn*+0"},
		{"EOF alone is not FIN",
			evidence{network: "tcp", netnsWhy: "no private network namespace: x", peer: PeerResult{State: "CLOSE_WAIT"}, notMeasured: "Close not measured (x)"},
			Unknown, false, "does not prove FIN"},
		{"measured clean close infers FIN",
			evidence{network: "tcp", measured: true, m: measured(0, false), queued: 3, closedBy: "handler", peer: PeerResult{State: "CLOSE_WAIT"}},
			FIN, true, "inferred: 3 bytes queued"},
		{"unread bytes without a reset seen is Unknown",
			evidence{network: "tcp", measured: true, m: measured(5, false), peer: PeerResult{State: "CLOSE_WAIT"}},
			Unknown, false, "predicts RST"},
		{"CLOSE after the peer's own FIN proves nothing",
			evidence{network: "tcp", measured: true, m: measured(0, false), peerHalfClosed: true, peer: PeerResult{State: "CLOSE"}},
			FIN, true, "(it had half-closed)"},
		{"CLOSE without the peer's FIN is an RST",
			evidence{network: "tcp", peer: PeerResult{State: "CLOSE"}},
			RST, false, "state CLOSE"},
		{"SO_ERROR after EOF is an RST",
			evidence{network: "tcp", peer: PeerResult{State: "CLOSE_WAIT", AfterClose: syscall.EPIPE}},
			RST, false, "(SO_ERROR): broken pipe"},
		{"unix read after the close decides",
			evidence{network: "unix", peer: PeerResult{AfterClose: syscall.ECONNRESET}},
			RST, false, "peer Read after the Close"},
		{"unix EOF twice is FIN",
			evidence{network: "unix", peer: PeerResult{}},
			FIN, false, "EOF again after the Close"},
		{"a timeout is Unknown",
			evidence{network: "tcp", problems: []string{"the handler did not return within 5s"}},
			Unknown, false, "did not return"},
		{"a read error that is no reset is Unknown",
			evidence{network: "tcp", peer: PeerResult{ReadErr: errors.New("i/o timeout")}},
			Unknown, false, "not EOF"},
		{"moved abort counters without RST are Unknown",
			evidence{network: "tcp", netns: true, counters: Counters{"OutRsts": 0, "TCPAbortOnMemory": 1}},
			Unknown, false, "abort counters moved"},
	}
	for _, c := range cases {
		r := c.o.result()
		if r.Verdict != c.want || r.Inferred != c.inferred || !strings.Contains(r.Evidence, c.evidence) {
			t.Errorf("%s: got %v inferred=%v, want %v inferred=%v with %q", c.name, r, r.Inferred, c.want, c.inferred, c.evidence)
		}
		// NoNetns says why there was no namespace, and only then.
		if want := map[bool]string{true: "", false: c.o.netnsWhy}[c.o.netns]; r.NoNetns != want {
			t.Errorf("%s: NoNetns = %q, want %q", c.name, r.NoNetns, want)
		}
	}
}
