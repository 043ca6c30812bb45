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

// rulePackages hold one bug shape each, with its clean twin beside it;
// their // want comments are the expected diagnostics and facts under the
// default flags. They are loaded once: loading net/http dominates the cost.
var rulePackages = []string{
	"rstcases/seed",         // the original bug: accept, answer, close
	"rstcases/handler",      // handlers that own the conn they are given
	"rstcases/errpath",      // early returns after a partial read
	"rstcases/readloop",     // read loops that end at EOF, and early breaks
	"rstcases/defers",       // deferred Closes and deferred closures
	"rstcases/goroutine",    // conns handed to goroutines
	"rstcases/helpers",      // close/drain helpers judged at their calls
	"rstcases/crosspkg/...", // the same across packages, through facts
	"rstcases/escape",       // conns that leave the function: silence
	"rstcases/packet",       // UDP, unixgram, net.Pipe: silence
	"rstcases/generic",      // generic code: no crash, silence
	"rstcases/noreturn",     // paths ending in log.Fatal, os.Exit, panic
	"rstcases/halfclose",    // CloseWrite without a drain; tls and CloseRead
	"rstcases/linger",       // SetLinger(0)
	"rstcases/rawfd",        // raw SOCK_STREAM descriptors
	"rstcases/client",       // dialed conns: a write owes a read
	"rstcases/hijack",       // hijacked HTTP conns
	"rstcases/ignore",       // //rstlint:ignore directives
	"rstcases/usegraceful",  // the graceful package, through its fact
	"rstcases/proxy",        // first-finisher proxies
}

func TestRules(t *testing.T) {
	analysistest.Run(t, casesDir, analyzer.Analyzer, rulePackages...)
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
