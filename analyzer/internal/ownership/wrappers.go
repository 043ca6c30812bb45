package ownership

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file is the program's own wrappers: conn types whose Read, Write
// and Close go to a conn they hold (a counting conn, a metered conn), and
// the functions that wrap a conn parameter in a fresh value of one. A
// wrapper is the conn it wraps, as the Resource Leak Checker's
// @MustCallAlias says, inferred here: &countingConn{Conn: c} is c, and so
// is meter(c). (The standard library's bufio.NewReader(c) and tls.Server(c)
// are constructors: knowledge.Constructors.)
//
// Which function wraps which parameter the dataflow's summary of it says
// (summary.Func.WrapperParam, exported as a WrapperFact), from this
// file's delegation rule: it returns a fresh value of a delegating type
// holding the parameter, and hands the parameter nowhere else.

// Delegates reports whether the methods Read, Write and Close of *T (T
// the struct type that ptr points to) go to T's field i: promoted from
// it, or declared and doing the same to it, by their summaries in t.
func Delegates(t *summary.Table, ptr types.Type, i int) bool {
	ok, _ := delegatesVia(t, ptr, i)
	return ok
}

// DelegateField returns the name of the field that ptr, a pointer to one
// of the program's conn wrappers, delegates to (Delegates): its methods'
// summaries say what they do to the wrapped conn as effects on that field.
func DelegateField(t *summary.Table, ptr types.Type) (string, bool) {
	st, ok := knowledge.PointedStruct(ptr)
	if !ok || !knowledge.IsConnStructType(ptr) {
		return "", false
	}
	for i := range st.NumFields() {
		if Delegates(t, ptr, i) {
			return st.Field(i).Name(), true
		}
	}
	return "", false
}

// delegatesVia is Delegates, and the field j (or -1) that a declared Read
// of *T reads through instead of field i: a reader kept beside the conn
// ({r *bufio.Reader; net.Conn}, Read reading r). Such a T delegates to
// field i where its value is built with j reading the conn in i
// (storeIntoWrapper checks it).
func delegatesVia(t *summary.Table, ptr types.Type, i int) (bool, int) {
	via := -1
	if t == nil {
		return false, via
	}
	p, ok := types.Unalias(ptr).(*types.Pointer)
	if !ok {
		return false, via
	}
	st, ok := p.Elem().Underlying().(*types.Struct)
	if !ok || i >= st.NumFields() || !knowledge.IsConnType(st.Field(i).Type()) {
		return false, via
	}
	field := st.Field(i).Name()
	ms := t.MethodSets.MethodSet(ptr)
	for _, m := range []string{"Read", "Write", "Close"} {
		sel := ms.Lookup(nil, m)
		if sel == nil {
			return false, via
		}
		if idx := sel.Index(); len(idx) > 1 {
			if idx[0] != i {
				return false, via // promoted, from another field
			}
			continue
		}
		effs := t.Effects(t.MethodValue(sel))
		pe := effs.Param(0, field)
		if pe != nil && (m == "Read" && pe.Reads || m == "Write" && pe.Writes || knowledge.IsClose(m) && pe.AtClose != 0) {
			continue
		}
		if m != "Read" {
			return false, via
		}
		for j := range st.NumFields() {
			if f := st.Field(j); j != i && (knowledge.IsConnType(f.Type()) || isReaderView(f.Type())) {
				if pe := effs.Param(0, f.Name()); pe != nil && pe.Reads {
					via = j
				}
			}
		}
		if via < 0 {
			return false, via
		}
	}
	return true, via
}

// isReaderView reports whether t is a reader view of a conn
// (*bufio.Reader) or a reader interface.
func isReaderView(t types.Type) bool {
	if v, ok := knowledge.ViewOf(t); ok {
		return v.Role == knowledge.RoleReader
	}
	return knowledge.IsNamedType(t, false, "io", "Reader")
}

// storedIn returns the address of alloc's field and the value stored
// there, if one is.
func storedIn(alloc *ssa.Alloc, field int) (*ssa.FieldAddr, ssa.Value) {
	for _, ref := range *alloc.Referrers() {
		if fa, ok := ref.(*ssa.FieldAddr); ok && fa.Field == field {
			for _, r := range *fa.Referrers() {
				if st, ok := r.(*ssa.Store); ok && st.Addr == fa {
					return fa, st.Val
				}
			}
		}
	}
	return nil, nil
}

// viewOfSame reports whether alloc's field j holds a view of the same
// value that its field i holds, and the view's role: a constructor's
// (bufio.NewReader), or a helper's whose result is a view of its argument
// (a pool's GetBufReader).
func (t *trackBuilder) viewOfSame(alloc *ssa.Alloc, i, j int) (*ssa.FieldAddr, knowledge.Role, bool) {
	_, conn := storedIn(alloc, i)
	fa, view := storedIn(alloc, j)
	if conn == nil || view == nil {
		return nil, 0, false
	}
	if inner, ok := knowledge.Through(view).(*ssa.Alloc); ok {
		// &rewindReader{raw: c}: one of the program's readers over it.
		st, isStruct := knowledge.PointedStruct(inner.Type())
		if !isStruct || t.hasMethod(inner.Type(), "Close") {
			return nil, 0, false
		}
		for k := range st.NumFields() {
			if _, v := storedIn(inner, k); v != nil && knowledge.Through(v) == knowledge.Through(conn) &&
				readsField(t.ctx.Table, inner.Type(), k) {
				return fa, knowledge.RoleReader, true
			}
		}
		return nil, 0, false
	}
	call, ok := knowledge.Through(view).(*ssa.Call)
	if !ok || call.Common().IsInvoke() {
		return nil, 0, false
	}
	cc := call.Common()
	same := func(arg int) bool {
		return arg < len(cc.Args) && knowledge.Through(cc.Args[arg]) == knowledge.Through(conn)
	}
	if spec, ok := knowledge.Constructors[knowledge.FuncName(cc.StaticCallee())]; ok {
		if len(spec.Args) != 1 || !same(spec.Args[0]) {
			return nil, 0, false
		}
		return fa, spec.Role, true
	}
	if v, ok := helperView(t.ctx.Table, call); ok && same(v.Param) && v.Role != knowledge.RoleWriter {
		return fa, v.Role, true
	}
	return nil, 0, false
}

// DelegateMethods returns the declared Read, Write and Close methods of
// *T for each struct type T a value of fn points to: the functions whose
// summaries Delegates may read while fn is tracked. The driver summarizes
// them before fn.
func DelegateMethods(fn *ssa.Function, methodSets interface {
	MethodSet(types.Type) *types.MethodSet
}, methodValue func(*types.Selection) *ssa.Function) []*ssa.Function {
	var out []*ssa.Function
	seen := make(map[types.Type]bool)
	visit := func(t types.Type) {
		p, ok := types.Unalias(t).(*types.Pointer)
		if !ok || seen[p.Elem()] {
			return
		}
		seen[p.Elem()] = true
		if _, isStruct := p.Elem().Underlying().(*types.Struct); !isStruct {
			return
		}
		ms := methodSets.MethodSet(t)
		for _, m := range []string{"Read", "Write", "Close"} {
			if sel := ms.Lookup(nil, m); sel != nil && len(sel.Index()) == 1 {
				if f := methodValue(sel); f != nil {
					out = append(out, f)
				}
			}
		}
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if v, ok := instr.(ssa.Value); ok {
				visit(v.Type())
			}
			if fa, ok := instr.(*ssa.FieldAddr); ok {
				visit(fa.X.Type())
			}
		}
	}
	for _, p := range fn.Params {
		visit(p.Type())
	}
	for _, fv := range fn.FreeVars {
		visit(fv.Type())
	}
	return out
}

// storeIntoWrapper: &countingConn{Conn: c}, a fresh value of a delegating
// type holding c, is c.
func (t *trackBuilder) storeIntoWrapper(fa *ssa.FieldAddr, ref AliasRef) {
	alloc, ok := fa.X.(*ssa.Alloc)
	if !ok {
		return
	}
	ok, via := delegatesVia(t.ctx.Table, alloc.Type(), fa.Field)
	if !ok {
		return
	}
	if via >= 0 {
		if _, _, same := t.viewOfSame(alloc, fa.Field, via); !same {
			return // its Read reads something else
		}
	}
	t.addAlias(fa, AliasRef{Conn: ref.Conn, Role: knowledge.RoleCell, Kind: ref.Kind, Inner: knowledge.RoleConn})
	t.addAlias(alloc, AliasRef{Conn: ref.Conn, Role: knowledge.RoleConn, Kind: ref.Kind, Closes: true,
		Parses: readParses(t.ctx.Table, alloc.Type())})
	// A view of the same conn kept beside it (the bufio.Reader its Read
	// reads, or the caller peeked with) is the wrapper's: no escape.
	st := types.Unalias(alloc.Type()).(*types.Pointer).Elem().Underlying().(*types.Struct)
	for j := range st.NumFields() {
		if j == fa.Field {
			continue
		}
		if vfa, role, same := t.viewOfSame(alloc, fa.Field, j); same {
			t.addAlias(vfa, AliasRef{Conn: ref.Conn, Role: knowledge.RoleCell, Kind: ref.Kind, Inner: role})
		}
	}
}

// readParses reports whether the Read of the pointer type ptr, one of the
// program's wrappers, can fail on what it read and not only when the
// conn it wraps fails: a decrypting or authenticating Read.
func readParses(t *summary.Table, ptr types.Type) bool {
	sel := t.MethodSets.MethodSet(ptr).Lookup(nil, "Read")
	if sel == nil || len(sel.Index()) > 1 {
		return false // promoted: the conn's own Read
	}
	read := t.MethodValue(sel)
	if read == nil {
		return false
	}
	for _, pe := range t.Effects(read) {
		if pe.Reads && !pe.ErrDone {
			return true
		}
	}
	return false
}

// wrapperCall: c = wrap(c), the result of one of the program's wrappers,
// is the same conn. It reports whether call is such a call of v.
//
// A function value or an interface method that takes a conn and returns
// one (`shadow func(net.Conn) net.Conn`, a cipher's StreamConn) is taken
// for a wrapper too: a conn transformer hands back the conn it was given,
// wrapped, whatever it is; and since it may decrypt, its reads may fail
// on what they read (Parses).
func (t *trackBuilder) wrapperCall(call *ssa.Call, v ssa.Value, ref AliasRef) bool {
	cc := call.Common()
	callee := cc.StaticCallee()
	if ref.Role != knowledge.RoleConn || ref.Kind == knowledge.KindFD {
		return false
	}
	var i int
	var ok, parses bool
	if callee == nil || cc.IsInvoke() {
		i, ok = knowledge.ConnTransformer(cc)
		parses = true
	} else {
		i, ok = WrapperParam(t.ctx.Table, callee)
		parses = ok && t.ctx.Table.WrapperParses(callee)
	}
	if !ok || i >= len(cc.Args) || cc.Args[i] != v {
		return false
	}
	t.bindResult(call, 0, AliasRef{Conn: ref.Conn, Role: knowledge.RoleConn, Kind: ref.Kind, Closes: true, Parses: parses})
	return true
}

// WrapperParam returns the parameter whose conn a call of callee wraps
// in its result, if callee is one of the program's wrappers.
func WrapperParam(t *summary.Table, callee *ssa.Function) (int, bool) {
	if t == nil || callee == nil {
		return 0, false
	}
	return t.WrapperParam(callee)
}

// wrapperView reports whether field j of alloc, one of the program's
// wrappers of a conn, holds a view of that conn (wrapped.r, the
// bufio.Reader its constructor made over the conn it wraps), and the
// view's role.
func (t *trackBuilder) wrapperView(alloc *ssa.Alloc, j int) (knowledge.Role, bool) {
	ptr, ok := types.Unalias(alloc.Type()).(*types.Pointer)
	if !ok {
		return 0, false
	}
	st, ok := ptr.Elem().Underlying().(*types.Struct)
	if !ok {
		return 0, false
	}
	for i := range st.NumFields() {
		if i == j || !Delegates(t.ctx.Table, alloc.Type(), i) {
			continue
		}
		if _, role, same := t.viewOfSame(alloc, i, j); same {
			return role, true
		}
	}
	return 0, false
}

// readField reports whether field j of the struct ptr points to is the
// reader view its Read reads through (delegatesVia), and its role.
func (t *trackBuilder) readField(ptr types.Type, j int) (knowledge.Role, bool) {
	p, ok := types.Unalias(ptr).(*types.Pointer)
	if !ok {
		return 0, false
	}
	st, ok := p.Elem().Underlying().(*types.Struct)
	if !ok || j >= st.NumFields() {
		return 0, false
	}
	for i := range st.NumFields() {
		if i == j {
			continue
		}
		ok, via := delegatesVia(t.ctx.Table, ptr, i)
		if !ok {
			continue
		}
		// Its Read reads through j, or the package fills j only with a
		// view of what it fills i with (owning fields of one source).
		fi, fj := t.ctx.Fields[st.Field(i)], t.ctx.Fields[st.Field(j)]
		if via == j || fi != nil && fj != nil && sameSources(fi, fj) {
			if v, isView := knowledge.ViewOf(st.Field(j).Type()); isView {
				return v.Role, true
			}
			return knowledge.RoleReader, true
		}
	}
	return 0, false
}
