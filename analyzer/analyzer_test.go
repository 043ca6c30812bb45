package analyzer_test

import (
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/rstlint/rstlint/analyzer"
)

// casesDir is the module of test cases shared with the runtime proof.
var casesDir, _ = filepath.Abs("../testdata")

func TestSeed(t *testing.T) { analysistest.Run(t, casesDir, analyzer.Analyzer, "rstcases/seed") }

func TestRules(t *testing.T) {
	analysistest.Run(t, casesDir, analyzer.Analyzer,
		"rstcases/handler", "rstcases/errpath", "rstcases/readloop", "rstcases/defers",
		"rstcases/goroutine", "rstcases/helpers")
}

func TestOwnership(t *testing.T) {
	analysistest.Run(t, casesDir, analyzer.Analyzer,
		"rstcases/escape", "rstcases/packet", "rstcases/crosspkg/...", "rstcases/generic", "rstcases/noreturn")
}

func TestHalfCloseAndLinger(t *testing.T) {
	analysistest.Run(t, casesDir, analyzer.Analyzer, "rstcases/halfclose", "rstcases/linger")
}

func TestRawFD(t *testing.T) { analysistest.Run(t, casesDir, analyzer.Analyzer, "rstcases/rawfd") }

func TestClients(t *testing.T) {
	analysistest.Run(t, casesDir, analyzer.Analyzer, "rstcases/client", "rstcases/hijack")
}

func TestDirectives(t *testing.T) {
	analysistest.Run(t, casesDir, analyzer.Analyzer, "rstcases/ignore")
}

// TestFlags turns off the optional categories and declares a drain
// function: the same code as rstcases/flags, with no diagnostics.
func TestFlags(t *testing.T) {
	analysistest.Run(t, casesDir, analyzer.Analyzer, "rstcases/flags")
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
	set("drain", "rstcases/flagsoff.Slurp")
	analysistest.Run(t, casesDir, analyzer.Analyzer, "rstcases/flagsoff")
}

// TestSuggestedFix applies the fixes and compares with the golden file;
// rstcases/fixed is that output, which must draw no diagnostic.
func TestSuggestedFix(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, casesDir, analyzer.Analyzer, "rstcases/fix")
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
	analysistest.Run(t, casesDir, analyzer.Analyzer, "rstcases/fixed")
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

func TestGracefulPackage(t *testing.T) {
	analysistest.Run(t, casesDir, analyzer.Analyzer, "rstcases/usegraceful")
}

func TestProxy(t *testing.T) { analysistest.Run(t, casesDir, analyzer.Analyzer, "rstcases/proxy") }
