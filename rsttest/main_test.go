package rsttest_test

import (
	"net"
	"os"
	"runtime"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// Start the runtime's network poller (its epoll and event descriptors
	// stay open) before any test counts its open descriptors.
	if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
	}
	os.Exit(m.Run())
}

// checkLeaks fails t if, when t ends, more goroutines run or more file
// descriptors are open than when checkLeaks was called. Goroutines and
// descriptors take a moment to go away after a Close, so the check retries,
// at most 100 times over at most 2s.
func checkLeaks(t *testing.T) {
	t.Helper()
	g0, fd0 := runtime.NumGoroutine(), openFDs(t)
	t.Cleanup(func() {
		var g, fd int
		wait := 100 * time.Microsecond
		deadline := time.Now().Add(2 * time.Second)
		for i := 0; i < 100; i++ {
			g, fd = runtime.NumGoroutine(), openFDs(t)
			if (g <= g0 && fd <= fd0) || time.Now().After(deadline) {
				break
			}
			time.Sleep(wait)
			wait = min(2*wait, 50*time.Millisecond)
		}
		if g > g0 {
			buf := make([]byte, 1<<16)
			t.Errorf("goroutines: %d before, %d after:\n%s", g0, g, buf[:runtime.Stack(buf, true)])
		}
		if fd > fd0 {
			t.Errorf("open file descriptors: %d before, %d after", fd0, fd)
		}
	})
}

// openFDs counts this process's open descriptors (-1 where /proc is absent).
func openFDs(t *testing.T) int {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(es)
}
