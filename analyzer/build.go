package analyzer

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/ssa"
)

// This file builds the SSA form of the package under analysis, when (and
// only when) rstlint has something to look at in it.
//
// rstlint declares facts, so every driver runs it on every dependency of
// the packages it checks. Requiring buildssa would then build SSA for all
// of them, std included, and keep it while the checker runs: most of the
// cost of running rstlint standalone, and gigabytes on large modules. So
// rstlint requires only ctrlflow (cheap, shared with buildssa and the
// passes that use it, and what buildssa itself uses to know which calls
// never return), and builds the SSA of a package itself, after it has
// found that the package can hold a connection. The SSA is the same as
// buildssa's, and is dropped when the pass ends.

// packageSSA builds pass's package and returns its source functions, in
// buildssa's order: each function declaration in file order, followed by
// its function literals, depth first.
func packageSSA(pass *analysis.Pass) (*ssa.Program, []*ssa.Function) {
	prog := ssa.NewProgram(pass.Fset, ssa.BuilderMode(0))
	if cfgs, ok := pass.ResultOf[ctrlflow.Analyzer].(*ctrlflow.CFGs); ok {
		prog.SetNoReturn(cfgs.NoReturn)
	}
	for _, p := range pass.Pkg.Imports() {
		prog.CreatePackage(p, nil, nil, true)
	}
	pkg := prog.CreatePackage(pass.Pkg, pass.Files, pass.TypesInfo, false)
	pkg.Build()

	var funcs []*ssa.Function
	var withLiterals func(f *ssa.Function)
	withLiterals = func(f *ssa.Function) {
		funcs = append(funcs, f)
		for _, anon := range f.AnonFuncs {
			withLiterals(anon)
		}
	}
	for _, file := range pass.Files {
		for _, decl := range file.Decls {
			if decl, ok := decl.(*ast.FuncDecl); ok {
				if fn, ok := pass.TypesInfo.Defs[decl.Name].(*types.Func); ok {
					if f := prog.FuncValue(fn); f != nil {
						withLiterals(f)
					}
				}
			}
		}
	}
	return prog, funcs
}

// mayHoldConns reports whether the package's code can hold a connection
// rstlint follows, from its type information alone, before any SSA is
// built: an expression of a type only a socket has (net.Conn,
// *net.TCPConn, *tls.Conn...), a function taking or returning a closable
// conn-like value (io.ReadWriteCloser: a pipe helper's facts matter to its
// callers), or, where raw descriptors are followed, a call of a
// descriptor origin (syscall.Socket, unix.Accept...). A package that only
// uses net for its addresses (crypto/x509) is left alone.
func mayHoldConns(pass *analysis.Pass, fdAware bool) bool {
	seen := make(map[types.Type]bool)
	holds := func(t types.Type) bool {
		if t == nil || seen[t] {
			return false
		}
		seen[t] = true
		if isDefiniteConnType(t) {
			return true
		}
		sig, ok := t.(*types.Signature)
		return ok && closableConnIn(sig)
	}
	for _, tv := range pass.TypesInfo.Types {
		if holds(tv.Type) {
			return true
		}
	}
	for _, obj := range pass.TypesInfo.Defs {
		if fn, ok := obj.(*types.Func); ok && holds(fn.Type()) {
			return true
		}
	}
	if fdAware {
		for _, obj := range pass.TypesInfo.Uses {
			if fn, ok := obj.(*types.Func); ok && origins[fn.FullName()].kind == kindFD && origins[fn.FullName()].verb != "" {
				return true
			}
		}
	}
	return false
}

// closableConnIn reports whether a signature takes or returns a value that
// may be a conn and can be closed.
func closableConnIn(sig *types.Signature) bool {
	for _, tuple := range []*types.Tuple{sig.Params(), sig.Results()} {
		for v := range tuple.Variables() {
			t := v.Type()
			if isConnType(t) {
				if m, _, _ := types.LookupFieldOrMethod(t, true, nil, "Close"); m != nil {
					return true
				}
			}
		}
	}
	return false
}
