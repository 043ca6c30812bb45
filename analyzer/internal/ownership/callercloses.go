package ownership

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
)

// This file is the callers' side of a helper's conn. A function of the
// package that every call gives the conn, and that every caller closes as
// soon as the call returns without doing anything else with it (defer
// c.Close(); return handshake(c)), ends the conversation where it
// returns: each of its returns is that Close, and is judged there, where
// the drain or the half-close belongs (a handshake that rejects a peer's
// bad header drains before it returns its error). Its callers then see
// the conn closed at the call, and their own Close is a no-op.

// closedByCallers adds to out the conn parameters of the package's
// functions whose every call passes a conn the caller would judge
// (judgedArg), closes it when the call returns (closedAround), and does
// nothing else with it, before the call or after (onlyUse): the callee
// holds the whole conversation. Only
// functions no other package can call, called only directly, never
// taken as a value, a method value or through an interface.
func closedByCallers(funcs []*ssa.Function, out map[*ssa.Parameter]Closer) {
	sites := callSites(funcs)
	taken := takenFuncs(funcs)
	hidden := hiddenCallees(funcs, taken)
	for fn, calls := range sites {
		if taken[fn] || hidden[fn] || reachableFromOutside(fn) {
			continue
		}
		for i, p := range fn.Params {
			if _, done := out[p]; done || !knowledge.IsConnType(p.Type()) {
				continue
			}
			closer := Closer{Name: shortName(outermost(calls[0].Parent())), Caller: true}
			for _, site := range calls {
				call, ok := site.(*ssa.Call) // not go or defer: no caller waits for its return
				if !ok {
					closer.Caller = false
					break
				}
				a := call.Call.Args[i]
				at := closeAround(call.Parent(), call, a)
				if !at.IsValid() || !judgedArg(a) || !onlyUse(call, a) {
					closer.Caller = false
					break
				}
				if len(calls) == 1 {
					closer.At = at
				}
			}
			if closer.Caller {
				out[p] = closer
			}
		}
	}
}

// hiddenCallees are the package's methods that calls rstlint does not
// see as static may reach: those a method value or expression of theirs
// (a taken synthetic wrapper) calls, and those an interface call may
// reach by their name.
func hiddenCallees(funcs []*ssa.Function, taken map[*ssa.Function]bool) map[*ssa.Function]bool {
	hidden := make(map[*ssa.Function]bool)
	invoked := make(map[string]bool)
	for _, call := range knowledge.Calls(funcs) {
		if cc := call.Common(); cc.IsInvoke() {
			invoked[cc.Method.Name()] = true
		}
	}
	for w := range taken {
		if w.Synthetic == "" {
			continue
		}
		for _, call := range knowledge.Calls([]*ssa.Function{w}) {
			if callee := call.Common().StaticCallee(); callee != nil {
				hidden[callee] = true
			}
		}
	}
	for _, fn := range funcs {
		if fn.Signature.Recv() != nil && invoked[fn.Name()] {
			hidden[fn] = true
		}
	}
	return hidden
}

// judgedArg reports whether a conn a caller passes is one it would judge
// itself, whose states the callee's own are: one of its parameters, or a
// conn it accepted, possibly captured by the literal that makes the call.
// A conn of mixed or unknown origin (a dial through a dialer rstlint does
// not know, or a wrapper chosen on some paths) is left where it is.
func judgedArg(v ssa.Value) bool {
	for range knowledge.MaxDepth {
		switch x := knowledge.Through(v).(type) {
		case *ssa.Parameter:
			return true
		case *ssa.Call:
			return acceptReceiver(x.Common()) != nil
		case *ssa.FreeVar:
			if v = knowledge.Binding(x); v == nil {
				return false
			}
		case *ssa.UnOp: // a load of a captured variable's cell
			fv, ok := x.X.(*ssa.FreeVar)
			if !ok {
				return false
			}
			cell, ok := knowledge.Binding(fv).(*ssa.Alloc)
			if !ok {
				return false
			}
			if v = storedOnce(cell); v == nil {
				return false
			}
		default:
			return false
		}
	}
	return false
}

// reachableFromOutside reports whether another package may call fn: an
// exported function or method, or a synthetic one.
func reachableFromOutside(fn *ssa.Function) bool {
	if fn.Parent() != nil {
		return false // a literal: only its own package holds it
	}
	obj, ok := fn.Object().(*types.Func)
	return !ok || obj.Exported()
}

// onlyUse reports whether the call is the caller's one use of conn that
// touches its data: every other use is its Close, its addresses or its
// deadlines and socket options (a caller that greets first, or reads
// through a reader it made, holds part of the conversation itself, and
// the callee's states would not be the conn's). A conn a literal
// captured is its enclosing function's too, which may do nothing with it
// but hand it to that literal (a goroutine per conn), and not to others
// that read it.
func onlyUse(call *ssa.Call, conn ssa.Value) bool {
	for _, v := range connValues(conn) {
		if usedBesides(v, call, nil, conn) {
			return false
		}
	}
	lit := call.Parent()
	var fv *ssa.FreeVar
	switch x := knowledge.Through(conn).(type) {
	case *ssa.FreeVar:
		fv = x
	case *ssa.UnOp: // a load of a captured variable's cell
		fv, _ = x.X.(*ssa.FreeVar)
	}
	if fv == nil {
		return true
	}
	switch b := knowledge.Binding(fv).(type) {
	case *ssa.Alloc: // the cell of a variable the literal captured
		for _, r := range *b.Referrers() {
			switch r := r.(type) {
			case *ssa.Store, *ssa.DebugRef:
			case *ssa.UnOp:
				if usedBesides(r, nil, lit, conn) {
					return false
				}
			default:
				if !allowedUse(r, nil, lit, conn) {
					return false
				}
			}
		}
		return true
	case nil, *ssa.FreeVar:
		return false // nested deeper than one literal: not followed
	default:
		return !usedBesides(b, nil, lit, conn)
	}
}

// usedBesides reports whether v, or a value AnyView walks to from it, has
// a use allowedUse does not accept.
func usedBesides(v ssa.Value, call *ssa.Call, lit *ssa.Function, conn ssa.Value) bool {
	return knowledge.AnyView(v, func(w ssa.Value) bool {
		if w.Referrers() == nil {
			return false
		}
		for _, r := range *w.Referrers() {
			if !allowedUse(r, call, lit, conn) {
				return true
			}
		}
		return false
	})
}

// allowedUse reports whether an instruction is the call, a closure of lit
// (the literal that makes the call, capturing the conn), or a use that
// leaves conn's data alone.
func allowedUse(r ssa.Instruction, call *ssa.Call, lit *ssa.Function, conn ssa.Value) bool {
	if mc, ok := r.(*ssa.MakeClosure); ok && lit != nil && mc.Fn == lit {
		return true
	}
	return call != nil && r == call || idleUse(r, conn)
}

// idleUse reports whether an instruction leaves a conn's data alone: its
// Close (deferred or not), its addresses, deadlines and options, a debug
// reference, or a step AnyView follows on to the conn's other views.
func idleUse(instr ssa.Instruction, conn ssa.Value) bool {
	switch i := instr.(type) {
	case *ssa.DebugRef:
		return true
	case *ssa.Defer:
		return closes(i.Common(), conn)
	case *ssa.MakeInterface, *ssa.ChangeInterface, *ssa.ChangeType, *ssa.Convert, *ssa.Phi:
		return true // a view: its own uses are walked
	case ssa.CallInstruction:
		switch calledMethod(i.Common()) {
		case "Close", "RemoteAddr", "LocalAddr", "SetDeadline", "SetReadDeadline", "SetWriteDeadline",
			"SetKeepAlive", "SetKeepAlivePeriod", "SetNoDelay":
			return true
		}
	}
	return false
}
