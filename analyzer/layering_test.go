package analyzer_test

import (
	"go/types"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// stages are the analyzer's packages in pipeline order: each may use the
// ones before it, never a later one. An import that runs back up does not
// compile (an import cycle) or fails TestLayering; a call that runs back
// up through an interface or a function value fails it too.
var stages = []string{
	"knowledge", // the catalogue: call shapes, sockets, what std calls do, what a Close is
	"lattice",   // the connection states and their sets
	"summary",   // summaries and facts: what callers know of a function
	"ownership", // origins, wrappers, owning fields, tracking, who answers for a Close
	"dataflow",  // events, outcomes, the solver, copy goroutines, summarizing
	"verdict",   // verdicts, proxy rules, messages, fix, directives, the trace
	"analyzer",  // the Analyzer and the driver that runs the stages bottom-up
}

// callbacks are the function-typed parameters, fields and variables of
// the stages, and why none lets a stage call a later one.
var callbacks = map[string]string{
	"summary.Table.MethodValue":             "the SSA program's method lookup, given by the driver: no stage's code",
	"summary.NewTable.methodValue":          "likewise",
	"ownership.DelegateMethods.methodValue": "likewise",
	"knowledge.AnyView.f":                   "a predicate the caller evaluates on the spot, on values only",
	"lattice.Mask.Each.f":                   "a loop body over states",
	"lattice.Mask.mapStates.f":              "a transfer function on one state",
	"lattice.Mask.live.f":                   "likewise",
	"verdict.judgeLaunch.add":               "records a candidate of the function being judged",
	"analyzer.bottomUp.deps":                "the driver's own dependency function",
	"analyzer.recursive.deps":               "likewise",
}

// TestLayering checks that each stage imports only stages before it, and
// that no stage declares an interface, nor a function-typed parameter,
// field or variable other than the callbacks listed.
func TestLayering(t *testing.T) {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedImports | packages.NeedTypes | packages.NeedTypesInfo | packages.NeedSyntax}
	pkgs, err := packages.Load(cfg, "github.com/rstlint/rstlint/analyzer", "github.com/rstlint/rstlint/analyzer/internal/...")
	if err != nil {
		t.Skipf("cannot load the analyzer packages: %v", err)
	}
	if packages.PrintErrors(pkgs) > 0 {
		t.Fatal("the analyzer packages do not load")
	}
	stageOf := func(path string) int {
		if path == "github.com/rstlint/rstlint/analyzer" {
			return slices.Index(stages, "analyzer")
		}
		name, ok := strings.CutPrefix(path, "github.com/rstlint/rstlint/analyzer/internal/")
		if !ok {
			return -1
		}
		return slices.Index(stages, name)
	}
	seenCallbacks := make(map[string]bool)
	for _, p := range pkgs {
		s := stageOf(p.PkgPath)
		if s < 0 {
			t.Errorf("%s is not a stage: add it to stages where it belongs in the pipeline", p.PkgPath)
			continue
		}
		for path := range p.Imports {
			if d := stageOf(path); d >= s {
				t.Errorf("%s imports %s, a later stage", p.PkgPath, path)
			}
		}
		for _, name := range p.Types.Scope().Names() {
			obj := p.Types.Scope().Lookup(name)
			if tn, ok := obj.(*types.TypeName); ok && types.IsInterface(tn.Type()) {
				t.Errorf("%s.%s is an interface: a later stage could be called through it", p.Types.Name(), name)
			}
		}
		check := func(where string, typ types.Type) {
			if _, ok := typ.Underlying().(*types.Signature); !ok {
				return
			}
			seenCallbacks[where] = true
			if _, ok := callbacks[where]; !ok {
				t.Errorf("%s is a function value: list it in callbacks with why no later stage runs through it, or remove it", where)
			}
		}
		for id, obj := range p.TypesInfo.Defs {
			v, ok := obj.(*types.Var)
			if !ok || id == nil {
				continue
			}
			switch {
			case v.IsField():
				if owner := fieldOwner(p.Types, v); owner != "" {
					check(p.Types.Name()+"."+owner+"."+v.Name(), v.Type())
				}
			case v.Parent() == p.Types.Scope():
				check(p.Types.Name()+"."+v.Name(), v.Type())
			default:
				if fn := paramOf(p.Types, v); fn != "" {
					check(p.Types.Name()+"."+fn+"."+v.Name(), v.Type())
				}
			}
		}
	}
	for where := range callbacks {
		if !seenCallbacks[where] {
			t.Errorf("callbacks lists %s, which is no function-typed parameter, field or variable: remove it", where)
		}
	}
}

// fieldOwner names the package-level named struct type that declares f.
func fieldOwner(pkg *types.Package, f *types.Var) string {
	for _, name := range pkg.Scope().Names() {
		tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok {
			continue
		}
		if st, ok := tn.Type().Underlying().(*types.Struct); ok {
			for i := range st.NumFields() {
				if st.Field(i) == f {
					return name
				}
			}
		}
	}
	return ""
}

// paramOf names the package-level function or method ("T.M") whose
// parameter v is, or "".
func paramOf(pkg *types.Package, v *types.Var) string {
	match := func(sig *types.Signature) bool {
		for p := range sig.Params().Variables() {
			if p == v {
				return true
			}
		}
		return false
	}
	for _, name := range pkg.Scope().Names() {
		switch obj := pkg.Scope().Lookup(name).(type) {
		case *types.Func:
			if match(obj.Signature()) {
				return name
			}
		case *types.TypeName:
			if named, ok := obj.Type().(*types.Named); ok {
				for m := range named.Methods() {
					if match(m.Signature()) {
						return name + "." + m.Name()
					}
				}
			}
		}
	}
	return ""
}
