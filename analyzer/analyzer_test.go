package analyzer_test

import (
	"go/format"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/rstlint/rstlint/analyzer"
	"github.com/rstlint/rstlint/internal/testmod"
)

// casesDir is the module of test cases shared with the runtime proof.
var casesDir, _ = filepath.Abs("../testdata")

// cases returns casesDir once the modules it requires are in the module
// cache: analysistest loads it with the module proxy turned off.
func cases(t testing.TB) string {
	t.Helper()
	if err := testmod.Ready(casesDir); err != nil {
		t.Fatal(err)
	}
	return casesDir
}

// ownTests are the packages of the cases module that TestRules does not
// run, and the test that does (or why none does).
var ownTests = map[string]string{
	"proof":      "the runtime proof: testdata/proof runs it with go test",
	"flags":      "TestFlags, with the default flags",
	"flagsoff":   "TestFlags, with the optional categories turned off",
	"fix":        "TestSuggestedFix, with the fixes applied",
	"fixed":      "TestSuggestedFix, the output of the fixes",
	"cidocs":     "no rule: tests of docs/ci.md and .pre-commit-hooks.yaml, run with go test",
	"tracecases": "TestTrace, with the trace its own tests record",
	"traceforms": "TestTrace, with the trace its own tests record",
}

// rulePackages lists every package of the cases module but ownTests: one
// bug shape per package, with its clean twin beside it, whose // want
// comments are the expected diagnostics and facts under the default
// flags. A new folder is run without being listed anywhere.
func rulePackages(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	seen := make(map[string]bool)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		seen[e.Name()] = true
		if _, own := ownTests[e.Name()]; own {
			continue
		}
		pattern := "rstcases/" + e.Name()
		if !hasGoFiles(t, filepath.Join(casesDir, e.Name())) {
			pattern += "/..." // a case that spans packages (crosspkg)
		}
		pkgs = append(pkgs, pattern)
	}
	for name := range ownTests {
		if !seen[name] {
			t.Errorf("ownTests names %s, which is not a folder of %s", name, casesDir)
		}
	}
	return pkgs
}

func hasGoFiles(t *testing.T, dir string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	return len(files) > 0
}

// TestRules runs every rule package. The packages are loaded once:
// loading net/http dominates the cost.
func TestRules(t *testing.T) {
	results := analysistest.Run(t, cases(t), analyzer.Analyzer, rulePackages(t)...)
	// Every message fits in MaxMessage characters, whole: the rest is in
	// the related positions and on the rule page.
	for _, r := range results {
		for _, d := range r.Diagnostics {
			if len(d.Message) > analyzer.MaxMessage || strings.HasSuffix(d.Message, "...") {
				t.Errorf("%s: message of %d characters (at most %d, not cut): %s",
					r.Pass.Fset.Position(d.Pos), len(d.Message), analyzer.MaxMessage, d.Message)
			}
		}
	}
}

// TestRulesSharedSSA runs every rule package again with the passes
// sharing one SSA program, as the command runs them (ShareSSA): the
// diagnostics and facts must be the same.
func TestRulesSharedSSA(t *testing.T) {
	analyzer.SetShareSSA(true)
	defer analyzer.SetShareSSA(false)
	analysistest.Run(t, cases(t), analyzer.Analyzer, rulePackages(t)...)
}

// TestFlags turns off the optional categories and declares a drain
// function: the same code as rstcases/flags, with no diagnostics.
func TestFlags(t *testing.T) {
	analysistest.Run(t, cases(t), analyzer.Analyzer, "rstcases/flags")
	set := func(name, value string) {
		t.Helper()
		old := analyzer.Analyzer.Flags.Lookup(name).Value.String()
		if err := analyzer.Analyzer.Flags.Set(name, value); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { analyzer.Analyzer.Flags.Set(name, old) })
	}
	set("halfclose", "false")
	set("linger", "false")
	set("reject", "false")
	set("drain", "rstcases/flagsoff.Slurp")
	analysistest.Run(t, cases(t), analyzer.Analyzer, "rstcases/flagsoff")
}

// TestSuggestedFix applies the fixes and compares with the golden file;
// rstcases/fixed is that output, which must draw no diagnostic.
func TestSuggestedFix(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, cases(t), analyzer.Analyzer, "rstcases/fix")
	golden, err := os.ReadFile(filepath.Join(casesDir, "fix", "fix.go.golden"))
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := os.ReadFile(filepath.Join(casesDir, "fixed", "fixed.go"))
	if err != nil {
		t.Fatal(err)
	}
	if want := fixedFromGolden(golden); string(fixed) != want {
		t.Errorf("testdata/fixed/fixed.go is not fix.go.golden with the package renamed and wants removed; want:\n%s", want)
	}
	analysistest.Run(t, cases(t), analyzer.Analyzer, "rstcases/fixed")
}

// fixedFromGolden renames package fix to fixed and drops diagnostic
// expectations (fact expectations stay), formatted as gofmt would.
func fixedFromGolden(golden []byte) string {
	s := strings.Replace(string(golden), "package fix ", "package fixed ", 1)
	s = regexp.MustCompile(" // want `[^`]*`").ReplaceAllString(s, "")
	out, err := format.Source([]byte(s))
	if err != nil {
		return err.Error()
	}
	return string(out)
}

// TestPaths: a deferred Close reached by several paths names, for each
// problem, the returns of the paths that have it: perpath's
// BadDeferredRejectOrRelay rejects when its dial fails, and destroys
// its error reply on an unknown command; BadRejectOrDialFails rejects
// after a failed check and after a failed dial, two reports.
func TestPaths(t *testing.T) {
	tests := []struct {
		fn, words string // the case, and words of the report at its deferred Close
		src       string // the source of the return the report's path names
	}{
		{"BadDeferredRejectOrRelay", "nothing written", "return // the dial failed"},
		{"BadDeferredRejectOrRelay", "RST may destroy our reply", "return // after the error reply"},
		{"BadRejectOrDialFails", "after rejecting its input", "return // the check failed"},
		{"BadRejectOrDialFails", "read in part, nothing written", "return // the dial failed"},
	}
	results := analysistest.Run(t, cases(t), analyzer.Analyzer, "rstcases/perpath")
	found := make([]bool, len(tests))
	for _, r := range results {
		for _, d := range r.Diagnostics {
			posn := r.Pass.Fset.Position(d.Pos)
			if filepath.Base(posn.Filename) != "perpath.go" {
				continue
			}
			for i, tc := range tests {
				if posn.Line != deferLine(t, posn.Filename, tc.fn) || !strings.Contains(d.Message, tc.words) {
					continue
				}
				found[i] = true
				var got []string
				for _, rel := range d.Related {
					if rel.Message == "on the path that returns here" {
						got = append(got, sourceLine(t, r.Pass.Fset.Position(rel.Pos)))
					}
				}
				if !slices.Equal(got, []string{tc.src}) {
					t.Errorf("%s %s: paths %q, want %q", posn, d.Message, got, tc.src)
				}
			}
		}
	}
	for i, tc := range tests {
		if !found[i] {
			t.Errorf("no report with %q at %s's deferred Close", tc.words, tc.fn)
		}
	}
}

// deferLine is the line of fn's deferred Close, the line after its
// signature.
func deferLine(t *testing.T, file, fn string) int {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "func "+fn+"(") && i+1 < len(lines) {
			return i + 2
		}
	}
	t.Fatal("no " + fn + " in " + file)
	return 0
}

// sourceLine is the trimmed source line at posn.
func sourceLine(t *testing.T, posn token.Position) string {
	src, err := os.ReadFile(posn.Filename)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(strings.Split(string(src), "\n")[posn.Line-1])
}

// TestRelated checks the related positions, which analysistest does not:
// the origin and the last read or write of each diagnostic, the
// SetLinger(0), and the copy goroutines of a proxy.
func TestRelated(t *testing.T) {
	want := map[string][]string{ // the diagnostic's line's source, trimmed -> related messages
		"defer c.Close() // want `conn c is closed with input read in part: RST": {"conn passed in", "on the path that returns here",
			"last read: (*bufio.Reader).ReadString"},
		"c.Close() // want `conn accepted at seed": {"conn accepted: net.Listener.Accept"},
		"defer c.Close() // want `conn dialed at client": {"conn dialed: net.Dial", "on the path that returns here",
			"last write: fmt.Fprintf"},
		"c.Close() // want `conn c is closed after SetLinger":                  {"conn passed in", "linger set to 0"},
		"return c.Close() // want `the dialed conn is closed after CloseWrite": {"conn dialed: net.Dial", "last write: fmt.Fprintln"},
		"client.Close() // want `conn client is closed when 1 of its 2": {"conn passed in",
			"copy goroutine: signals a channel", "copy goroutine: signals a channel"},
		// The path the report is about: the helper wrote, then failed.
		`defer c.Close() // want "conn dialed at client`: {"conn dialed: net.Dial", "on the path that returns here",
			"last write: client.sendChecked"},
		"defer server.Close() // want `conn dialed at proxy": {"conn dialed: net.Dial",
			"copy goroutine: signals channel errc", "copy goroutine: signals channel errc"},
	}
	results := analysistest.Run(t, cases(t), analyzer.Analyzer,
		"rstcases/handler", "rstcases/seed", "rstcases/client", "rstcases/linger", "rstcases/proxy", "rstcases/halfclose")
	found := make(map[string]bool)
	for _, r := range results {
		for _, d := range r.Diagnostics {
			posn := r.Pass.Fset.Position(d.Pos)
			src, err := os.ReadFile(posn.Filename)
			if err != nil {
				t.Fatal(err)
			}
			line := strings.TrimSpace(strings.Split(string(src), "\n")[posn.Line-1])
			for prefix, msgs := range want {
				if !strings.HasPrefix(line, prefix) {
					continue
				}
				found[prefix] = true
				var got []string
				for _, rel := range d.Related {
					got = append(got, rel.Message)
				}
				if strings.Join(got, "|") != strings.Join(msgs, "|") {
					t.Errorf("%s: related %q, want %q", posn, got, msgs)
				}
			}
		}
	}
	for prefix := range want {
		if !found[prefix] {
			t.Errorf("no diagnostic on a line starting %q", prefix)
		}
	}
}
