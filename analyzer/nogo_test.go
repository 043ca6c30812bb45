package analyzer_test

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"go/types"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/rstlint/rstlint/analyzer"
)

// What a build system that runs analyzers itself (Bazel's nogo) relies on,
// and what can be checked without one (docs/bazel.md).

// TestFactsGob checks that every fact type round-trips through
// encoding/gob with every field set: nogo, like go vet, serializes facts
// between the actions of different packages.
func TestFactsGob(t *testing.T) {
	values := map[string]analysis.Fact{
		"*summary.ConnFact": &analyzer.ConnFact{Params: []analyzer.ParamEffect{
			{Index: 1, Field: "conn", AtClose: 3, AtReturn: 1 << 20, Uses: true, Reads: true, Writes: true, Drains: true,
				Escapes: true, ErrDone: true, ErrRead: true, SetsLinger: true, LingerParam: 2, LeftReading: true,
				AssumesSocket: 6, WritesLast: true},
			{Index: 0},
		}},
		"*summary.WrapperFact":  &analyzer.WrapperFact{Param: 1, Parses: true},
		"*summary.OriginFact":   &analyzer.OriginFact{Verb: "dialed", Kind: 1, Client: true, Socket: 1, CallerNetwork: true, NetworkParam: 2, NetworkTyped: true},
		"*summary.LauncherFact": &analyzer.LauncherFact{Param: 1},
	}
	for _, f := range analyzer.Analyzer.FactTypes {
		name := reflect.TypeOf(f).String()
		v, ok := values[name]
		if !ok {
			// A fact the analyzer does not name: a marker, or one of
			// string lists (DelegatedCloses), filled in here.
			nv := reflect.New(reflect.TypeOf(f).Elem())
			for i := range nv.Elem().NumField() {
				if fv := nv.Elem().Field(i); fv.CanSet() && fv.Type() == reflect.TypeFor[[]string]() {
					fv.Set(reflect.ValueOf([]string{"/src/a.go:12", "example.com/a/a.go:12"}))
				}
			}
			v = nv.Interface().(analysis.Fact)
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(v); err != nil {
			t.Fatalf("%s: encode: %v", name, err)
		}
		got := reflect.New(reflect.TypeOf(v).Elem()).Interface()
		if err := gob.NewDecoder(&buf).Decode(got); err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if !reflect.DeepEqual(got, v) {
			t.Errorf("%s: round trip gave %+v, want %+v", name, got, v)
		}
		delete(values, name)
	}
	for name := range values {
		t.Errorf("%s is not among Analyzer.FactTypes", name)
	}
}

// TestNoGlobalState checks that the analyzer keeps no state of its own
// between packages: every package-level variable of the analyzer and its
// stages is a flag value (set before any package is analyzed) or a
// read-only table, as listed here.
func TestNoGlobalState(t *testing.T) {
	readOnly := map[string]string{
		"analyzer.doc": "the embedded doc.go", "analyzer.Analyzer": "the analyzer, its options set once from flags",
		"analyzer.flagReject": "flag", "analyzer.flagHalfClose": "flag", "analyzer.flagLinger": "flag", "analyzer.flagProxy": "flag",
		"analyzer.flagEOFLost": "flag", "analyzer.flagDrain": "flag", "analyzer.flagGraceful": "flag", "analyzer.flagTrace": "flag",
		"analyzer.shareSSA":       "set once by the command (ShareSSA) before any package is analyzed",
		"analyzer.shared":         "the SSA program the command's passes share (ShareSSA): each package is added once and its bodies dropped when its pass ends; TestRulesSharedSSA checks the diagnostics are the same",
		"verdict.traceCache":      "trace files, read once per process and only read after: a package's trace entries are the same whatever ran before",
		"analyzer.socketPackages": "table", "knowledge.errorType": "table", "lattice.MaskUnread": "table",
		"lattice.MaskClosed": "table", "lattice.MaskEscaped": "table", "knowledge.effectNames": "table",
		"knowledge.connMethods": "table", "ownership.stdOrigins": "table", "ownership.datagramOrigins": "table",
		"knowledge.Constructors": "table", "knowledge.ArgEffects": "table", "knowledge.NoReturnFuncs": "table",
		"knowledge.streamConnMethods": "table", "knowledge.parsers": "table", "knowledge.parserMethods": "table",
		"knowledge.launchers": "table", "knowledge.receiveMethods": "table", "knowledge.VarargViews": "table", "knowledge.ResetViews": "table", "knowledge.roleNames": "table",
	}
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedTypes | packages.NeedName},
		"github.com/rstlint/rstlint/analyzer", "github.com/rstlint/rstlint/analyzer/internal/...")
	if err != nil || len(pkgs) < 2 {
		t.Skipf("cannot load the analyzer packages: %v", err)
	}
	for _, p := range pkgs {
		if p.Types == nil {
			t.Fatalf("%s does not load", p.PkgPath)
		}
		scope := p.Types.Scope()
		for _, name := range scope.Names() {
			if v, ok := scope.Lookup(name).(*types.Var); ok {
				if _, listed := readOnly[p.Types.Name()+"."+name]; !listed {
					t.Errorf("package-level variable %s.%s: state shared between packages? (list it here if it is read-only)", p.Types.Name(), v.Name())
				}
			}
		}
	}
}

// loaded caches the packages of the cases module by pattern: loading them
// (net/http and all) is most of the cost of these tests.
var (
	loadedMu sync.Mutex
	loaded   = map[string][]*packages.Package{}
)

func loadCase(pattern string) ([]*packages.Package, error) {
	loadedMu.Lock()
	defer loadedMu.Unlock()
	if pkgs, ok := loaded[pattern]; ok {
		return pkgs, nil
	}
	pkgs, err := packages.Load(&packages.Config{Mode: packages.LoadAllSyntax, Dir: casesDir}, pattern)
	if err == nil && packages.PrintErrors(pkgs) > 0 {
		err = fmt.Errorf("%s does not compile", pattern)
	}
	if err != nil {
		return nil, err
	}
	loaded[pattern] = pkgs
	return pkgs, nil
}

// diagnosticsOf runs a over a pattern of the cases module and returns
// its diagnostics as "file:line: category: message | related...", sorted.
func diagnosticsOf(t *testing.T, a *analysis.Analyzer, pattern string) []string {
	t.Helper()
	pkgs, err := loadCase(pattern)
	if err != nil {
		t.Skipf("cannot load %v: %v", pattern, err)
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{a}, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for act := range graph.All() {
		if !act.IsRoot || act.Analyzer != a {
			continue
		}
		if act.Err != nil {
			t.Fatalf("%s: %v", act, act.Err)
		}
		for _, d := range act.Diagnostics {
			p := act.Package.Fset.Position(d.Pos)
			line := fmt.Sprintf("%s:%d: %s: %s", p.Filename, p.Line, d.Category, d.Message)
			for _, r := range d.Related {
				line += " | " + r.Message
			}
			out = append(out, line)
		}
	}
	sort.Strings(out)
	return out
}

// TestConcurrentPackages runs two analyses of different packages at once
// in one process: each must give what it gives alone.
func TestConcurrentPackages(t *testing.T) {
	a, b := "rstcases/fields", "rstcases/proxy"
	aloneA, aloneB := diagnosticsOf(t, analyzer.Analyzer, a), diagnosticsOf(t, analyzer.Analyzer, b)
	var togetherA, togetherB []string
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); togetherA = diagnosticsOf(t, analyzer.New(analyzer.DefaultOptions()), a) }()
	go func() { defer wg.Done(); togetherB = diagnosticsOf(t, analyzer.New(analyzer.DefaultOptions()), b) }()
	wg.Wait()
	if !slices.Equal(aloneA, togetherA) || !slices.Equal(aloneB, togetherB) {
		t.Errorf("concurrent analyses differ from separate ones:\n%q\n%q\nvs\n%q\n%q", aloneA, aloneB, togetherA, togetherB)
	}
	if len(aloneA) == 0 || len(aloneB) == 0 {
		t.Errorf("no diagnostics on %s or %s: the comparison proves nothing", a, b)
	}
}

// TestNewMatchesFlags checks that analyzer.New with each option behaves
// as the Analyzer with the matching flag: nogo passes no flags, so options
// go through a wrapper package calling New.
func TestNewMatchesFlags(t *testing.T) {
	const pkg = "rstcases/flags"
	// A trace naming the first diagnostic's line, so that -tracefile
	// changes what is reported.
	first := diagnosticsOf(t, analyzer.New(analyzer.DefaultOptions()), pkg)[0]
	parts := strings.SplitN(first, ":", 3)
	tracePath := filepath.Join(t.TempDir(), "rst.trace")
	entry := fmt.Sprintf(`{"source":"rsttest","test":"TestFlags","frames":[{"func":"f","file":%q,"line":%s}],"unread":1,"linger_zero":false,"verdict":"RST"}`+"\n", parts[0], parts[1])
	if err := os.WriteFile(tracePath, []byte(entry), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		flag, value string
		set         func(*analyzer.Options)
	}{
		{"reject", "false", func(o *analyzer.Options) { o.Reject = false }},
		{"halfclose", "false", func(o *analyzer.Options) { o.HalfClose = false }},
		{"linger", "false", func(o *analyzer.Options) { o.Linger = false }},
		{"proxy", "false", func(o *analyzer.Options) { o.Proxy = false }},
		{"eoflost", "false", func(o *analyzer.Options) { o.EOFLost = false }},
		{"drain", "rstcases/flags.Slurp", func(o *analyzer.Options) { o.Drain = []string{"rstcases/flags.Slurp"} }},
		{"gracefulclose", "rstcases/flags.Slurp", func(o *analyzer.Options) { o.GracefulClose = []string{"rstcases/flags.Slurp"} }},
		{"tracefile", tracePath, func(o *analyzer.Options) { o.Trace = tracePath }},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			o := analyzer.DefaultOptions()
			tc.set(&o)
			byNew := diagnosticsOf(t, analyzer.New(o), pkg)
			f := analyzer.Analyzer.Flags.Lookup(tc.flag)
			old := f.Value.String()
			if err := f.Value.Set(tc.value); err != nil {
				t.Fatal(err)
			}
			byFlag := diagnosticsOf(t, analyzer.Analyzer, pkg)
			f.Value.Set(old)
			if tc.flag == "tracefile" && !strings.Contains(strings.Join(byFlag, "\n"), analyzer.ConfirmedPrefix+"TestFlags") {
				t.Errorf("-tracefile confirmed nothing:\n%q", byFlag)
			}
			if !slices.Equal(byNew, byFlag) {
				t.Errorf("New with %s differs from -%s=%s:\n%q\nvs\n%q", tc.flag, tc.flag, tc.value, byNew, byFlag)
			}
		})
	}
}
