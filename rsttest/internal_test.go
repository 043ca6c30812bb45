package rsttest

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseProcNet(t *testing.T) {
	const snmp = "Ip: Forwarding DefaultTTL\nIp: 1 64\nTcp: RtoAlgorithm ActiveOpens OutRsts InCsumErrors\nTcp: 1 10 7 0\n"
	const netstat = "TcpExt: SyncookiesSent TCPAbortOnData TCPAbortOnClose\nTcpExt: 0 2 3\nIpExt: InNoRoutes\nIpExt: 0\n"
	c := Counters{}
	for _, s := range []string{snmp, netstat} {
		if err := parseProcNet(c, strings.NewReader(s)); err != nil {
			t.Fatal(err)
		}
	}
	want := Counters{"OutRsts": 7, "TCPAbortOnData": 2, "TCPAbortOnClose": 3}
	if fmt.Sprint(c) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", c, want)
	}
	d := c.sub(Counters{"OutRsts": 5, "TCPAbortOnData": 2, "TCPAbortOnClose": 2})
	if got := d.String(); got != "OutRsts+2 TCPAbortOnClose+1" {
		t.Errorf("delta %q", got)
	}
}

func TestRunPattern(t *testing.T) {
	for name, want := range map[string]string{
		"TestX":            "^TestX$",
		"TestX/a.b#01":     `^TestX$/^a\.b#01$`,
		"TestX/sub/[x](y)": `^TestX$/^sub$/^\[x\]\(y\)$`,
	} {
		if got := runPattern(name); got != want {
			t.Errorf("runPattern(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestChildOutcome(t *testing.T) {
	out := "=== RUN   TestX\n=== RUN   TestX/a\n    x_test.go:1: kernel=RST\n--- PASS: TestX (0.00s)\n    --- SKIP: TestX/a (0.00s)\n        x_test.go:2: why\nPASS\n"
	if s, log := childOutcome(out, "TestX/a"); s != "SKIP" || !strings.Contains(log, "why") || strings.Contains(log, "---") {
		t.Errorf("got %q %q", s, log)
	}
	if s, _ := childOutcome("panic: boom\nFAIL\tpkg\t0.1s\n", "TestX"); s != "FAIL" {
		t.Errorf("a crash: %q", s)
	}
	if s, _ := childOutcome("testing: warning: no tests to run\nPASS\n", "TestX"); s != "" {
		t.Errorf("nothing ran: %q", s)
	}
}
