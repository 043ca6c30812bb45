package analyzer_test

import (
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/rstlint/rstlint/analyzer"
	"github.com/rstlint/rstlint/internal/trace"
)

// TestTrace runs the tests of rstcases/tracecases and rstcases/traceforms
// with RSTTEST_TRACE set, as a user would run their suite, then rstlint
// with that trace: the // want comments there are the confirmed
// diagnostics, the unconfirmed one, and the runtime-only report; and the
// trace itself holds exactly the resets those tests caused.
func TestTrace(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test on the cases module")
	}
	path := filepath.Join(t.TempDir(), "rst.trace")
	cmd := exec.Command("go", "test", "-count=1", "./tracecases", "./traceforms/...")
	cmd.Dir = cases(t)
	cmd.Env = append(os.Environ(), trace.EnvVar+"="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test of the trace cases: %v\n%s", err, out)
	}
	entries, err := trace.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var tests []string
	for _, e := range entries {
		tests = append(tests, e.Test)
	}
	slices.Sort(tests)
	want := []string{"TestConfirmed", "TestForms/CrossPackage", "TestForms/Deferred", "TestForms/DeferredHelper",
		"TestForms/Direct", "TestForms/Goroutine", "TestForms/Helper", "TestRuntimeOnly"}
	if !slices.Equal(tests, want) {
		t.Fatalf("the trace records resets of %q, want one each of %q", tests, want)
	}

	opts := analyzer.DefaultOptions()
	opts.Trace = path
	results := analysistest.Run(t, cases(t), analyzer.New(opts), "rstcases/tracecases", "rstcases/traceforms/...")

	// Each confirmed Close has, on the line above it, the confirmation its
	// diagnostic must carry as its last related position; no other
	// diagnostic but a runtime-only one carries one. The deferred Close is
	// confirmed at the return that ran it: the related position says where
	// the stack saw it.
	lineOf := func(posn token.Position) string {
		src, err := os.ReadFile(posn.Filename)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(src), "\n")
		if posn.Line < 1 || posn.Line > len(lines) {
			return ""
		}
		return strings.TrimSpace(lines[posn.Line-1])
	}
	confirmed := 0
	for _, r := range results {
		for _, d := range r.Diagnostics {
			posn := r.Pass.Fset.Position(d.Pos)
			above := lineOf(token.Position{Filename: posn.Filename, Line: posn.Line - 1})
			want, expected := strings.CutPrefix(above, "// ")
			expected = expected && strings.HasPrefix(want, analyzer.ConfirmedPrefix)
			var got string
			if n := len(d.Related); n > 0 {
				if _, ok := analyzer.ParseConfirmation(d.Related[n-1].Message); ok {
					got = d.Related[n-1].Message
				}
			}
			switch {
			case expected && got != want:
				t.Errorf("%s: confirmation %q, want %q", posn, got, want)
			case !expected && got != "" && d.Category != analyzer.CategoryRuntimeOnly:
				t.Errorf("%s: unexpected confirmation %q", posn, got)
			}
			if expected {
				confirmed++
			}
			if strings.Contains(want, "TestForms/Deferred (") {
				last := d.Related[len(d.Related)-1]
				if line := lineOf(r.Pass.Fset.Position(last.Pos)); line != "return" {
					t.Errorf("the deferred Close's confirmation is at %q, want it at the final return", line)
				}
			}
		}
	}
	if confirmed != 7 {
		t.Errorf("%d confirmed diagnostics, want the 7 the cases mark", confirmed)
	}
}
