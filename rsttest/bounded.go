package rsttest

import (
	"fmt"
	"runtime/debug"
	"time"
)

// runBounded runs f in a goroutine and waits at most d for it. If f is still
// running then, it calls unblock (if not nil; e.g. closing f's conn so its
// reads fail) and waits one more second. It reports f's panic, if any, with
// its stack, and whether f returned. A goroutine that never returns is left
// behind: nothing can stop it, and the caller reports it.
func runBounded(f func(), d time.Duration, unblock func()) (panicMsg string, returned bool) {
	done := make(chan string, 1)
	go func() {
		defer func() {
			var msg string
			if v := recover(); v != nil {
				msg = fmt.Sprintf("%v\n%s", v, debug.Stack())
			}
			done <- msg
		}()
		f()
	}()
	timer := time.NewTimer(max(d, 0))
	defer timer.Stop()
	select {
	case msg := <-done:
		return msg, true
	case <-timer.C:
	}
	if unblock != nil {
		unblock()
	}
	timer.Reset(time.Second)
	select {
	case msg := <-done:
		return msg, false
	case <-timer.C:
		return "", false
	}
}

// waitFor waits for ch to be closed, at most d; it reports whether it was.
func waitFor(ch <-chan struct{}, d time.Duration) bool {
	timer := time.NewTimer(max(d, 0))
	defer timer.Stop()
	select {
	case <-ch:
		return true
	case <-timer.C:
		return false
	}
}
