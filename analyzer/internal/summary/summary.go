// Package summary is what rstlint knows of a function when it analyzes
// the functions that call it: the summaries the dataflow computes for the
// package's own functions, bottom-up, and the facts that carry them to
// other packages. The Table answers every question about a callee from
// data: from the summaries computed so far, or from an imported fact. It
// never runs an analysis.
package summary

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/lattice"
)

// Func is what callers need of one analyzed function.
type Func struct {
	Params   map[RootKey]*Root // by index in fn.Params (and owning field)
	FreeVars map[RootKey]*Root // by index in fn.FreeVars (and owning field)
	Effects  ParamEffects      // the parameters' effects, in the order of their connections
	// Origin is set when fn's first result is always a conn from one
	// origin that fn keeps nowhere else: fn is an origin for its callers.
	Origin *OriginFact
	// WrapperParam is the parameter whose conn fn's first result wraps
	// (fn returns a fresh value of one of the program's conn types holding
	// it), or -1.
	WrapperParam int
	// WrapperParses: that wrapper's Read can fail on what it read.
	WrapperParses bool
	// Views are the results that hand a parameter's conn back to the
	// caller (the parameter itself, or a view of it).
	Views []View
}

// None is the summary of a function that does nothing to connections.
func None() *Func { return &Func{Effects: ParamEffects{}, WrapperParam: -1} }

// Root returns the summary of a root connection, nil when unknown.
func (s *Func) Root(key RootKey, param bool) *Root {
	if param {
		return s.Params[key]
	}
	return s.FreeVars[key]
}

// RootKey identifies a root connection of a function: the index of its
// parameter (or captured variable), and the name of an owning field ("" for
// the parameter itself).
type RootKey struct {
	Index int
	Field string
}

// Root is what a function does to one of its captured connections (or
// parameters): its effect, and every Close and go statement, relative to
// the function's entry, for the function that calls or starts it to judge
// with its own states.
type Root struct {
	Effect   ParamEffect
	Sites    []CloseSite
	Launches []LaunchSite
	Aborts   []token.Pos // deadlines set in the past, which abort other users' reads
	// ReadAborts are its CloseReads, which end other users' reads only.
	ReadAborts []token.Pos
}

// CloseSite is one Close of the connection inside the function, with the
// states (relative to the function's entry) in which it runs.
type CloseSite struct {
	Pos      token.Pos
	Rel      lattice.Mask
	LastIO   IOSite
	LingerAt token.Pos
	Via      string // the helper that closes, when not a direct Close
	// Broken: every path to it comes after a failed read or write (of
	// the conn, or of a copy direction it belongs to): the session is
	// broken there, and the Close cuts no live copy.
	Broken bool
}

// LaunchSite is a go statement inside the function that hands the
// connection on to a function literal, and that literal's summary (nil
// when unknown).
type LaunchSite struct {
	Root *Root
	Rel  lattice.Mask
}

// IOSite is a read or write of a connection, for messages: the last
// partial read (servers) or the last read or write (clients) before a
// Close.
type IOSite struct {
	Pos   token.Pos
	What  string // the function or method, e.g. "(*bufio.Reader).ReadString"
	Write bool   // a write, not a read
}

// Later returns whichever of a and b comes later in the source; merging
// paths keeps the latest site, so that the result does not depend on the
// order paths are merged in.
func Later(a, b IOSite) IOSite {
	if b.Pos > a.Pos {
		return b
	}
	return a
}

// Table holds the summaries of the package's functions computed so far,
// and reads the facts of other packages' functions. The driver fills it
// bottom-up: a function is summarized after the functions it calls (a
// recursive group together, to a fixed point), so the lookups of a
// function's analysis find its callees' summaries here.
type Table struct {
	pass  *analysis.Pass
	local map[*ssa.Function]*Func
	// noSocket are the package's functions whose conn result is never a
	// socket (NoSocketFact).
	noSocket map[*ssa.Function]bool
	// handlers are the package's func-typed fields whose calls are given
	// a conn the caller closes when they return (HandlerFact).
	handlers map[*types.Var]*HandlerFact
	// handlerParams are its functions that call a func parameter so.
	handlerParams map[*ssa.Function]*HandlerFact
	// acceptLoops are its functions that call a func parameter with the
	// conns their listener parameter accepts (AcceptLoopFact).
	acceptLoops map[*ssa.Function]*AcceptLoopFact
	// MethodSets and MethodValue are the SSA program's (MethodValue may
	// take a lock: the program can be shared with other passes).
	MethodSets  *typeutil.MethodSetCache
	MethodValue func(*types.Selection) *ssa.Function
}

// NewTable makes an empty table for pass's package.
func NewTable(pass *analysis.Pass, methodSets *typeutil.MethodSetCache, methodValue func(*types.Selection) *ssa.Function) *Table {
	return &Table{pass: pass, local: make(map[*ssa.Function]*Func), MethodSets: methodSets, MethodValue: methodValue}
}

// Put records the summary of a function of the package.
func (t *Table) Put(fn *ssa.Function, s *Func) { t.local[fn] = s }

// PutNoSocket records that a function of the package returns only conns
// that are no socket.
func (t *Table) PutNoSocket(fn *ssa.Function) {
	if t.noSocket == nil {
		t.noSocket = make(map[*ssa.Function]bool)
	}
	t.noSocket[fn] = true
}

// NoSocket reports whether fn's conn result is never a socket: a conn of
// the program's own making that closes nothing it holds (a mux stream).
func (t *Table) NoSocket(fn *ssa.Function) bool {
	fn = origin(fn)
	if obj, ok := t.foreign(fn); ok {
		var fact NoSocketFact
		return t.pass.ImportObjectFact(obj, &fact)
	}
	return t.noSocket[fn]
}

// PutHandler records that the package calls the func-typed field with a
// conn it closes when the call returns.
func (t *Table) PutHandler(field *types.Var, fact *HandlerFact) {
	if t.handlers == nil {
		t.handlers = make(map[*types.Var]*HandlerFact)
	}
	t.handlers[field] = fact
}

// Handler returns what the package that declares a func-typed field says
// of the calls of the function stored in it: the conn it is given and
// the function that closes that conn when it returns; nil when nothing.
func (t *Table) Handler(field *types.Var) *HandlerFact {
	if field.Pkg() != nil && field.Pkg() != t.pass.Pkg {
		var fact HandlerFact
		if t.pass.ImportObjectFact(field, &fact) {
			return &fact
		}
		return nil
	}
	return t.handlers[field]
}

// PutHandlerParam records that fn calls its func parameter fact.Func
// with a conn it closes when the call returns.
func (t *Table) PutHandlerParam(fn *ssa.Function, fact *HandlerFact) {
	if t.handlerParams == nil {
		t.handlerParams = make(map[*ssa.Function]*HandlerFact)
	}
	t.handlerParams[fn] = fact
}

// HandlerParam returns what is known of fn's handler parameter: the
// function given there is called with a conn closed when it returns.
func (t *Table) HandlerParam(fn *ssa.Function) *HandlerFact {
	fn = origin(fn)
	if obj, ok := t.foreign(fn); ok {
		var fact HandlerFact
		if t.pass.ImportObjectFact(obj, &fact) {
			return &fact
		}
		return nil
	}
	return t.handlerParams[fn]
}

// PutAcceptLoop records that fn calls its func parameter with the conns
// its listener parameter accepts.
func (t *Table) PutAcceptLoop(fn *ssa.Function, fact *AcceptLoopFact) {
	if t.acceptLoops == nil {
		t.acceptLoops = make(map[*ssa.Function]*AcceptLoopFact)
	}
	t.acceptLoops[fn] = fact
}

// AcceptLoop returns what is known of fn as an accept loop: which
// parameter's conns it hands to which function parameter; nil when it
// is none.
func (t *Table) AcceptLoop(fn *ssa.Function) *AcceptLoopFact {
	fn = origin(fn)
	if obj, ok := t.foreign(fn); ok {
		var fact AcceptLoopFact
		if t.pass.ImportObjectFact(obj, &fact) {
			return &fact
		}
		return nil
	}
	return t.acceptLoops[fn]
}

// Get returns the summary of a function of the package, or nil.
func (t *Table) Get(fn *ssa.Function) *Func { return t.local[fn] }

// origin is the function whose summary describes fn: an instantiation's
// generic function.
func origin(fn *ssa.Function) *ssa.Function {
	if orig := fn.Origin(); orig != nil {
		return orig
	}
	return fn
}

// foreign returns fn's object when fn is a function of another package
// (whose facts describe it).
func (t *Table) foreign(fn *ssa.Function) (*types.Func, bool) {
	if len(fn.Blocks) > 0 {
		return nil, false
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok || obj.Pkg() == nil || obj.Pkg() == t.pass.Pkg {
		return nil, false
	}
	return obj, true
}

// Effects returns what a function does to its connection parameters, or
// nil when nothing is known: a function of this package not summarized
// (yet: a recursive call), or of another package without a fact.
func (t *Table) Effects(fn *ssa.Function) ParamEffects {
	fn = origin(fn)
	if obj, ok := t.foreign(fn); ok {
		return importedEffects(t.pass, obj)
	}
	if s := t.local[fn]; s != nil {
		return s.Effects
	}
	return nil
}

// Literal returns what a function literal does to one of its free
// variables (or, with param set, parameters), or to an owning field of
// one; nil when unknown.
func (t *Table) Literal(fn *ssa.Function, key RootKey, param bool) *Root {
	if s := t.local[fn]; s != nil {
		return s.Root(key, param)
	}
	return nil
}

// GoParam returns the function parameter that fn only runs in a new
// goroutine, or -1 (knowledge.GoParam; LauncherFact across packages).
func (t *Table) GoParam(fn *ssa.Function) int {
	fn = origin(fn)
	if obj, ok := t.foreign(fn); ok {
		var fact LauncherFact
		if t.pass.ImportObjectFact(obj, &fact) {
			return fact.Param
		}
		return -1
	}
	return knowledge.GoParam(fn)
}

// Origin returns the origin whose conn fn always returns, if any.
func (t *Table) Origin(fn *ssa.Function) *OriginFact {
	fn = origin(fn)
	if obj, ok := t.foreign(fn); ok {
		return importedOrigin(t.pass, obj)
	}
	if s := t.local[fn]; s != nil {
		return s.Origin
	}
	return nil
}

// Views returns the results of fn that are views of its parameters.
func (t *Table) Views(fn *ssa.Function) []View {
	fn = origin(fn)
	if obj, ok := t.foreign(fn); ok {
		var fact ViewFact
		if t.pass.ImportObjectFact(obj, &fact) {
			return fact.Views
		}
		return nil
	}
	if s := t.local[fn]; s != nil {
		return s.Views
	}
	return nil
}

// WrapperParses reports whether the wrapper fn returns has a Read that can
// fail on what it read (a decrypting conn).
func (t *Table) WrapperParses(fn *ssa.Function) bool {
	fn = origin(fn)
	if obj, ok := t.foreign(fn); ok {
		var fact WrapperFact
		return t.pass.ImportObjectFact(obj, &fact) && fact.Parses
	}
	s := t.local[fn]
	return s != nil && s.WrapperParses
}

// WrapperParam returns the parameter whose conn fn's first result wraps.
func (t *Table) WrapperParam(fn *ssa.Function) (int, bool) {
	fn = origin(fn)
	if obj, ok := t.foreign(fn); ok {
		return importedWrapper(t.pass, obj)
	}
	if s := t.local[fn]; s != nil && s.WrapperParam >= 0 {
		return s.WrapperParam, true
	}
	return 0, false
}
