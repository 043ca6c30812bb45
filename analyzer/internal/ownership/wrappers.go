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
	if t == nil {
		return false
	}
	p, ok := types.Unalias(ptr).(*types.Pointer)
	if !ok {
		return false
	}
	st, ok := p.Elem().Underlying().(*types.Struct)
	if !ok || i >= st.NumFields() || !knowledge.IsConnType(st.Field(i).Type()) {
		return false
	}
	field := st.Field(i).Name()
	ms := t.MethodSets.MethodSet(ptr)
	for _, m := range []string{"Read", "Write", "Close"} {
		sel := ms.Lookup(nil, m)
		if sel == nil {
			return false
		}
		if idx := sel.Index(); len(idx) > 1 {
			if idx[0] != i {
				return false // promoted, from another field
			}
			continue
		}
		pe := t.Effects(t.MethodValue(sel)).Param(0, field)
		if pe == nil || !(m == "Read" && pe.Reads || m == "Write" && pe.Writes || knowledge.IsClose(m) && pe.AtClose != 0) {
			return false
		}
	}
	return true
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
	if !ok || !Delegates(t.ctx.Table, alloc.Type(), fa.Field) {
		return
	}
	t.addAlias(fa, AliasRef{Conn: ref.Conn, Role: knowledge.RoleCell, Kind: ref.Kind, Inner: knowledge.RoleConn})
	t.addAlias(alloc, AliasRef{Conn: ref.Conn, Role: knowledge.RoleConn, Kind: ref.Kind, Closes: true,
		Parses: readParses(t.ctx.Table, alloc.Type())})
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
	out := AliasRef{Conn: ref.Conn, Role: knowledge.RoleConn, Kind: ref.Kind, Closes: true}
	out.Parses = parses
	if _, isTuple := call.Type().(*types.Tuple); !isTuple {
		t.addAlias(call, out)
		return true
	}
	for _, r := range *call.Referrers() {
		if ext, ok := r.(*ssa.Extract); ok && ext.Index == 0 {
			t.addAlias(ext, out)
		}
	}
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
