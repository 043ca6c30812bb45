// Package findtest holds what the findings' tests share: a client that
// reads slowly, a listener whose conns report what the code under test
// did with them, the run of a test against a module patched with its fix,
// and the rule that a finding which cannot be observed fails in CI.
//
// # Why a slow client
//
// Closing a TCP socket with input unread, or receiving data after the
// close, makes Linux send RST and discard the socket's send queue: the
// bytes the program wrote that the peer has not yet received. On loopback
// a small write is delivered within the write(2) itself, so the loss shows
// only when the tail is still queued at the close, as it is on a real
// network whenever the peer reads slower than the program writes or the
// tail is beyond what is in flight. DialSlow makes that state certain: its
// receive buffer is small and its reads are held until the test releases
// them, after the code under test has stopped writing.
package findtest

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// Wait bounds every wait of a scenario: generous, for a loaded machine.
const Wait = 60 * time.Second

// EnvStrict set to a non-empty value (CI sets it) makes a finding that
// cannot be observed fail instead of skip; the name is the one the
// repository's proof table uses.
const EnvStrict = "RSTLINT_PROOF_STRICT"

// Unobservable skips t with the reason, or fails it when EnvStrict is set:
// in CI the kernel can be observed, so a finding that is not is a broken
// runner, not a pass.
func Unobservable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(EnvStrict) != "" {
		t.Fatalf("cannot observe the kernel (%s is set, so this fails): %s", EnvStrict, msg)
	}
	t.Skipf("cannot observe the kernel: %s", msg)
}

// EnvTrials overrides the number of connections each scenario runs.
const EnvTrials = "FINDINGS_TRIALS"

// Trials returns the number of connections a scenario runs: 3, or
// FINDINGS_TRIALS (at most 200) for a measurement.
func Trials(t testing.TB) int {
	t.Helper()
	s := os.Getenv(EnvTrials)
	if s == "" {
		return 3
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 200 {
		t.Fatalf("%s=%q: want a number from 1 to 200", EnvTrials, s)
	}
	return n
}

// waitFor waits for ch to be closed, at most Wait.
func waitFor(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	timer := time.NewTimer(Wait)
	defer timer.Stop()
	select {
	case <-ch:
	case <-timer.C:
		t.Fatalf("%s: not within %v", what, Wait)
	}
}

// ModuleVersion returns the version of module that go.mod requires (with
// the fix, the test runs on a patched copy of that version).
func ModuleVersion(t *testing.T, module string) string {
	t.Helper()
	return goOut(t, "list", "-m", "-f", "{{.Version}}", module)
}
