package findtest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rstlint/rstlint/rsttest"
)

// Outcome is what one connection of a scenario showed.
type Outcome struct {
	// Result is rsttest's verdict on the connection: the RSTs the kernel
	// sent (counted in the test's private network namespace) and what the
	// client saw.
	Result rsttest.Result
	// Written is what the code under test wrote to the conn; Received what
	// the client's reads returned.
	Written, Received int64
	// Complete says whether the client got everything, in the protocol's
	// terms (every answer, the whole stream and its end); Detail says what
	// it got, in those terms.
	Complete bool
	Detail   string
}

// Lost is what the code under test wrote that the client never received.
func (o Outcome) Lost() int64 { return o.Written - o.Received }

func (o Outcome) String() string {
	return fmt.Sprintf("kernel=%v, wrote %d B, client received %d B (lost %d B): %s",
		o.Result.Verdict, o.Written, o.Received, o.Lost(), o.Detail)
}

// Tally checks and sums the outcomes of a scenario: without the fix each
// connection must end in RST and lose data, with it in FIN with nothing lost.
type Tally struct {
	Fixed bool
	n     int
	rst   int
	lost  []int64
	first string
}

// Add checks one outcome. An Unknown verdict (the kernel could not be
// observed) skips the test, or fails it in CI (see Unobservable).
func (ta *Tally) Add(t testing.TB, o Outcome) {
	t.Helper()
	ta.n++
	if ta.first == "" {
		ta.first = o.Result.String()
	}
	switch o.Result.Verdict {
	case rsttest.Unknown:
		Unobservable(t, "%s", o.Result.Evidence)
	case rsttest.RST:
		ta.rst++
	}
	ta.lost = append(ta.lost, o.Lost())
	t.Logf("connection %d: %v", ta.n, o)
	if ta.Fixed {
		if o.Result.Verdict != rsttest.FIN || o.Lost() != 0 || !o.Complete {
			t.Errorf("connection %d, with the fix: want FIN and nothing lost, got %v\n\t%v", ta.n, o, o.Result)
		}
		return
	}
	if o.Result.Verdict != rsttest.RST || o.Lost() <= 0 || o.Complete {
		t.Errorf("connection %d, without the fix: want RST and data lost, got %v\n\t%v", ta.n, o, o.Result)
	}
}

// Report logs the measurement: RSTs and bytes lost over the connections.
func (ta *Tally) Report(t testing.TB) {
	t.Helper()
	if ta.n == 0 {
		return
	}
	lo, hi, sum := ta.lost[0], ta.lost[0], int64(0)
	for _, l := range ta.lost {
		lo, hi, sum = min(lo, l), max(hi, l), sum+l
	}
	how := "without the fix"
	if ta.Fixed {
		how = "with the fix"
	}
	t.Logf("MEASURED %s: %d/%d connections RST, %d/%d FIN; bytes lost per connection: min %d, mean %d, max %d\n\tfirst: %s",
		how, ta.rst, ta.n, ta.n-ta.rst, ta.n, lo, sum/int64(ta.n), hi, ta.first)
}

// Resets logs the resetting Closes the listener's Watcher recorded, with the
// frames of the stack that are not the standard library's or the test's.
func (l *Listener) Resets(t testing.TB, module string) int {
	t.Helper()
	rs := l.W.Resets()
	for i, r := range rs {
		if i == 1 {
			break // one is enough to place it
		}
		var frames []string
		lines := strings.Split(r.Stack, "\n")
		for j := 0; j+1 < len(lines); j += 2 {
			if fn, loc := lines[j], strings.TrimSpace(lines[j+1]); strings.HasPrefix(fn, module) {
				frames = append(frames, fmt.Sprintf("%s (%s)", fn, filepath.Base(loc)))
			}
		}
		t.Logf("resetting Close (rsttest.Watcher): %d bytes unread, linger0=%v, in %s", r.Unread, r.LingerZero, strings.Join(frames, " <- "))
	}
	return len(rs)
}
