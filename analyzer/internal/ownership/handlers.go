package ownership

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file is the server frameworks' side of a handler's conn. A
// framework's accept loop calls the function its Handler field holds
// with each conn, and closes the conn when the handler returns (cybozu-go
// well's "conn will be closed when Handler returns"). The handler never
// writes that Close, but every return of it is one: a handler that turns
// the client away by returning, with the request unread, resets it. The
// framework's package says so of the field (HandlerFact); the package that
// stores a function there judges that function's returns as the Close.

// FindHandlerFields records in the table the package's func-typed fields
// and function parameters that a function calls with a conn it closes
// after the call: by a Close deferred before the call (directly or in a
// deferred literal), or one that runs after it. A parameter is recorded
// on the declared function it belongs to (ServeWith(ln, handler)), and so
// is a parameter the function stores in such a field.
func FindHandlerFields(funcs []*ssa.Function, table *summary.Table) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok || call.Common().IsInvoke() {
					continue
				}
				field := loadedField(call.Common().Value)
				if field != nil && (fn.Pkg == nil || field.Pkg() != fn.Pkg.Pkg) {
					field = nil // another package's field: its own facts say what it is
				}
				owner, param := handlerParam(call.Common().Value)
				if field == nil && owner == nil {
					continue
				}
				for j, a := range call.Common().Args {
					// A conn by its type (an io.Reader given to another
					// package's Untar field is a file as often).
					if !knowledge.IsDefiniteConnType(a.Type()) || !closedAround(fn, call, a) {
						continue
					}
					fact := &summary.HandlerFact{Param: j, Closer: shortName(outermost(fn)), Func: -1}
					if field != nil {
						table.PutHandler(field, fact)
					} else {
						fact.Func = param
						table.PutHandlerParam(owner, fact)
					}
					break
				}
			}
		}
	}
	// A function that stores its func parameter in a handler field hands
	// it the same conns (ServeWith(ln, handle) building a Server).
	for _, fs := range knowledge.FieldStores(funcs) {
		fact := table.Handler(fs.Field)
		if fact == nil {
			continue
		}
		if owner, param := handlerParam(fs.Store.Val); owner != nil && table.HandlerParam(owner) == nil {
			table.PutHandlerParam(owner, &summary.HandlerFact{Param: fact.Param, Closer: fact.Closer, Func: param})
		}
	}
}

// handlerParam returns the declared function whose func-typed parameter v
// is (seen through the literals that capture it), and its index.
func handlerParam(v ssa.Value) (*ssa.Function, int) {
	for range knowledge.MaxDepth {
		switch x := v.(type) {
		case *ssa.Parameter:
			fn := x.Parent()
			if fn.Parent() != nil {
				return nil, -1 // a literal's own parameter: its callers are not known
			}
			if _, isFunc := x.Type().Underlying().(*types.Signature); !isFunc {
				return nil, -1
			}
			return fn, knowledge.ParamIndex(fn, x)
		default:
			if v = capturedFrom(x); v == nil {
				return nil, -1
			}
		}
	}
	return nil, -1
}

// capturedFrom is one step back through what a literal captures: the
// value a free variable is bound to, the cell a load reads, the one value
// stored in a cell; nil for any other value.
func capturedFrom(v ssa.Value) ssa.Value {
	switch x := v.(type) {
	case *ssa.FreeVar:
		return knowledge.Binding(x)
	case *ssa.UnOp:
		if x.Op == token.MUL {
			return x.X
		}
	case *ssa.Alloc:
		return storedOnce(x)
	}
	return nil
}

// loadedField returns the func-typed field v was loaded from (s.Handler).
func loadedField(v ssa.Value) *types.Var {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	field := knowledge.FieldOf(fa)
	if field == nil {
		return nil
	}
	if _, isFunc := field.Type().Underlying().(*types.Signature); !isFunc {
		return nil
	}
	return field
}

// shortName names a declared function as messages do:
// "(*tcpserve.Server).Serve", "well.Serve".
func shortName(fn *ssa.Function) string {
	obj, ok := fn.Object().(*types.Func)
	if !ok {
		return fn.Name()
	}
	if recv := obj.Signature().Recv(); recv != nil {
		return "(" + types.TypeString(recv.Type(), knowledge.ShortQualifier) + ")." + obj.Name()
	}
	if obj.Pkg() != nil {
		return obj.Pkg().Name() + "." + obj.Name()
	}
	return obj.Name()
}

// outermost is the declared function a literal is written in.
func outermost(fn *ssa.Function) *ssa.Function {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	return fn
}

// closedAround reports whether fn closes conn when the call returns, and
// does nothing else with it after the call: a Close of it deferred in fn
// (directly, or in a deferred literal that captures it), or one written
// right after the call in its block. A function that goes on with the
// conn after the call (it writes a reply, hands the conn on) calls a hook,
// not a handler, even if it closes the conn in the end.
func closedAround(fn *ssa.Function, call *ssa.Call, conn ssa.Value) bool {
	closed := false
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch i := instr.(type) {
			case *ssa.Defer:
				if closes(i.Common(), conn) {
					closed = true
				}
				if mc, ok := i.Common().Value.(*ssa.MakeClosure); ok {
					lit := mc.Fn.(*ssa.Function)
					for k, bound := range mc.Bindings {
						if sameConn(bound, conn) && k < len(lit.FreeVars) && closesIn(lit, lit.FreeVars[k]) {
							closed = true
						}
					}
				}
			case *ssa.Call:
				if i.Block() == call.Block() && closes(i.Common(), conn) && knowledge.RunsBefore(call, i) {
					closed = true
				}
			}
		}
	}
	return closed && !usedAfter(call, conn)
}

// usedAfter reports whether some use of conn other than a Close (or its
// addresses) may run after the call returns: later in the call's block,
// or in a block reachable from it that does not come before it (a block
// that dominates the call's is the next iteration's).
func usedAfter(call *ssa.Call, conn ssa.Value) bool {
	after := reachableAfter(call.Block())
	used := false
	for _, v := range connValues(conn) {
		knowledge.AnyView(v, func(w ssa.Value) bool {
			if w.Referrers() == nil {
				return false
			}
			for _, r := range *w.Referrers() {
				if r == call || harmlessUse(r) {
					continue
				}
				if r.Block() == call.Block() && knowledge.RunsBefore(call, r) || r.Block() != call.Block() && after[r.Block()] {
					used = true
					return true
				}
			}
			return false
		})
	}
	return used
}

// connValues are conn and, where it is a load of a cell (a captured
// conn), every load of that cell.
func connValues(conn ssa.Value) []ssa.Value {
	conn = knowledge.Through(conn)
	load, ok := conn.(*ssa.UnOp)
	if !ok || load.Op != token.MUL || load.X.Referrers() == nil {
		return []ssa.Value{conn}
	}
	var out []ssa.Value
	for _, r := range *load.X.Referrers() {
		if l, ok := r.(*ssa.UnOp); ok && l.Op == token.MUL {
			out = append(out, l)
		}
	}
	return out
}

// harmlessUse reports whether an instruction does nothing to a conn's
// data: its Close, its addresses, a deferred call registered earlier.
func harmlessUse(instr ssa.Instruction) bool {
	switch i := instr.(type) {
	case *ssa.Defer, *ssa.DebugRef:
		return true
	case ssa.CallInstruction:
		switch calledMethod(i.Common()) {
		case "Close", "RemoteAddr", "LocalAddr":
			return true
		}
	}
	return false
}

// calledMethod is the name of the method a call calls, through an
// interface or statically, or "" for a call of a function.
func calledMethod(cc *ssa.CallCommon) string {
	if cc.IsInvoke() {
		return cc.Method.Name()
	}
	if callee := cc.StaticCallee(); callee != nil && callee.Signature.Recv() != nil {
		return callee.Name()
	}
	return ""
}

// reachableAfter returns the blocks reachable from b's successors that do
// not dominate b.
func reachableAfter(b *ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	seen := make(map[*ssa.BasicBlock]bool)
	work := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(work) > 0 {
		x := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[x] {
			continue
		}
		seen[x] = true
		work = append(work, x.Succs...)
	}
	for x := range seen {
		if x.Dominates(b) {
			delete(seen, x)
		}
	}
	return seen
}

// closes reports whether a call is conn.Close().
func closes(cc *ssa.CallCommon, conn ssa.Value) bool {
	if cc.IsInvoke() {
		return cc.Method.Name() == "Close" && sameConn(cc.Value, conn)
	}
	callee := cc.StaticCallee()
	return callee != nil && callee.Name() == "Close" && callee.Signature.Recv() != nil &&
		len(cc.Args) == 1 && sameConn(cc.Args[0], conn)
}

// sameConn reports whether a and b are the same conn: one value under
// conversions, or one variable and its loads (a captured conn a loop
// declares lives in a cell, loaded at each use).
func sameConn(a, b ssa.Value) bool {
	a, b = knowledge.Through(a), knowledge.Through(b)
	if a == b {
		return true
	}
	cell := func(v ssa.Value) ssa.Value {
		if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
			return load.X
		}
		return v
	}
	return cell(a) == cell(b)
}

// closesIn reports whether lit calls Close on v.
func closesIn(lit *ssa.Function, v ssa.Value) bool {
	for _, b := range lit.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(ssa.CallInstruction); ok && closes(call.Common(), v) {
				return true
			}
		}
	}
	return false
}

// storedOnce returns the one value stored in a local's cell, or nil.
func storedOnce(cell *ssa.Alloc) ssa.Value {
	var val ssa.Value
	for _, r := range *cell.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Addr == cell {
			if val != nil {
				return nil
			}
			val = st.Val
		}
	}
	return val
}

// ClosedAtReturn finds the package's functions stored in a handler field,
// or given as a handler parameter (HandlerFact): their conn parameter is
// closed by the framework when they return. It maps each such parameter
// to the function that closes it.
func ClosedAtReturn(funcs []*ssa.Function, table *summary.Table) map[*ssa.Parameter]string {
	out := make(map[*ssa.Parameter]string)
	for _, fs := range knowledge.FieldStores(funcs) {
		if fact := table.Handler(fs.Field); fact != nil {
			markHandler(out, fs.Store.Val, fact)
		}
	}
	for _, call := range knowledge.Calls(funcs) {
		if callee := call.Common().StaticCallee(); callee != nil {
			if fact := table.HandlerParam(callee); fact != nil && fact.Func < len(call.Common().Args) {
				markHandler(out, call.Common().Args[fact.Func], fact)
			}
		}
	}
	return out
}

// markHandler marks the conn parameter of the function a handler value
// runs.
func markHandler(out map[*ssa.Parameter]string, handlerValue ssa.Value, fact *summary.HandlerFact) {
	handler, shift := storedFunc(handlerValue)
	if handler == nil || fact.Param+shift >= len(handler.Params) {
		return
	}
	if p := handler.Params[fact.Param+shift]; knowledge.IsConnType(p.Type()) {
		out[p] = fact.Closer
	}
}

// storedFunc returns the function a func value runs, and how many
// parameters it has before the value's own (1 for a method value, whose
// receiver is bound): a function, a literal, or a method value.
func storedFunc(v ssa.Value) (*ssa.Function, int) {
	switch f := knowledge.Through(v).(type) {
	case *ssa.Function:
		return f, 0
	case *ssa.MakeClosure:
		lit := f.Fn.(*ssa.Function)
		if lit.Synthetic == "" {
			return lit, 0
		}
		// A method value's bound wrapper calls the method.
		for _, b := range lit.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(*ssa.Call); ok {
					if m := call.Common().StaticCallee(); m != nil && m.Signature.Recv() != nil {
						return m, 1
					}
				}
			}
		}
	}
	return nil, 0
}
