package proof

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rstlint/rstlint/rsttest"
)

// A proof-table row that cannot observe the kernel skips, and a plain
// `go test ./...` shows a package whose tests pass or skip as one "ok"
// line: a skipped proof would pass for a proved one. So the process that
// runs the table counts its rows by outcome and says so in one line that
// shows in a plain run too (announce).

// tally counts the rows of the proof table by outcome.
type tally struct {
	mu      sync.Mutex
	ran     int
	failed  int
	skipped map[string]int // by reason
	why     map[string]string
}

var rows = tally{skipped: make(map[string]int), why: make(map[string]string)}

// skipReason records, before t skips, the reason its row counts under.
func (tl *tally) skipReason(t testing.TB, reason string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.why[t.Name()] = reason
}

// record counts t's row once t is done (deferred in the row's subtest).
// A row that skipped inside its private network namespace was relayed
// here as a skip without its reason.
func (tl *tally) record(t testing.TB) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	switch {
	case t.Failed():
		tl.failed++
	case t.Skipped():
		reason := tl.why[t.Name()]
		if reason == "" {
			reason = "skipped in its private network namespace (go test -v shows why)"
		}
		tl.skipped[reason]++
	default:
		tl.ran++
	}
}

// line is the summary: "proof table: 138 rows ran on the kernel, 0
// failed, 2 skipped (2: no private network namespace: ...)".
func (tl *tally) line() string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	n := 0
	var why []string
	for _, reason := range slices.Sorted(maps.Keys(tl.skipped)) {
		n += tl.skipped[reason]
		why = append(why, fmt.Sprintf("%d: %s", tl.skipped[reason], reason))
	}
	s := fmt.Sprintf("proof table: %d rows ran on the kernel, %d failed, %d skipped", tl.ran, tl.failed, n)
	if n > 0 {
		s += " (" + strings.Join(why, "; ") + "): a skipped row proves nothing; run as root, or where user namespaces are allowed"
	}
	return s
}

func (tl *tally) empty() bool {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.ran+tl.failed+len(tl.skipped) == 0
}

func TestMain(m *testing.M) {
	code := m.Run()
	if !rsttest.InNetnsChild() && !rows.empty() {
		announce(rows.line())
	}
	os.Exit(code)
}

// announce prints line where whoever ran go test sees it. In package list
// mode (go test ./...) the go command prints only "ok" for a package whose
// tests pass, and drops what the test binary wrote. So, when the test
// binary's parent is the go command, the line also goes to the go
// command's own standard error, reopened through /proc, if that is a
// terminal or a pipe; a regular file is left alone unless it was opened
// for appending, which our write could otherwise overwrite. Elsewhere, and
// with -v, the binary's own standard error is seen.
func announce(line string) {
	fmt.Fprintln(os.Stderr, line)
	if testing.Verbose() {
		return
	}
	if w := goCommandStderr(); w != nil {
		fmt.Fprintln(w, line)
		w.Close()
	}
}

// goCommandStderr opens the standard error of the go command that started
// this test binary, or returns nil.
func goCommandStderr() io.WriteCloser {
	parent := "/proc/" + strconv.Itoa(os.Getppid())
	comm, err := os.ReadFile(parent + "/comm")
	if err != nil || strings.TrimSpace(string(comm)) != "go" {
		return nil
	}
	fi, err := os.Stat(parent + "/fd/2")
	if err != nil {
		return nil
	}
	if fi.Mode().IsRegular() && !openedForAppend(parent+"/fdinfo/2") {
		return nil
	}
	f, err := os.OpenFile(parent+"/fd/2", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil
	}
	return f
}

// openedForAppend reports whether the fdinfo file of a descriptor shows
// O_APPEND among its flags (octal, Linux).
func openedForAppend(fdinfo string) bool {
	b, err := os.ReadFile(fdinfo)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			flags, err := strconv.ParseUint(strings.TrimSpace(v), 8, 64)
			return err == nil && flags&0o2000 != 0 // O_APPEND
		}
	}
	return false
}
