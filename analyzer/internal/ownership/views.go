package ownership

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file is the Checker Framework's must-call alias, inferred: a
// function that returns its connection parameter, or a view of it (the
// bufio.Reader a handshake read the greeting with, an io.MultiReader that
// replays the bytes it peeked and then reads on), hands the conn back to
// its caller, not on. The caller still owns the conn, and the result is
// one more name for it.

// ViewResults finds the results of fn that are, on every return that is
// not nil, the same parameter's conn or a view of it (and of no other
// conn). The program's own wrappers of a parameter in the first result
// are WrapperParam's, not views.
func ViewResults(fn *ssa.Function, tr *Tracking) []summary.View {
	var views []summary.View
	for i := range fn.Signature.Results().Len() {
		if v, ok := viewResult(fn, tr, i); ok {
			views = append(views, v)
		}
	}
	return views
}

// viewResult decides whether fn's result i is a view of one parameter.
func viewResult(fn *ssa.Function, tr *Tracking, i int) (summary.View, bool) {
	conn, role, seen := -1, knowledge.RoleConn, false
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || i >= len(ret.Results) || knowledge.IsNilConst(ret.Results[i]) {
			continue
		}
		ref, ok := tr.Alias[ret.Results[i]]
		if !ok {
			ref, ok = tr.Alias[knowledge.Through(ret.Results[i])]
		}
		if !ok || conn >= 0 && ref.Conn != conn {
			return summary.View{}, false
		}
		c := tr.Conns[ref.Conn]
		if c.Param < 0 || c.Kind == knowledge.KindFD || c.Conflicted || ref.Role == knowledge.RoleCell {
			return summary.View{}, false
		}
		r := ref.Role
		if seen {
			if r, ok = role.Meet(r); !ok {
				return summary.View{}, false
			}
		}
		conn, role, seen = ref.Conn, r, true
	}
	if !seen {
		return summary.View{}, false
	}
	v := summary.View{Result: i, Param: tr.Conns[conn].Param, Role: role}
	if f := tr.Conns[conn].Field; f != nil {
		v.Field = f.Var.Name()
	}
	return v, true
}

// IsView reports whether a function's result i is one of its views: the
// return hands the conn back, not on.
func IsView(views []summary.View, i int) bool {
	for _, v := range views {
		if v.Result == i {
			return true
		}
	}
	return false
}

// viewCall: br, err := handshake(c), a result the callee hands back as a
// view of the argument c, is that view of c. It reports whether call is
// such a call of v.
func (t *trackBuilder) viewCall(call *ssa.Call, v ssa.Value, ref AliasRef) bool {
	cc := call.Common()
	callee := cc.StaticCallee()
	if callee == nil || cc.IsInvoke() || ref.Kind == knowledge.KindFD || ref.Role == knowledge.RoleCell {
		return false
	}
	found := false
	for _, view := range t.ctx.Table.Views(callee) {
		if view.Param >= len(cc.Args) || cc.Args[view.Param] != v {
			continue
		}
		if view.Field != "" && !t.wrapsField(ref, v.Type(), view.Field) {
			continue // an accessor of a struct of roots: fieldViewCalls
		}
		role, ok := ref.Role.Meet(view.Role)
		if !ok {
			continue
		}
		found = true
		t.bindResult(call, view.Result, AliasRef{Conn: ref.Conn, Role: role, Kind: ref.Kind, Closes: ref.Closes && role == ref.Role, Parses: ref.Parses})
	}
	return found
}

// wrapsField reports whether v, a value of type typ that ref says is a
// conn, is a wrapper whose Read, Write and Close go to its field of that
// name: an accessor's view of that field (c.Reader() returning the
// wrapper's bufio.Reader) is then a view of the same conn.
func (t *trackBuilder) wrapsField(ref AliasRef, typ types.Type, field string) bool {
	if ref.Role != knowledge.RoleConn {
		return false
	}
	p, ok := types.Unalias(typ).(*types.Pointer)
	if !ok {
		return false
	}
	st, ok := p.Elem().Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := range st.NumFields() {
		if st.Field(i).Name() == field {
			return Delegates(t.ctx.Table, typ, i)
		}
	}
	return false
}

// bindResult makes call's result i an alias.
func (t *trackBuilder) bindResult(call *ssa.Call, i int, ref AliasRef) {
	if _, isTuple := call.Type().(*types.Tuple); !isTuple {
		t.addAlias(call, ref)
		return
	}
	for _, r := range *call.Referrers() {
		if ext, ok := r.(*ssa.Extract); ok && ext.Index == i {
			t.addAlias(ext, ref)
		}
	}
}

// fieldViewCalls: s.reader(), an accessor that hands back the conn of an
// owning field of s (or a view of it), is that field's conn, not its
// escape.
func (t *trackBuilder) fieldViewCalls(fn *ssa.Function) {
	if t.ctx.Table == nil || len(t.FieldRoots) == 0 {
		return
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok || call.Common().IsInvoke() || call.Common().StaticCallee() == nil {
				continue
			}
			cc := call.Common()
			for _, view := range t.ctx.Table.Views(cc.StaticCallee()) {
				if view.Field == "" || view.Param >= len(cc.Args) {
					continue
				}
				for _, k := range t.FieldRoots[cc.Args[view.Param]] {
					if c := t.Conns[k]; c.Field != nil && c.Field.Var.Name() == view.Field {
						t.bindResult(call, view.Result, AliasRef{Conn: k, Role: view.Role, Kind: c.Kind})
					}
				}
			}
		}
	}
}

// storeIntoReader: &chunkReader{r: c}, a fresh value of one of the
// program's reader types (a decrypting reader) whose Read reads the field
// c is stored in, is a reader view of c. (A type whose Read, Write and
// Close all go to the field is a wrapper: storeIntoWrapper's.)
func (t *trackBuilder) storeIntoReader(fa *ssa.FieldAddr, ref AliasRef) {
	alloc, ok := fa.X.(*ssa.Alloc)
	if !ok {
		return
	}
	// A type with a Close is a conn's wrapper or nothing we follow.
	if _, wrapper := t.Alias[alloc]; wrapper || t.hasMethod(alloc.Type(), "Close") || !readsField(t.ctx.Table, alloc.Type(), fa.Field) {
		return
	}
	t.addAlias(fa, AliasRef{Conn: ref.Conn, Role: knowledge.RoleCell, Kind: ref.Kind, Inner: ref.Role})
	t.addAlias(alloc, AliasRef{Conn: ref.Conn, Role: knowledge.RoleReader, Kind: ref.Kind, Parses: readParses(t.ctx.Table, alloc.Type())})
}

// readsField reports whether the declared Read method of ptr, a pointer
// to one of the program's struct types, reads the value in field i.
func readsField(t *summary.Table, ptr types.Type, i int) bool {
	if t == nil {
		return false
	}
	p, ok := types.Unalias(ptr).(*types.Pointer)
	if !ok {
		return false
	}
	st, ok := p.Elem().Underlying().(*types.Struct)
	if !ok || i >= st.NumFields() {
		return false
	}
	sel := t.MethodSets.MethodSet(ptr).Lookup(nil, "Read")
	if sel == nil || len(sel.Index()) > 1 {
		return false
	}
	read := t.MethodValue(sel)
	if read == nil {
		return false
	}
	pe := t.Effects(read).Param(0, st.Field(i).Name())
	return pe != nil && pe.Reads
}

// readsOwnField is readsField before the package's summaries exist: the
// declared Read of ptr reads field i when its body calls Read on the
// value in that field (r.raw.Read(p)) or reads it with io.ReadFull or
// io.ReadAtLeast. A Read of another package has no body here, and its
// summary says.
func readsOwnField(t *summary.Table, ptr types.Type, i int) bool {
	sel := t.MethodSets.MethodSet(ptr).Lookup(nil, "Read")
	if sel == nil || len(sel.Index()) > 1 {
		return false
	}
	read := t.MethodValue(sel)
	if read == nil || len(read.Params) == 0 {
		return false
	}
	if read.Blocks == nil {
		return readsField(t, ptr, i)
	}
	isField := func(v ssa.Value) bool {
		load, ok := v.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			return false
		}
		fa, ok := load.X.(*ssa.FieldAddr)
		return ok && fa.X == read.Params[0] && fa.Field == i
	}
	for _, b := range read.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			cc := call.Common()
			switch {
			case cc.IsInvoke() && cc.Method.Name() == "Read" && isField(cc.Value):
				return true
			case !cc.IsInvoke() && cc.StaticCallee() != nil && len(cc.Args) > 0 && isField(cc.Args[0]):
				name := knowledge.FuncName(cc.StaticCallee())
				if cc.StaticCallee().Name() == "Read" || name == "io.ReadFull" || name == "io.ReadAtLeast" {
					return true
				}
			}
		}
	}
	return false
}

// hasMethod reports whether the method set of typ has a method of that
// name.
func (t *trackBuilder) hasMethod(typ types.Type, name string) bool {
	return t.ctx.Table != nil && t.ctx.Table.MethodSets.MethodSet(typ).Lookup(nil, name) != nil
}

// helperView returns the view a call's only result is, when its callee
// hands back a view of one of its arguments (a pool's GetBufReader(c)).
func helperView(t *summary.Table, call *ssa.Call) (summary.View, bool) {
	callee := call.Common().StaticCallee()
	if t == nil || callee == nil || call.Common().IsInvoke() {
		return summary.View{}, false
	}
	if _, isTuple := call.Type().(*types.Tuple); isTuple {
		return summary.View{}, false
	}
	for _, v := range t.Views(callee) {
		if v.Result == 0 && v.Field == "" {
			return v, true
		}
	}
	return summary.View{}, false
}
