package summary

import (
	"fmt"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/lattice"
)

// This file is every analysis fact rstlint exports, and the one place
// that exports and imports them: what another package needs to know of
// this one's functions (ConnFact, WrapperFact, OriginFact, NoSocketFact) and
// fields (HandlerFact), that the
// package is worth analyzing (HasConnFacts), and where its Closes leave
// the judgement to the caller, for the runtime trace (DelegatedCloses).

// ParamEffect summarizes what a function does to one of its connection
// parameters, relative to the state the caller hands it: in the masks, an
// "unread" state means "as the caller left it". Callers apply it with
// lattice.Compose, so helpers that close, drain or half-close a connection
// are understood where they are called, in this package or (as a fact) in
// another one.
type ParamEffect struct {
	Index int // the parameter's index in the SSA signature (receiver first)
	// Field, when set, names an owning field of the struct the parameter
	// points to: the effect is on the conn in that field (s.conn).
	Field    string
	AtClose  uint64 // states in which the function closes it (0: never)
	AtReturn uint64 // states in which it is still open at a normal return
	// AtErr: the states at its returns of a non-nil error (0: it returns
	// none), a part of AtReturn: a caller's path where the error is not
	// nil resumes from these (a header writer that fails before writing
	// leaves the conn as it was, one that closes on failure leaves it
	// closed).
	AtErr uint64
	// AtOK: the states at its returns of a nil error (0: it returns none),
	// where a caller's path on which the error is nil resumes.
	AtOK    uint64
	Uses    bool // it reads or writes data: the function owns the connection
	Reads   bool // it reads some input
	Writes  bool // it writes data
	Drains  bool // it reads the connection to EOF (io.Copy from it...)
	Escapes bool // it keeps the connection or hands it on
	ErrDone bool // a non-nil error result means a read or write failed
	// ErrRead: some non-nil error results come from a failed read (EOF):
	// a loop that stops only when such a call fails reads to EOF.
	ErrRead bool
	// SetsLinger: the function sets SO_LINGER on the conn to the value of
	// its parameter LingerParam (tryLinger(c, secs)): a constant 0 at the
	// call is SetLinger(0).
	SetsLinger  bool
	LingerParam int
	// LeftReading: the function returns while a copy goroutine it started
	// may still read the conn (a pipe helper that returns after its first
	// direction): a Close by the caller then cuts that copy short.
	LeftReading bool
	// AtQuiet: with LeftReading, the states at the returns where no copy
	// it started may still use the conn (an error reply written before
	// any copy began): a caller's Close there cuts nothing, and is judged
	// on those paths apart.
	AtQuiet uint64
	// AssumesSocket: the socket types (SocketBit) the function asserts
	// the conn to, half-closing it only where the assertion holds; given
	// a conn not proven to be one of them, the half-close may not happen.
	AssumesSocket uint8
	// WritesLast: on some path to a return, the function's last use of
	// the conn is a write (it reads an answer, then sends the next
	// request): a dialed conn owes the reply to that write.
	WritesLast bool
	// Pumps: the function copies into the conn until its source ends
	// (io.Copy's destination, a loop that receives elsewhere and writes
	// it): a copy direction into the conn, which must pass the end on.
	Pumps bool
	// Unjudged: the function uses or keeps the conn and closes it, but
	// does not judge those Closes itself: its parameter's type does not
	// say it is a socket, and some call passes something else (stdio, an
	// SSH channel). The callers that pass a socket judge them.
	Unjudged bool
}

// OwnsConn reports whether the function answers for the connection
// itself: it reads or writes it, or keeps it. A Close inside such a
// function is judged there, not where it is called.
func (p *ParamEffect) OwnsConn() bool { return p.Uses || p.Escapes }

// String renders the effect compactly, as facts appear in tests: the
// parameter (and field), the states it closes and returns in, and its
// flags, in words a test's regular expression can name without escapes.
func (p ParamEffect) String() string {
	s := fmt.Sprintf("p%d", p.Index)
	if p.Field != "" {
		s += "." + p.Field
	}
	if p.AtClose != 0 {
		s += " closes " + lattice.Mask(p.AtClose).Words()
	}
	s += " returns " + lattice.Mask(p.AtReturn).Words()
	for _, flag := range []struct {
		on   bool
		name string
	}{{p.Uses, "uses"}, {p.Reads, "reads"}, {p.Writes, "writes"}, {p.Drains, "drains"}, {p.Escapes, "escapes"}, {p.ErrDone, "errdone"}, {p.ErrRead, "errread"},
		{p.SetsLinger, fmt.Sprintf("linger=p%d", p.LingerParam)}, {p.LeftReading, "leftreading"}, {p.AssumesSocket != 0, "assumes=" + socketNames(p.AssumesSocket)},
		{p.WritesLast && (p.Reads || p.Drains), "writeslast"}, {p.Pumps, "pumps"}, {p.Unjudged, "unjudged"}} {
		if flag.on {
			s += " " + flag.name
		}
	}
	return s
}

// ParamEffects is what callers need to know about a callee: one effect
// per connection parameter it does something to.
type ParamEffects []ParamEffect

// Param returns the effect on parameter i (or on its owning field named
// field), or nil when nothing is known (the parameter escapes, or is no
// connection; the field is not touched).
func (ps ParamEffects) Param(i int, field string) *ParamEffect {
	for j := range ps {
		if ps[j].Index == i && ps[j].Field == field {
			return &ps[j]
		}
	}
	return nil
}

// ConnFact is the fact exported for a function or method with at least one
// connection parameter it does something to.
type ConnFact struct {
	Params []ParamEffect
}

// AFact marks ConnFact as an analysis fact.
func (*ConnFact) AFact() {}

func (f *ConnFact) String() string {
	var parts []string
	for _, p := range f.Params {
		parts = append(parts, p.String())
	}
	return "conn " + strings.Join(parts, "; ")
}

// WrapperFact is the fact exported for a function that wraps one of its
// connection parameters in a value of its package's own conn type (whose
// Read, Write and Close go to that conn): its first result is the same
// conn.
type WrapperFact struct {
	Param  int  // the wrapped parameter's index in the SSA signature
	Parses bool // the wrapper's Read can fail on what it read (it decrypts)
}

// View says that a function's result Result is its parameter Param (or
// the conn of an owning field of it: an accessor), or a view of it (a
// bufio.Reader over it, an io.MultiReader that ends with it) on every
// return that is not nil: what the Checker Framework calls a must-call
// alias. The function hands the conn back, not on: its caller
// still owns the conn, and reading the result reads it.
type View struct {
	Result int            // the result's index
	Param  int            // the parameter's index in the SSA signature
	Field  string         // an owning field of the struct Param points to, whose conn it is (an accessor); "" for Param's own
	Role   knowledge.Role // what the result does with the conn: read it, or also write and close it
}

// ViewFact is the fact exported for a function some of whose results are
// views of its parameters.
type ViewFact struct {
	Views []View
}

// AFact marks ViewFact as an analysis fact.
func (*ViewFact) AFact() {}

func (f *ViewFact) String() string {
	var parts []string
	for _, v := range f.Views {
		p := fmt.Sprintf("p%d", v.Param)
		if v.Field != "" {
			p += "." + v.Field
		}
		parts = append(parts, fmt.Sprintf("r%d=%s %s", v.Result, p, v.Role))
	}
	return "views " + strings.Join(parts, " ")
}

// LauncherFact is exported for a function that only runs its function
// parameter Param in a new goroutine (a `go f()` helper with a recover):
// a call of it is a go statement.
type LauncherFact struct {
	Param int // the parameter's index in the SSA signature
}

// AFact marks LauncherFact as an analysis fact.
func (*LauncherFact) AFact() {}

func (f *LauncherFact) String() string { return fmt.Sprintf("launches p%d", f.Param) }

// HandlerFact is exported for a func-typed struct field that a server
// calls with a conn it closes when the call returns (a framework's
// Handler field, its doc saying "conn will be closed when Handler
// returns"): a function stored there hands the conn back at every return,
// and the server's Close runs in the states it returns in.
//
// On a function, it says the same of the function's func-typed
// parameter Func (ServeWith(ln, handler)): the function given there is
// called with a conn closed when it returns.
type HandlerFact struct {
	Param  int    // the index of the conn among the handler's parameters
	Closer string // the function that calls the handler and closes the conn
	Func   int    // on a function: the index of its handler parameter; -1 on a field
}

// AFact marks HandlerFact as an analysis fact.
func (*HandlerFact) AFact() {}

func (f *HandlerFact) String() string {
	if f.Func >= 0 {
		return fmt.Sprintf("handler p%d of p%d closed by %s", f.Param, f.Func, f.Closer)
	}
	return fmt.Sprintf("handler p%d closed by %s", f.Param, f.Closer)
}

// AcceptLoopFact is exported for a function that accepts conns from its
// listener parameter and calls the function in its func parameter with
// each (an accept loop: conn.Accept(l, func(c net.Conn) {...})). The
// function given there is handed the listener's conns: streams of a mux
// session when the listener is one, sockets when it is a TCP listener.
type AcceptLoopFact struct {
	Listener int // the index of the listener parameter
	Func     int // the index of the func parameter
	Param    int // the index of the conn among that function's parameters
}

// AFact marks AcceptLoopFact as an analysis fact.
func (*AcceptLoopFact) AFact() {}

func (f *AcceptLoopFact) String() string {
	return fmt.Sprintf("accepts from p%d into p%d of p%d", f.Listener, f.Param, f.Func)
}

// NoSocketFact is exported for a function whose conn result is never a
// socket: always a conn of its package's own making whose Close closes
// nothing it holds (a mux session's Accept hands out streams). A call of
// it gives a conn that no Close of which can reset.
type NoSocketFact struct{}

// AFact marks NoSocketFact as an analysis fact.
func (*NoSocketFact) AFact() {}

func (*NoSocketFact) String() string { return "nosocket" }

// AFact marks WrapperFact as an analysis fact.
func (*WrapperFact) AFact() {}

func (f *WrapperFact) String() string {
	if f.Parses {
		return fmt.Sprintf("wraps p%d parses", f.Param)
	}
	return fmt.Sprintf("wraps p%d", f.Param)
}

// OriginFact is the fact exported for a function whose conn result (its
// first conn-typed one, Result) is always a conn from one origin, which it hands to its caller and keeps
// nowhere (a listener wrapper's Accept, a dial helper): its callers own a
// conn of that origin.
type OriginFact struct {
	Verb   string           // "accepted", "dialed", "hijacked"
	Kind   int              // the origin's kind (stream, TLS)
	Client bool             // we speak first: the peer only answers what we send
	Socket knowledge.Socket // the socket type the conn is proven to be
	Result int              // the index of the result that carries the conn
	// CallerNetwork: the function dials on the network its parameter
	// NetworkParam names (a dial helper's network argument): its conn is
	// a stream where the caller passes a stream network.
	CallerNetwork bool
	NetworkParam  int
	NetworkTyped  bool // a stream network the caller passes decides the conn's socket type
}

// AFact marks OriginFact as an analysis fact.
func (*OriginFact) AFact() {}

func (f *OriginFact) String() string {
	s := "origin " + f.Verb
	if f.Socket != knowledge.NoSocket {
		s += " " + f.Socket.String()
	}
	if f.CallerNetwork {
		s += fmt.Sprintf(" network=p%d", f.NetworkParam)
	}
	return s
}

// HasConnFacts is a package fact: the package exports ConnFacts, so
// packages importing it are worth analyzing even without socket imports.
type HasConnFacts struct{}

// AFact marks HasConnFacts as an analysis fact.
func (*HasConnFacts) AFact()         {}
func (*HasConnFacts) String() string { return "hasConnFacts" }

// DelegatedCloses is a package fact, exported under a trace: the lines
// where a Close, or a call that closes, leaves the judgement to the
// function's caller (the conn is a parameter it does not own). A trace
// entry's walk passes such a frame on to the next one out.
type DelegatedCloses struct {
	Lines []string // "file:line", with the file both as the build saw it and as importdir/base
}

// AFact marks DelegatedCloses as an analysis fact.
func (*DelegatedCloses) AFact() {}

func (f *DelegatedCloses) String() string { return fmt.Sprintf("delegatedCloses(%d)", len(f.Lines)) }

// Types are the fact types, for analysis.Analyzer.FactTypes.
func Types() []analysis.Fact {
	return []analysis.Fact{new(ConnFact), new(WrapperFact), new(OriginFact), new(LauncherFact), new(ViewFact), new(NoSocketFact), new(HandlerFact), new(AcceptLoopFact), new(HasConnFacts), new(DelegatedCloses)}
}

// Export exports, for the packages that import this one, what its
// exported functions do to their connection parameters, which of them are
// origins (they return a conn from one) and which are wrappers (and of
// which parameter).
func Export(pass *analysis.Pass, funcs []*ssa.Function, t *Table) {
	exported := false
	for _, fn := range funcs {
		obj, ok := fn.Object().(*types.Func)
		if !ok || !obj.Exported() {
			continue
		}
		if p := knowledge.GoParam(fn); p >= 0 {
			pass.ExportObjectFact(obj, &LauncherFact{Param: p})
			exported = true
		}
		if t.noSocket[fn] {
			pass.ExportObjectFact(obj, new(NoSocketFact))
			exported = true
		}
		sum := t.local[fn]
		if sum == nil {
			continue
		}
		if sum.Origin != nil {
			pass.ExportObjectFact(obj, sum.Origin)
			exported = true
		}
		if sum.WrapperParam >= 0 {
			pass.ExportObjectFact(obj, &WrapperFact{Param: sum.WrapperParam, Parses: sum.WrapperParses})
			exported = true
		}
		if len(sum.Views) > 0 {
			pass.ExportObjectFact(obj, &ViewFact{Views: sum.Views})
			exported = true
		}
		var fact ConnFact
		interesting := false
		for _, pe := range sum.Effects {
			untouched := !pe.Escapes && pe.Field == "" && !knowledge.IsFDType(fn.Params[pe.Index].Type())
			// An escaping parameter is what no fact says: leave it out. An
			// owning field's effect stays even when it escapes: no effect
			// on a field means the function leaves it alone. So does a
			// pipe helper's: the copy it leaves reading is what its
			// callers must know.
			if !pe.Escapes || pe.Field != "" || pe.LeftReading {
				fact.Params = append(fact.Params, pe)
				// A conn the function leaves alone is worth a fact too:
				// without one, a caller in another package cannot tell it
				// from one the function keeps. (Not a descriptor: every
				// int parameter of a package making system calls is one.)
				interesting = interesting || pe.AtClose != 0 || pe.Uses || pe.ErrDone || pe.SetsLinger || pe.LeftReading ||
					lattice.Mask(pe.AtReturn) != lattice.MaskUnread || untouched
			}
		}
		if interesting {
			pass.ExportObjectFact(obj, &fact)
			exported = true
		}
	}
	for field, fact := range t.handlers {
		if field.Exported() && field.Pkg() == pass.Pkg {
			pass.ExportObjectFact(field, fact)
			exported = true
		}
	}
	for fn, fact := range t.handlerParams {
		if obj, ok := fn.Object().(*types.Func); ok && obj.Exported() {
			pass.ExportObjectFact(obj, fact)
			exported = true
		}
	}
	for fn, fact := range t.acceptLoops {
		if obj, ok := fn.Object().(*types.Func); ok && obj.Exported() {
			pass.ExportObjectFact(obj, fact)
			exported = true
		}
	}
	if exported {
		pass.ExportPackageFact(new(HasConnFacts))
	}
}

// importedEffects, importedOrigin and importedWrapper read the facts of a
// function of another package.
func importedEffects(pass *analysis.Pass, obj *types.Func) ParamEffects {
	var fact ConnFact
	if !pass.ImportObjectFact(obj, &fact) {
		return nil
	}
	return fact.Params
}

func importedOrigin(pass *analysis.Pass, obj *types.Func) *OriginFact {
	var fact OriginFact
	if !pass.ImportObjectFact(obj, &fact) {
		return nil
	}
	return &fact
}

func importedWrapper(pass *analysis.Pass, obj *types.Func) (int, bool) {
	var fact WrapperFact
	if !pass.ImportObjectFact(obj, &fact) {
		return 0, false
	}
	return fact.Param, true
}

// ImportsConnFacts reports whether the package imp exports rstlint facts.
func ImportsConnFacts(pass *analysis.Pass, imp *types.Package) bool {
	return pass.ImportPackageFact(imp, new(HasConnFacts))
}

// ExportDelegated exports the lines of the package's delegated Closes.
func ExportDelegated(pass *analysis.Pass, lines []string) {
	if len(lines) > 0 {
		pass.ExportPackageFact(&DelegatedCloses{Lines: lines})
	}
}

// ImportedDelegated returns the delegated lines of every package but this
// one, as a set.
func ImportedDelegated(pass *analysis.Pass) map[string]bool {
	lines := make(map[string]bool)
	for _, pf := range pass.AllPackageFacts() {
		if f, ok := pf.Fact.(*DelegatedCloses); ok && pf.Package != pass.Pkg {
			for _, l := range f.Lines {
				lines[l] = true
			}
		}
	}
	return lines
}

// SocketBit is the AssumesSocket bit of a socket type.
func SocketBit(s knowledge.Socket) uint8 { return 1 << s }

// Passes reports whether a conn proven to be of socket type s passes
// every assertion of assumed: the callee's half-closes all happen.
func Passes(s knowledge.Socket, assumed uint8) bool {
	return assumed == 0 || s != knowledge.NoSocket && assumed&SocketBit(s) != 0
}

func socketNames(assumed uint8) string {
	var names []string
	for _, s := range []knowledge.Socket{knowledge.TCPSocket, knowledge.UnixSocket} {
		if assumed&SocketBit(s) != 0 {
			names = append(names, s.String())
		}
	}
	return strings.Join(names, ",")
}
