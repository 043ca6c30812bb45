package ownership

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file is the proxy's ends: two values a function copies into each
// other, one direction each way, are the two ends of a proxy whatever
// they came from. A conn the program gets from an interface method of its
// own (a tunnel's AcceptConn, an outbound's DialConn), a function value or
// a dial chain rstlint does not model is no origin, and its reject or its
// unread input is not judged: it may be a mux stream or a pipe, which
// closes without RST. But a proxy that closes one end while the other
// direction still copies cuts that direction short on any stream, so the
// proxy rule judges such an end (Conn.ProxyEnd), and no other rule does.

// maxCopyDepth bounds how deep the search for copies follows function
// literals called or started with the values as arguments.
const maxCopyDepth = 3

// seedProxyEnds makes a connection of each value of fn, not yet followed,
// that fn copies both ways with another value: in its body, in the
// literals it calls or starts (go copy(a, b)), or through a helper whose
// summary says it copies one parameter into another (pumps into one,
// drains the other) or a pipe helper that leaves both reading.
func (t *trackBuilder) seedProxyEnds(fn *ssa.Function) {
	cf := copyFinder{fn: fn, table: t.ctx.Table}
	cf.walk(fn, nil, 0)
	edges := cf.edges
	if len(edges) < 2 {
		return
	}
	seen := make(map[ssa.Value]bool)
	for _, e := range edges {
		for _, r := range edges {
			if e[0] != r[1] || e[1] != r[0] || e[0] == e[1] {
				continue
			}
			for i, v := range e {
				if call := endCall(v); call != nil && dialsPacket(call.Common()) {
					t.datagramPeer(e[1-i]) // a UDP relay: its other end is no stream
				}
			}
			for _, v := range e {
				if !seen[v] {
					seen[v] = true
					t.seedProxyEnd(v)
				}
			}
		}
	}
}

// datagramPeer marks the conn v stands for, if it is followed, as a UDP
// relay's end.
func (t *trackBuilder) datagramPeer(v ssa.Value) {
	if ref, ok := t.Alias[v]; ok && ref.Role == knowledge.RoleConn {
		t.Conns[ref.Conn].DatagramPeer = true
	}
}

// seedProxyEnd makes v, a conn-typed value no origin reaches (a call's
// result, or a merge of one with nil; a load of a field, with the other
// loads of it), a connection the proxy rule judges, created there.
func (t *trackBuilder) seedProxyEnd(v ssa.Value) {
	if load, ok := v.(*ssa.UnOp); ok {
		if fa, ok := load.X.(*ssa.FieldAddr); ok && load.Op == token.MUL {
			t.seedLoadEnd(load, fa)
		}
		return
	}
	call := endCall(v)
	if call == nil || namesNetwork(call.Common()) {
		// A dial on a network not proven a stream may give a UDP conn,
		// whose copies move datagrams: no stream to cut.
		return
	}
	typ := call.Type()
	if tuple, ok := typ.(*types.Tuple); ok && tuple.Len() > 0 {
		typ = tuple.At(0).Type() // the call's first result: the conn
	}
	if _, tracked := t.Alias[v]; tracked || !knowledge.IsConnType(typ) {
		return
	}
	if _, tracked := t.OriginAt[call]; tracked {
		return
	}
	id := len(t.Conns)
	t.Conns = append(t.Conns, &Conn{Pos: call.Pos(), Verb: "opened", From: knowledge.CallName(call.Common()),
		Kind: knowledge.KindOfType(typ), Param: -1, FreeVar: -1, ProxyEnd: true})
	t.OriginAt[call] = id
	t.bindResults(call, id, knowledge.KindOfType(typ), 0)
}

// seedLoadEnd makes a field's conn that a proxy copies a connection,
// created at the first load of that field of that base in fn, and every
// other load of it an alias: the field of a struct handed over with its
// conn (a redirect request's InboundConn), closed by a deferred
// r.InboundConn.Close() too.
func (t *trackBuilder) seedLoadEnd(end *ssa.UnOp, fa *ssa.FieldAddr) {
	f := knowledge.FieldOf(fa)
	if f == nil || !knowledge.IsConnType(end.Type()) {
		return
	}
	var loads []*ssa.UnOp
	for _, b := range end.Parent().Blocks {
		for _, instr := range b.Instrs {
			if u, ok := instr.(*ssa.UnOp); ok && u.Op == token.MUL {
				if x, ok := u.X.(*ssa.FieldAddr); ok && x.X == fa.X && x.Field == fa.Field {
					if _, tracked := t.Alias[u]; tracked {
						return
					}
					loads = append(loads, u)
				}
			}
		}
	}
	name := f.Name()
	switch base := fa.X.(type) {
	case *ssa.Parameter, *ssa.FreeVar:
		name = base.Name() + "." + name // conn r.InboundConn, passed in with r
	}
	id := len(t.Conns)
	t.Conns = append(t.Conns, &Conn{Pos: end.Pos(), Name: name, Kind: knowledge.KindOfType(end.Type()),
		Param: -1, FreeVar: -1, ProxyEnd: true})
	t.LoadOrigin[loads[0]] = id
	for _, u := range loads {
		t.addAlias(u, AliasRef{Conn: id, Role: knowledge.RoleConn, Kind: knowledge.KindOfType(end.Type())})
	}
}

// endCall is the call a proxy's end comes from: the value itself, or the
// one call that merges with nil hold (a conn dialed in a retry loop), or
// nil.
func endCall(v ssa.Value) *ssa.Call {
	var found *ssa.Call
	seen := make(map[*ssa.Phi]bool)
	var visit func(v ssa.Value) bool
	visit = func(v ssa.Value) bool {
		switch x := knowledge.Through(v).(type) {
		case *ssa.Call:
			if found != nil && found != x {
				return false
			}
			found = x
			return true
		case *ssa.Phi:
			if seen[x] {
				return true
			}
			seen[x] = true
			for _, e := range x.Edges {
				if !knowledge.IsNilConst(e) && !visit(e) {
					return false
				}
			}
			return true
		}
		return false
	}
	if !visit(v) {
		return nil
	}
	return found
}

// copyFinder lists the copies (destination, source) between values of
// fn: io.Copy and io.CopyBuffer in fn and in the literals it calls or
// starts, their parameters mapped to the arguments, and the calls of
// helpers whose summaries say they copy between their parameters.
type copyFinder struct {
	fn    *ssa.Function
	table *summary.Table
	edges [][2]ssa.Value
	// loads holds the first load of each field of a base: two loads of
	// r.Conn, one per direction, are one end.
	loads map[fieldOf]ssa.Value
}

// fieldOf is a field of a base value: its address's base and index.
type fieldOf struct {
	base  ssa.Value
	field int
}

// resolve is the value of fn that v, a value of fn or of a literal it
// runs, stands for under env (the literal's parameters and captures),
// through conversions; nil for one the walk does not bind.
func (cf *copyFinder) resolve(v ssa.Value, env map[ssa.Value]ssa.Value) ssa.Value {
	for range knowledge.MaxDepth {
		if w, ok := env[v]; ok {
			return w
		}
		if fv, ok := v.(*ssa.FreeVar); ok && fv.Parent() != cf.fn {
			return nil // captured from outside what the walk binds
		}
		if p, ok := v.(*ssa.Parameter); ok && p.Parent() != cf.fn {
			return nil
		}
		w, ok := knowledge.Step(v)
		if !ok {
			return cf.canonical(v)
		}
		v = w
	}
	return nil
}

// canonical is v, a value of fn, or the first load of the same field of
// the same base; nil for a value of another function.
func (cf *copyFinder) canonical(v ssa.Value) ssa.Value {
	if instr, ok := v.(ssa.Instruction); ok && instr.Parent() != cf.fn {
		return nil // a literal's own value: no value of fn
	}
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return v
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return v
	}
	key := fieldOf{fa.X, fa.Field}
	if first, ok := cf.loads[key]; ok {
		return first
	}
	if cf.loads == nil {
		cf.loads = make(map[fieldOf]ssa.Value)
	}
	cf.loads[key] = v
	return v
}

func (cf *copyFinder) add(dst, src ssa.Value) {
	if dst != nil && src != nil {
		cf.edges = append(cf.edges, [2]ssa.Value{dst, src})
	}
}

func (cf *copyFinder) walk(f *ssa.Function, env map[ssa.Value]ssa.Value, depth int) {
	for _, b := range f.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			cc := call.Common()
			args := make([]ssa.Value, len(cc.Args))
			for i, a := range cc.Args {
				args[i] = cf.resolve(a, env)
			}
			if lit, ok := knowledge.ClosureCallee(cc); ok {
				if depth < maxCopyDepth {
					cf.walk(lit, cf.literalEnv(lit, cc, args, env), depth+1)
				}
				continue
			}
			callee := cc.StaticCallee()
			switch {
			case knowledge.IsStreamCopy(callee):
				if len(args) >= 2 {
					cf.add(args[0], args[1])
				}
			case callee != nil && !cc.IsInvoke() && cf.table != nil:
				cf.helperEdges(cf.table.Effects(callee), args)
			}
		}
	}
}

// literalEnv binds a literal's parameters to the arguments of its call,
// and its free variables to what its closure captured (the conn itself,
// not the cell of a variable its parent assigns).
func (cf *copyFinder) literalEnv(lit *ssa.Function, cc *ssa.CallCommon, args []ssa.Value, env map[ssa.Value]ssa.Value) map[ssa.Value]ssa.Value {
	out := make(map[ssa.Value]ssa.Value, len(lit.Params)+len(lit.FreeVars))
	for i, p := range lit.Params {
		if i < len(args) && args[i] != nil {
			out[p] = args[i]
		}
	}
	if mc, ok := cc.Value.(*ssa.MakeClosure); ok {
		for i, fv := range lit.FreeVars {
			if i >= len(mc.Bindings) {
				break
			}
			if v := cf.resolve(mc.Bindings[i], env); v != nil {
				if _, cell := v.(*ssa.Alloc); !cell {
					out[fv] = v
				}
			}
		}
	}
	return out
}

// helperEdges adds the copies a helper's summary says it makes between
// the arguments of a call: into the parameter it pumps from the one it
// drains, and both ways between two parameters its copy goroutines leave
// reading (a pipe helper that returns at its first direction).
func (cf *copyFinder) helperEdges(effs summary.ParamEffects, args []ssa.Value) {
	var pumps, drains, left []int
	for _, e := range effs {
		if e.Field != "" || e.Index >= len(args) {
			continue
		}
		if e.Pumps {
			pumps = append(pumps, e.Index)
		}
		if e.Drains {
			drains = append(drains, e.Index)
		}
		if e.LeftReading {
			left = append(left, e.Index)
		}
	}
	if len(pumps) == 1 && len(drains) == 1 {
		cf.add(args[pumps[0]], args[drains[0]])
	}
	if len(left) == 2 {
		cf.add(args[left[0]], args[left[1]])
		cf.add(args[left[1]], args[left[0]])
	}
}
