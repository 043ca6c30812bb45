package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"sync"
	"sync/atomic"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/ownership"
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
// buildssa's, and is dropped when the pass ends. The command goes one step
// further (ShareSSA, below): its passes share one program, so that each
// imported package is created once.

// packageSSA builds pass's package and returns it with its source
// functions, in buildssa's order: each function declaration in file order,
// followed by its function literals, depth first. The caller must call the
// package's release when it is done with them.
func packageSSA(pass *analysis.Pass) *packageCode {
	if sp := sharedProgramFor(pass); sp != nil {
		if code := sp.build(pass); code != nil {
			return code
		}
	}
	prog := ssa.NewProgram(pass.Fset, ssa.BuilderMode(0))
	if cfgs, ok := pass.ResultOf[ctrlflow.Analyzer].(*ctrlflow.CFGs); ok {
		prog.SetNoReturn(cfgs.NoReturn)
	}
	for _, p := range pass.Pkg.Imports() {
		prog.CreatePackage(p, nil, nil, true)
	}
	pkg := prog.CreatePackage(pass.Pkg, pass.Files, pass.TypesInfo, false)
	decls := declaredFuncs(pass, prog)
	pkg.Build()
	return &packageCode{prog: prog, funcs: withLiterals(decls)}
}

// packageCode is the SSA form of the package under analysis.
type packageCode struct {
	prog   *ssa.Program
	funcs  []*ssa.Function // the package's source functions
	shared *sharedProgram  // nil: prog is this pass's alone
}

// methodValue is prog.MethodValue, safe while other passes add packages
// to a shared program.
func (c *packageCode) methodValue(sel *types.Selection) *ssa.Function {
	if c.shared != nil {
		c.shared.mu.RLock()
		defer c.shared.mu.RUnlock()
	}
	return c.prog.MethodValue(sel)
}

// release drops the bodies of a shared program's functions of this
// package: they are garbage once the pass is over, and the packages that
// import this one must see its functions as they see those of a package
// created from types alone, with no body and no parameters (whose
// referrers would keep the body), through facts.
func (c *packageCode) release() {
	if c.shared == nil {
		return // the whole program is garbage with the pass
	}
	for _, fn := range c.funcs {
		fn.Blocks, fn.Recover, fn.Locals, fn.AnonFuncs = nil, nil, nil, nil
		fn.Params, fn.FreeVars = nil, nil
	}
}

// declaredFuncs returns the functions of the package's declarations, in
// file order.
func declaredFuncs(pass *analysis.Pass, prog *ssa.Program) []*ssa.Function {
	var funcs []*ssa.Function
	for _, file := range pass.Files {
		for _, decl := range file.Decls {
			if decl, ok := decl.(*ast.FuncDecl); ok {
				if fn, ok := pass.TypesInfo.Defs[decl.Name].(*types.Func); ok {
					if f := prog.FuncValue(fn); f != nil {
						funcs = append(funcs, f)
					}
				}
			}
		}
	}
	return funcs
}

// withLiterals returns decls, each followed by its (built) function
// literals, depth first.
func withLiterals(decls []*ssa.Function) []*ssa.Function {
	var funcs []*ssa.Function
	var add func(f *ssa.Function)
	add = func(f *ssa.Function) {
		funcs = append(funcs, f)
		for _, anon := range f.AnonFuncs {
			add(anon)
		}
	}
	for _, f := range decls {
		add(f)
	}
	return funcs
}

// Sharing one SSA program between the passes of a process.
//
// Every pass that builds SSA must first create an SSA package for each of
// its direct imports, with a function for every function and method they
// declare: a dependency like golang.org/x/sys/unix is 11,000 members, and
// it is created again for each of its importers. In a standalone run that
// is most of what rstlint allocates beyond the checker itself. Where all
// the passes of a process see one type-checked universe (the singlechecker
// command, not gopls or golangci-lint), they can share one program
// instead: each package is created once, as an import or with its syntax
// when its own pass builds it, and a pass drops its functions' bodies when
// it ends. The checker runs a package's pass after its imports' passes
// (facts), so a package's bodies are gone before any importer is built,
// and its importers use its facts, as they would in a program of their
// own.

// shareSSA is set by ShareSSA.
var shareSSA atomic.Bool

// ShareSSA makes the passes of this process build their SSA in one shared
// program instead of one program each, so that each imported package is
// created once, not once per importer: it lowers the memory a standalone
// run needs. Call it before the analysis starts, and only in a command
// whose passes all see one type-checked universe and that exits when the
// analysis is done (singlechecker, multichecker); not in gopls or
// golangci-lint, which type-check packages separately and live on. The
// diagnostics and facts are the same either way.
func ShareSSA() { shareSSA.Store(true) }

// sharedProgram is an SSA program shared by the passes over one FileSet.
type sharedProgram struct {
	fset *token.FileSet
	prog *ssa.Program
	// mu is held for writing while packages are created (go/ssa keeps
	// them in one map) and for reading while a package is built or its
	// methods are looked up.
	mu sync.RWMutex
	// noReturn has each package's ctrlflow result, by package: a
	// program has one predicate for functions that never return, and
	// each pass's ctrlflow result knows its own package's functions.
	noReturn sync.Map // *types.Package → *ctrlflow.CFGs
}

var shared struct {
	mu   sync.Mutex
	last *sharedProgram
}

// sharedProgramFor returns the program shared by the passes over
// pass.Fset, after recording the pass's ctrlflow result in it, or nil if
// passes do not share programs. Only the latest FileSet's program is kept:
// a driver that runs several universes one after the other
// (analysistest) starts a new one for each.
func sharedProgramFor(pass *analysis.Pass) *sharedProgram {
	if !shareSSA.Load() {
		return nil
	}
	shared.mu.Lock()
	sp := shared.last
	if sp == nil || sp.fset != pass.Fset {
		sp = &sharedProgram{fset: pass.Fset, prog: ssa.NewProgram(pass.Fset, ssa.BuilderMode(0))}
		sp.prog.SetNoReturn(func(fn *types.Func) bool {
			cfgs, ok := sp.noReturn.Load(fn.Pkg())
			return ok && cfgs.(*ctrlflow.CFGs).NoReturn(fn)
		})
		shared.last = sp
	}
	shared.mu.Unlock()
	if cfgs, ok := pass.ResultOf[ctrlflow.Analyzer].(*ctrlflow.CFGs); ok {
		sp.noReturn.Store(pass.Pkg, cfgs)
	}
	return sp
}

// build creates and builds pass's package in the shared program, or
// returns nil if it already exists there (created as another pass's
// import: a driver that does not run a package's pass before its
// importers'), for the caller to build it in a program of its own.
func (sp *sharedProgram) build(pass *analysis.Pass) *packageCode {
	sp.mu.Lock()
	if sp.prog.Package(pass.Pkg) != nil {
		sp.mu.Unlock()
		return nil
	}
	for _, p := range pass.Pkg.Imports() {
		if sp.prog.Package(p) == nil {
			sp.prog.CreatePackage(p, nil, nil, true)
		}
	}
	pkg := sp.prog.CreatePackage(pass.Pkg, pass.Files, pass.TypesInfo, false)
	decls := declaredFuncs(pass, sp.prog)
	sp.mu.Unlock()

	sp.mu.RLock()
	pkg.Build()
	sp.mu.RUnlock()
	return &packageCode{prog: sp.prog, funcs: withLiterals(decls), shared: sp}
}

// mayHoldConns reports whether the package's code can hold a connection
// rstlint follows, from its type information alone, before any SSA is
// built: an expression of a type only a socket has (net.Conn,
// *net.TCPConn, *tls.Conn...), a function taking or returning a closable
// conn-like value (io.ReadWriteCloser: a pipe helper's facts matter to its
// callers), or, where raw descriptors are followed, a call of a
// descriptor origin (syscall.Socket, unix.Accept...). In a package that
// imports net, an exported function that takes a reader (readerIn) may be
// given a conn too. A package that only uses net for its addresses, and
// exports nothing that reads (crypto/x509), is left alone.
func mayHoldConns(pass *analysis.Pass, fdAware, netUser bool) bool {
	seen := make(map[types.Type]bool)
	holds := func(t types.Type) bool {
		if t == nil || seen[t] {
			return false
		}
		seen[t] = true
		if knowledge.IsDefiniteConnType(t) {
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
		if fn, ok := obj.(*types.Func); ok && (holds(fn.Type()) || netUser && fn.Exported() && readerIn(fn.Type().(*types.Signature))) {
			return true
		}
	}
	if fdAware {
		for _, obj := range pass.TypesInfo.Uses {
			if fn, ok := obj.(*types.Func); ok && ownership.IsFDOrigin(fn.FullName()) {
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
			if closableConn(v.Type()) {
				return true
			}
		}
	}
	return false
}

// readerIn reports whether a signature takes a reader that may be a conn
// (an io.Reader): an exported parser of a package that imports net
// (socks.ReadAddr(r io.Reader)) reads what its callers give it, and they
// need its summary to know that it reads and how it fails.
func readerIn(sig *types.Signature) bool {
	for v := range sig.Params().Variables() {
		if _, isIface := types.Unalias(v.Type()).Underlying().(*types.Interface); !isIface || !knowledge.IsConnType(v.Type()) {
			continue
		}
		if m, _, _ := types.LookupFieldOrMethod(v.Type(), true, nil, "Read"); m != nil {
			return true
		}
	}
	return false
}

// closableConn reports whether a value of type t may be a conn and can be
// closed.
func closableConn(t types.Type) bool {
	if !knowledge.IsConnType(t) {
		return false
	}
	m, _, _ := types.LookupFieldOrMethod(t, true, nil, "Close")
	return m != nil
}

// declaresCloser reports whether the package declares a function that
// takes a closable value that may be a conn: a helper that closes what it
// is given (a logging `closeQuietly(c io.Closer)`), or a pipe helper
// (ownership.DefiniteParams), whose summaries its callers need although
// the package imports no socket package.
func declaresCloser(pass *analysis.Pass) bool {
	for _, obj := range pass.TypesInfo.Defs {
		if fn, ok := obj.(*types.Func); ok {
			for v := range fn.Type().(*types.Signature).Params().Variables() {
				if closableConn(v.Type()) {
					return true
				}
			}
		}
	}
	return false
}

// declaresViewMaker reports whether the package declares a function that
// takes a value that may be a conn and returns a reader or writer view of
// the kind bufio makes (a pool's `GetBufReader(r io.Reader) *bufio.Reader`):
// its callers need its view fact, although the package imports no socket
// package.
func declaresViewMaker(pass *analysis.Pass) bool {
	for _, obj := range pass.TypesInfo.Defs {
		fn, ok := obj.(*types.Func)
		if !ok {
			continue
		}
		sig := fn.Type().(*types.Signature)
		takes := false
		for v := range sig.Params().Variables() {
			takes = takes || knowledge.IsConnType(v.Type())
		}
		if !takes {
			continue
		}
		for v := range sig.Results().Variables() {
			if _, ok := knowledge.ViewOf(v.Type()); ok {
				return true
			}
		}
	}
	return false
}
