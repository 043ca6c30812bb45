package analyzer_test

import (
	"go/ast"
	"go/types"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/tools/go/packages"
)

// stages are the analyzer's files in pipeline order. A file may use what
// the files before it declare, never what a later one does: the stages
// pass values forward, and a newcomer can read them in this order.
var stages = []string{
	"calls.go",     // the shape of SSA calls, types and constants
	"stdlib.go",    // the catalogue: origins, wrappers, what std calls do
	"options.go",   // categories and options
	"cfg.go",       // block order and loops
	"datagram.go",  // parameters fed datagram conns
	"fields.go",    // owning fields
	"state.go",     // the lattice of connection states
	"facts.go",     // summaries' vocabulary, exported as facts
	"track.go",     // connections and their aliases
	"outcomes.go",  // outcomes of calls on the edges of an If
	"events.go",    // what each instruction does to each connection
	"flow.go",      // the dataflow: Closes, launches, states at return
	"launches.go",  // copy goroutines, grouped by what they signal
	"summary.go",   // summaries built, exported and looked up
	"judge.go",     // verdicts on a function's Closes
	"proxy.go",     // the proxy rule
	"directive.go", // //rstlint:ignore
	"fix.go",       // the suggested fix
	"report.go",    // messages and diagnostics
	"confirm.go",   // the runtime trace: confirmed and runtime-only
	"build.go",     // the package's SSA, built only when needed
	"analyzer.go",  // the Analyzer and its driver
	"doc.go",       // the package documentation
}

// TestLayering checks that every non-test file of the analyzer is a listed
// stage and uses only the stages before it.
func TestLayering(t *testing.T) {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax |
		packages.NeedTypes | packages.NeedTypesInfo}
	pkgs, err := packages.Load(cfg, "github.com/rstlint/rstlint/analyzer")
	if err != nil {
		t.Skipf("cannot load the analyzer package: %v", err)
	}
	if packages.PrintErrors(pkgs) > 0 || len(pkgs) != 1 {
		t.Fatal("the analyzer package does not load")
	}
	pkg := pkgs[0]
	stageOf := func(file string) int { return slices.Index(stages, filepath.Base(file)) }
	for _, f := range pkg.GoFiles {
		if stageOf(f) < 0 {
			t.Errorf("%s is not in the list of stages: add it where it belongs in the pipeline", filepath.Base(f))
		}
	}
	check := func(id *ast.Ident, obj types.Object) {
		if obj == nil || obj.Pkg() != pkg.Types || !obj.Pos().IsValid() {
			return
		}
		if v, ok := obj.(*types.Var); ok && !v.IsField() && obj.Parent() != pkg.Types.Scope() {
			return // a local variable or parameter
		}
		if _, ok := obj.(*types.Label); ok {
			return
		}
		if obj.Parent() != nil && obj.Parent() != pkg.Types.Scope() {
			return // local types and constants
		}
		user := pkg.Fset.Position(id.Pos()).Filename
		decl := pkg.Fset.Position(obj.Pos()).Filename
		if u, d := stageOf(user), stageOf(decl); u >= 0 && d > u {
			t.Errorf("%s uses %s, declared by a later stage, %s", pkg.Fset.Position(id.Pos()), obj.Name(), filepath.Base(decl))
		}
	}
	for id, obj := range pkg.TypesInfo.Uses {
		check(id, obj)
	}
	for sel, s := range pkg.TypesInfo.Selections {
		check(sel.Sel, s.Obj())
	}
}
