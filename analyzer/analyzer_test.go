package analyzer_test

import (
	"path/filepath"
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
