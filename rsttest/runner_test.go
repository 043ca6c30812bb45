package rsttest_test

import (
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rstlint/rstlint/rsttest"
)

// TestRunnerBounds: code under test that misbehaves ends in Unknown or a
// stated fallback within the scenario's Timeout, leaking nothing.
func TestRunnerBounds(t *testing.T) {
	t.Setenv("RSTTEST_NETNS", "off")
	srv := rsttest.ServerScenario{Peer: rsttest.ClientPeer{Send: pipelined}, Timeout: 300 * time.Millisecond}
	cli := rsttest.ClientScenario{Timeout: srv.Timeout}

	t.Run("handler-hangs", func(t *testing.T) {
		checkLeaks(t)
		start := time.Now()
		// Reads until EOF, which the peer never sends: only the runner's
		// Close after the Timeout ends it.
		res := rsttest.RunServer(t, srv, func(c net.Conn) { io.Copy(io.Discard, c) })
		if res.Verdict != rsttest.Unknown || !strings.Contains(res.Evidence, "did not return within") {
			t.Errorf("got %v", res)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("handler-does-not-close", func(t *testing.T) {
		checkLeaks(t)
		res := rsttest.RunServer(t, srv, func(net.Conn) {})
		if !strings.HasPrefix(res.ClosedBy, "runner") || res.Unread != len(pipelined) || res.Verdict != rsttest.RST {
			t.Errorf("got %v, closed by %q", res, res.ClosedBy)
		}
	})
	t.Run("client-never-dials", func(t *testing.T) {
		checkLeaks(t)
		res := rsttest.RunClient(t, cli, func(string) error { return nil })
		if res.Verdict != rsttest.Unknown || !strings.Contains(res.Evidence, "never connected") {
			t.Errorf("got %v", res)
		}
	})
	t.Run("bad-network", func(t *testing.T) {
		ft := &fakeTB{name: t.Name()}
		done := make(chan struct{})
		go func() { // Fatalf ends the goroutine, as it ends a test
			defer close(done)
			rsttest.RunServer(fatalTB{ft}, rsttest.ServerScenario{Network: "udp"}, func(net.Conn) {})
		}()
		<-done
		if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], `network "udp"`) {
			t.Errorf("got %v", ft)
		}
	})
}

// fatalTB is a fakeTB whose Fatalf records and ends the goroutine.
type fatalTB struct{ *fakeTB }

func (f fatalTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}
