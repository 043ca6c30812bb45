package analyzer_test

import (
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

	// The deferred Close is confirmed at the return that ran it: the
	// related position says where the stack saw it.
	for _, r := range results {
		for _, d := range r.Diagnostics {
			if !strings.Contains(d.Message, "TestForms/Deferred (") {
				continue
			}
			last := d.Related[len(d.Related)-1]
			posn := r.Pass.Fset.Position(last.Pos)
			src, _ := os.ReadFile(posn.Filename)
			line := strings.TrimSpace(strings.Split(string(src), "\n")[posn.Line-1])
			if !strings.HasPrefix(last.Message, analyzer.ConfirmedPrefix) || line != "return" {
				t.Errorf("the deferred Close's confirmation is %q at %q, want it at the final return", last.Message, line)
			}
		}
	}
}
