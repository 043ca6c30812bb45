package ownership

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file finds the conns that are no socket. A mux session hands out
// streams that are net.Conns of the program's own making: a stream's
// Close sends a frame on the session's socket, or closes channels, and
// closes no socket itself, so no Close of a stream can reset. A
// parameter a call passes one is followed, not judged, as a datagram
// parameter is (NoStreamParams), and the callers that pass a socket
// judge it.

// NoSockets are the package's conn types that wrap no socket: their own
// Close closes nothing they hold.
type NoSockets struct {
	types map[*types.TypeName]bool
}

// FindNoSockets finds the package's conn types whose Close closes no
// conn and no descriptor, and records in the table the functions whose
// conn result is always one of them (a session's Accept), for this
// package's calls and, as a NoSocketFact, for other packages'.
func FindNoSockets(funcs []*ssa.Function, table *summary.Table) *NoSockets {
	local := make(map[*ssa.Function]bool, len(funcs))
	for _, fn := range funcs {
		local[fn] = true
	}
	ns := &NoSockets{types: make(map[*types.TypeName]bool)}
	for _, fn := range funcs {
		recv := fn.Signature.Recv()
		if recv == nil || fn.Name() != "Close" || fn.Signature.Params().Len() != 0 || fn.Synthetic != "" {
			continue
		}
		named := namedOf(recv.Type())
		if named == nil || !knowledge.IsConnStructType(types.NewPointer(named)) {
			continue
		}
		if closesNothing(fn, local, make(map[*ssa.Function]bool), 0) {
			ns.types[named.Obj()] = true
		}
	}
	if len(ns.types) == 0 {
		return ns
	}
	found := make(map[*ssa.Function]bool)
	for changed := true; changed; {
		changed = false
		for _, fn := range funcs {
			if found[fn] {
				continue
			}
			if r := connResult(fn.Signature); r >= 0 && ns.returnsOnly(fn, r, table) {
				found[fn] = true
				table.PutNoSocket(fn)
				changed = true
			}
		}
	}
	return ns
}

// IsType reports whether t is (a pointer to) one of the package's conn
// types that wrap no socket.
func (ns *NoSockets) IsType(t types.Type) bool {
	if ns == nil || len(ns.types) == 0 {
		return false
	}
	named := namedOf(t)
	return named != nil && ns.types[named.Obj()]
}

// namedOf returns the named type t is, or points to.
func namedOf(t types.Type) *types.Named {
	t = types.Unalias(t)
	if p, ok := t.(*types.Pointer); ok {
		t = types.Unalias(p.Elem())
	}
	named, _ := t.(*types.Named)
	return named
}

// connResult is the index of the first result of a conn type, or -1.
func connResult(sig *types.Signature) int {
	for i := range sig.Results().Len() {
		if knowledge.IsConnType(sig.Results().At(i).Type()) {
			return i
		}
	}
	return -1
}

// closesNothing reports whether a Close method, and what it runs of the
// package (calls, function values it passes on: sync.Once.Do's), close
// no conn and no descriptor: no Close-like call, no call of another
// package given a conn, no call of a function value rstlint cannot see.
// It answers no where the walk goes deeper than it looks.
func closesNothing(fn *ssa.Function, local, seen map[*ssa.Function]bool, depth int) bool {
	if seen[fn] {
		return true
	}
	if depth > 3 {
		return false
	}
	seen[fn] = true
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			cc := call.Common()
			if cc.IsInvoke() {
				if closeLike(cc.Method.Name()) || givenConn(cc.Args) {
					return false
				}
				continue
			}
			callee := cc.StaticCallee()
			if callee == nil {
				if c, ok := cc.Value.(*ssa.MakeClosure); ok && local[c.Fn.(*ssa.Function)] {
					callee = c.Fn.(*ssa.Function)
				} else if _, builtin := cc.Value.(*ssa.Builtin); builtin {
					continue // close(ch), len, append...
				} else {
					return false // a function value: anything
				}
			}
			if local[callee] {
				if !closesNothing(callee, local, seen, depth+1) {
					return false
				}
			} else if closeLike(callee.Name()) || closesFD(callee) || givenConn(cc.Args) {
				return false
			}
			// The package's functions it hands on (once.Do(c.closeOnce)).
			for _, a := range cc.Args {
				var f *ssa.Function
				switch a := a.(type) {
				case *ssa.MakeClosure:
					f, _ = a.Fn.(*ssa.Function)
				case *ssa.Function:
					f = a
				}
				if f != nil && local[f] && !closesNothing(f, local, seen, depth+1) {
					return false
				}
			}
		}
	}
	return true
}

// closeLike reports whether a method of that name may tear a conn down.
func closeLike(name string) bool {
	switch name {
	case "Close", "CloseWrite", "CloseRead", "Shutdown", "Abort", "Reset":
		return true
	}
	return false
}

// closesFD reports whether a function of another package closes or
// shuts down a raw descriptor.
func closesFD(fn *ssa.Function) bool {
	switch knowledge.FuncName(fn) {
	case "syscall.Close", "syscall.Shutdown", knowledge.PkgUnix + ".Close", knowledge.PkgUnix + ".Shutdown":
		return true
	}
	return false
}

// givenConn reports whether a call is given a conn (another package's
// function may close it).
func givenConn(args []ssa.Value) bool {
	for _, a := range args {
		if knowledge.IsConnType(a.Type()) || knowledge.IsConnStructType(a.Type()) {
			return true
		}
	}
	return false
}

// returnsOnly reports whether every return of fn gives, as its conn
// result, nil or a conn that is no socket, and one return does.
func (ns *NoSockets) returnsOnly(fn *ssa.Function, r int, table *summary.Table) bool {
	some := false
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || r >= len(ret.Results) {
			continue
		}
		switch ns.noSocketValue(ret.Results[r], table, 0) {
		case noSocketNo:
			return false
		case noSocketYes:
			some = true
		}
	}
	return some
}

type noSocketAnswer int

const (
	noSocketNo  noSocketAnswer = iota
	noSocketNil                // nil: no conn at all
	noSocketYes
)

// noSocketValue says whether v is a conn that is no socket: a value of
// one of the package's types that wrap none, the result of a function
// that returns only those, or nil; through conversions and phis.
func (ns *NoSockets) noSocketValue(v ssa.Value, table *summary.Table, depth int) noSocketAnswer {
	if depth > knowledge.MaxDepth {
		return noSocketNo
	}
	if c, ok := v.(*ssa.Const); ok && c.IsNil() {
		return noSocketNil
	}
	if ns.IsType(v.Type()) {
		return noSocketYes
	}
	switch x := v.(type) {
	case *ssa.Phi:
		answer := noSocketNil
		for _, e := range x.Edges {
			switch ns.noSocketValue(e, table, depth+1) {
			case noSocketNo:
				return noSocketNo
			case noSocketYes:
				answer = noSocketYes
			}
		}
		return answer
	case *ssa.Call:
		if callee := x.Common().StaticCallee(); callee != nil && table.NoSocket(callee) {
			return noSocketYes
		}
		return noSocketNo
	}
	if w, ok := knowledge.Step(v); ok {
		return ns.noSocketValue(w, table, depth+1)
	}
	return noSocketNo
}
