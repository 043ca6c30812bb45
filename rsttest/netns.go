package rsttest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment variables of the re-exec protocol.
const (
	// envChild is set in the re-executed test binary to the name of the test
	// that asked for a private network namespace.
	envChild = "RSTTEST_NETNS_CHILD"
	// envHow says how that namespace was made, for the evidence text.
	envHow = "RSTTEST_NETNS_HOW"
	// envMode set to "off" makes EnterNetns run tests in place, never in a
	// namespace (for systems where re-executing the test binary is unwanted).
	envMode = "RSTTEST_NETNS"
)

// A child that cannot use its namespace (no lo) says so with this line and
// exit code, and the parent then runs the test in place.
const (
	unusableMarker = "rsttest-netns-unusable: "
	unusableExit   = 3
)

// fallback remembers why no namespace could be made, so that later tests
// neither retry a clone that cannot work nor lose the reason.
var fallback struct {
	sync.Mutex
	why string
}

// EnterNetns moves the rest of the calling test into a private network
// namespace, where the kernel's RST counters belong to that test alone.
//
// Call it first in a test or subtest and return when it returns false:
//
//	if !rsttest.EnterNetns(t) {
//		return // ran in a private network namespace; its outcome is reported here
//	}
//
// In the calling process it re-executes the test binary (os.Executable) with
// -test.run selecting exactly this test, in a new network namespace:
// CLONE_NEWNET as root, CLONE_NEWUSER|CLONE_NEWNET with a uid/gid map
// otherwise. The child brings lo up and runs the same test, where EnterNetns
// returns true. The parent relays the child's log, passes, fails or skips as
// the child did, and returns false. Everything the test did before calling
// EnterNetns runs in both processes, so call it first.
//
// Where no namespace can be made (no user namespaces, a seccomp filter, not
// Linux, RSTTEST_NETNS=off in the environment) EnterNetns logs why and returns
// true: the test runs in place and RunServer/RunClient fall back to weaker
// evidence, saying so in Result.Evidence.
func EnterNetns(t testing.TB) bool {
	t.Helper()
	if os.Getenv(envChild) != "" {
		if err := childSetup(); err != nil {
			// The parent reads this line and runs the test in place.
			fmt.Printf("\n%s%v\n", unusableMarker, err)
			os.Exit(unusableExit)
		}
		return true
	}
	if why := netnsUnavailable(); why != "" {
		t.Logf("rsttest: running in place, not in a private network namespace: %s", why)
		return true
	}
	out, how, err := runChild(t)
	if err == nil {
		if i := bytes.Index(out, []byte(unusableMarker)); i >= 0 {
			why, _, _ := strings.Cut(string(out[i+len(unusableMarker):]), "\n")
			err = fmt.Errorf("the namespace made with %s is unusable: %s", how, why)
		}
	}
	if err != nil {
		fallback.Lock()
		fallback.why = err.Error()
		fallback.Unlock()
		t.Logf("rsttest: running in place, not in a private network namespace: %v", err)
		return true
	}
	relayChild(t, how, string(out))
	return false
}

// netnsUnavailable returns why EnterNetns should not even try, or "".
func netnsUnavailable() string {
	if os.Getenv(envMode) == "off" {
		return envMode + "=off"
	}
	if !testing.Testing() {
		return "not a test binary, nothing to re-execute"
	}
	fallback.Lock()
	defer fallback.Unlock()
	return fallback.why
}

// privateNetns reports whether this process is in a private network namespace
// made by EnterNetns, and describes it or says why not.
func privateNetns() (bool, string) {
	if os.Getenv(envChild) != "" {
		if err := childSetup(); err != nil {
			return false, err.Error()
		}
		return true, "private network namespace (" + os.Getenv(envHow) + ")"
	}
	why := netnsUnavailable()
	if why == "" {
		why = "call rsttest.EnterNetns(t) first in the test"
	}
	return false, "no private network namespace: " + why
}

// childContext bounds the child by the parent test's deadline (go test
// -timeout), leaving a margin for the parent to report.
func childContext(t testing.TB) (context.Context, context.CancelFunc, time.Duration) {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, ok := d.Deadline(); ok {
			left := time.Until(dl)
			ctx, cancel := context.WithTimeout(context.Background(), left-left/20)
			return ctx, cancel, left - left/10
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	return ctx, cancel, 0
}

// childArgs are the test flags that run exactly the test named name.
func childArgs(name string, timeout time.Duration) []string {
	args := []string{"-test.run=" + runPattern(name), "-test.count=1", "-test.v=true"}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	if timeout > 0 {
		args = append(args, "-test.timeout="+timeout.String())
	}
	return args
}

// runPattern returns a -test.run pattern matching exactly the test or subtest
// name: -test.run splits at "/" and matches each level separately.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// childEnv is the environment for the child. A race-enabled binary sleeps
// GORACE's atexit_sleep_ms (default 1s) at exit to catch late races; the
// child's goroutines are done when its test is, so that second is only a cost.
func childEnv() []string {
	env := os.Environ()
	if gorace := os.Getenv("GORACE"); !strings.Contains(gorace, "atexit_sleep_ms") {
		env = append(env, "GORACE="+strings.TrimSpace(gorace+" atexit_sleep_ms=0"))
	}
	return env
}

// relayChild reports the child's outcome as the parent test's.
func relayChild(t testing.TB, how, out string) {
	t.Helper()
	status, log := childOutcome(out, t.Name())
	switch status {
	case "PASS":
		t.Logf("rsttest: ran in a private network namespace (%s):\n%s", how, log)
	case "SKIP":
		t.Skipf("rsttest: skipped in a private network namespace (%s):\n%s", how, log)
	case "FAIL":
		t.Errorf("rsttest: failed in a private network namespace (%s):\n%s", how, log)
	default:
		t.Errorf("rsttest: the test did not run in its private network namespace (%s):\n%s", how, out)
	}
}

// childOutcome finds the "--- PASS/FAIL/SKIP: name" line of a -test.v output
// and returns its status with the output stripped of the framing lines.
// A child that exited with a failure but printed no result (a panic, a race
// report, a timeout) is a FAIL with its whole output.
func childOutcome(out, name string) (status, log string) {
	var kept []string
	for _, line := range strings.Split(out, "\n") {
		trimmed := strings.TrimSpace(line)
		for _, s := range []string{"PASS", "FAIL", "SKIP"} {
			if strings.HasPrefix(trimmed, "--- "+s+": "+name+" (") {
				status = s
			}
		}
		switch {
		case trimmed == "", trimmed == "PASS", trimmed == "FAIL",
			strings.HasPrefix(trimmed, "=== "), strings.HasPrefix(trimmed, "--- "):
			continue
		}
		kept = append(kept, line)
	}
	if status == "" && strings.Contains(out, "\nFAIL") {
		return "FAIL", out
	}
	return status, strings.Join(kept, "\n")
}

// InNetnsChild reports whether this process is a test binary that
// EnterNetns re-executed to run one test in a private network namespace.
// A test whose setup is costly and not needed by the subtest itself (say,
// running an analyzer over many packages to name the subtests) can skip it
// there: the child runs only the subtest that -test.run selects.
func InNetnsChild() bool { return os.Getenv(envChild) != "" }
