package analyzer

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/analysis/passes/nilness"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// hugeSource generates a handler whose body has about 4*n basic blocks:
// n loops, each with a branch that reads one byte. The deferred Close at
// the end sees every path.
func hugeSource(n int) string {
	var b strings.Builder
	b.WriteString("package huge\n\nimport \"net\"\n\nfunc Handle(c net.Conn) {\n\tdefer c.Close()\n\tbuf := make([]byte, 1)\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\tfor i := 0; i < int(buf[0]); i++ {\n\t\tif buf[0] == %d {\n\t\t\tc.Read(buf)\n\t\t}\n\t}\n", i%256)
	}
	b.WriteString("\tc.Write(buf)\n}\n")
	return b.String()
}

// hugePass type-checks src and builds its SSA, and returns a Pass that
// runs analyzers on it alone (facts of other packages are absent).
func hugePass(tb testing.TB, src string, report func(analysis.Diagnostic)) (*analysis.Pass, *ssa.Function) {
	tb.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "huge.go", src, parser.SkipObjectResolution)
	if err != nil {
		tb.Fatal(err)
	}
	files := []*ast.File{f}
	conf := &types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	ssapkg, info, err := ssautil.BuildPackage(conf, fset, types.NewPackage("huge", "huge"), files, 0)
	if err != nil {
		tb.Fatal(err)
	}
	fn := ssapkg.Func("Handle")
	funcs := append([]*ssa.Function{fn}, fn.AnonFuncs...)
	pass := &analysis.Pass{
		Analyzer:          Analyzer,
		Fset:              fset,
		Files:             files,
		Pkg:               ssapkg.Pkg,
		TypesInfo:         info,
		ResultOf:          map[*analysis.Analyzer]any{buildssa.Analyzer: &buildssa.SSA{Pkg: ssapkg, SrcFuncs: funcs}},
		Report:            report,
		ImportObjectFact:  func(types.Object, analysis.Fact) bool { return false },
		ImportPackageFact: func(*types.Package, analysis.Fact) bool { return false },
		ExportObjectFact:  func(types.Object, analysis.Fact) {},
		ExportPackageFact: func(analysis.Fact) {},
	}
	return pass, fn
}

// TestHugeFunction checks that a function of over 10,000 blocks is
// analyzed (and its bug found); BenchmarkHugeFunction measures how fast.
func TestHugeFunction(t *testing.T) {
	var diags []analysis.Diagnostic
	pass, fn := hugePass(t, hugeSource(2600), func(d analysis.Diagnostic) { diags = append(diags, d) })
	if n := len(fn.Blocks); n < 10000 {
		t.Fatalf("generated function has %d blocks, want at least 10,000", n)
	}
	if _, err := Analyzer.Run(pass); err != nil {
		t.Fatal(err)
	}
	if len(diags) != 1 || diags[0].Category != CategoryUnreadClose {
		t.Fatalf("got %v, want one %s diagnostic at the deferred Close", diags, CategoryUnreadClose)
	}
}

// BenchmarkHugeFunction compares rstlint with nilness on a generated
// function of over 10,000 blocks, on the same work two ways:
//
//   - ssa=outside: the package's SSA is built once, outside the timer, and
//     each analyzer runs on it (nilness on buildssa's result, rstlint's
//     stages on the same functions);
//   - ssa=inside: each iteration also builds the SSA the analyzer needs,
//     as a driver's pass does (nilness through buildssa, rstlint through
//     its own packageSSA), after the ctrlflow pass both require.
//
// Report the ratios of the ns/op figures from one run.
func BenchmarkHugeFunction(b *testing.B) {
	pass, _ := hugePass(b, hugeSource(2600), func(analysis.Diagnostic) {})
	cfg := DefaultOptions().config()
	built := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	b.Run("ssa=outside/rstlint", func(b *testing.B) {
		code := &packageCode{prog: built.Pkg.Prog, funcs: built.SrcFuncs}
		for b.Loop() {
			if _, err := analyzeCode(pass, cfg, code, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ssa=outside/nilness", func(b *testing.B) {
		for b.Loop() {
			if _, err := nilness.Analyzer.Run(pass); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A pass of its own, whose ResultOf each iteration fills anew.
	fresh := *pass
	run := func(b *testing.B, chain ...*analysis.Analyzer) {
		for b.Loop() {
			fresh.ResultOf = make(map[*analysis.Analyzer]any)
			for _, a := range chain {
				fresh.Analyzer = a
				res, err := a.Run(&fresh)
				if err != nil {
					b.Fatal(err)
				}
				fresh.ResultOf[a] = res
			}
		}
	}
	b.Run("ssa=inside/rstlint", func(b *testing.B) {
		run(b, inspect.Analyzer, ctrlflow.Analyzer, Analyzer)
	})
	b.Run("ssa=inside/nilness", func(b *testing.B) {
		run(b, inspect.Analyzer, ctrlflow.Analyzer, buildssa.Analyzer, nilness.Analyzer)
	})
}
