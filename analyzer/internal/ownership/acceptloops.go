package ownership

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file follows conns through accept loops. A helper that accepts
// from the listener it is given and calls the function it is given with
// each conn (nps's conn.Accept(l, f)) hands that function the listener's
// conns: what they are is decided at the helper's call, by the listener
// passed there. Given a mux session, the function's conn is a stream
// that is no socket, and it is followed, not judged, like a parameter a
// call passes a stream (NoStreamParams).

// FindAcceptLoops records in the table the package's declared functions
// that call a func-typed parameter (directly, in a go statement, or from
// a literal) with a conn accepted from one of their parameters, for this
// package's calls and, as an AcceptLoopFact, for other packages'.
func FindAcceptLoops(funcs []*ssa.Function, table *summary.Table) {
	for _, call := range knowledge.Calls(funcs) {
		if call.Common().IsInvoke() {
			continue
		}
		owner, handler := handlerParam(call.Common().Value)
		if owner == nil || table.AcceptLoop(owner) != nil {
			continue
		}
		for j, a := range call.Common().Args {
			if knowledge.IsConnType(a.Type()) {
				if ln := acceptedFrom(owner, a); ln >= 0 {
					table.PutAcceptLoop(owner, &summary.AcceptLoopFact{Listener: ln, Func: handler, Param: j})
					break
				}
			}
		}
	}
}

// acceptedFrom returns the index of owner's parameter whose Accept made
// v (c, err := l.Accept(), seen through conversions and the variables
// literals capture), or -1.
func acceptedFrom(owner *ssa.Function, v ssa.Value) int {
	for range knowledge.MaxDepth {
		switch x := knowledge.Through(v).(type) {
		case *ssa.Call: // Through steps from c to the call of c, err := l.Accept()
			recv := acceptReceiver(x.Common())
			if recv == nil {
				return -1
			}
			r := knowledge.Through(recv)
			if fv, ok := r.(*ssa.FreeVar); ok {
				r = knowledge.Binding(fv)
			}
			if p, ok := r.(*ssa.Parameter); ok && p.Parent() == owner {
				return knowledge.ParamIndex(owner, p)
			}
			return -1
		default:
			if v = capturedFrom(x); v == nil {
				return -1
			}
		}
	}
	return -1
}

// acceptReceiver returns the receiver of a call of an Accept method
// without arguments that returns a conn and an error, or nil.
func acceptReceiver(cc *ssa.CallCommon) ssa.Value {
	sig := cc.Signature()
	if sig.Params().Len() != 0 || sig.Results().Len() != 2 || !knowledge.IsConnType(sig.Results().At(0).Type()) {
		return nil
	}
	if cc.IsInvoke() {
		if cc.Method.Name() == "Accept" {
			return cc.Value
		}
		return nil
	}
	if callee := cc.StaticCallee(); callee != nil && callee.Name() == "Accept" && callee.Signature.Recv() != nil && len(cc.Args) == 1 {
		return cc.Args[0]
	}
	return nil
}

// markAccepted marks the conn parameter of each function given to an
// accept loop (AcceptLoopFact) with a listener that hands out no sockets.
func (d *datagrams) markAccepted(funcs []*ssa.Function) {
	for _, call := range knowledge.Calls(funcs) {
		callee := call.Common().StaticCallee()
		if callee == nil {
			continue
		}
		fact := d.table.AcceptLoop(callee)
		args := call.Common().Args
		if fact == nil || fact.Listener >= len(args) || fact.Func >= len(args) || !d.noSocketListener(args[fact.Listener]) {
			continue
		}
		handler, shift := storedFunc(args[fact.Func])
		if i := fact.Param + shift; handler != nil && i < len(handler.Params) && knowledge.IsConnType(handler.Params[i].Type()) {
			d.mark(handler, i)
		}
	}
}

// noSocketListener reports whether v is a listener of a concrete type
// whose Accept returns only conns that are no socket (a mux session).
func (d *datagrams) noSocketListener(v ssa.Value) bool {
	t := knowledge.Through(v).Type()
	if types.IsInterface(t) || d.table.MethodSets == nil || d.table.MethodValue == nil {
		return false
	}
	sel := d.table.MethodSets.MethodSet(t).Lookup(nil, "Accept")
	if sel == nil {
		return false
	}
	accept := d.table.MethodValue(sel)
	if accept == nil {
		return false
	}
	if d.table.NoSocket(accept) {
		return true
	}
	res := accept.Signature.Results()
	return res.Len() > 0 && d.noSockets.IsType(res.At(0).Type())
}
