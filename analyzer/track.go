package analyzer

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// This file finds the connections of one function and every SSA value
// that refers to each of them.

// connInfo is one connection tracked through a function.
type connInfo struct {
	pos     token.Pos // where it came from: the creating call, or the parameter
	verb    string    // "accepted", "dialed", "hijacked", "created"; "" for parameters
	from    string    // the creating function, e.g. "net.Dial"
	name    string    // the parameter's or variable's name, if known
	kind    kind
	client  bool // we speak first: the peer only answers what we send
	param   int  // index in fn.Params, or -1
	freeVar int  // index in fn.FreeVars, or -1
	// definite is set for parameters whose type can only be a socket: only
	// those make their function an owner that is judged itself.
	definite bool
	// conflicted is set when one value may refer to this connection or to
	// another one: we cannot tell them apart, so we say nothing about either.
	conflicted bool
}

// aliasRef says which connection a value refers to, and how.
type aliasRef struct {
	conn   int
	role   role
	kind   kind
	closes bool // Close on a wrapper closes the connection (tls.Conn, textproto.Conn)
	inner  role // for roleCell: the role of the values stored in the cell
}

// discover finds the function's connections and their aliases.
func (f *funcFlow) discover() {
	fn := f.fn
	for i, p := range fn.Params {
		t := p.Type()
		switch {
		case isConnType(t):
			f.addRoot(&connInfo{pos: p.Pos(), name: p.Name(), kind: kindOfType(t), param: i, freeVar: -1,
				definite: isDefiniteConnType(t)}, p, roleConn)
		case f.pkg.fdAware && isFDType(t) && p.Object() != nil:
			f.addRoot(&connInfo{pos: p.Pos(), name: p.Name(), kind: kindFD, param: i, freeVar: -1}, p, roleConn)
		}
	}
	for i, fv := range fn.FreeVars {
		t := fv.Type()
		r := roleConn
		if ptr, ok := types.Unalias(t).(*types.Pointer); ok {
			t, r = ptr.Elem(), roleCell
		}
		k := kindOfType(t)
		switch {
		case isConnType(t):
		case f.pkg.fdAware && isFDType(t):
			k = kindFD
		default:
			continue
		}
		ref := aliasRef{role: r, kind: k, inner: roleConn}
		f.addRootRef(&connInfo{pos: fv.Pos(), name: fv.Name(), kind: k, param: -1, freeVar: i}, fv, ref)
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			spec, ok := originOf(call.Common())
			if !ok {
				continue
			}
			info := &connInfo{pos: call.Pos(), verb: spec.verb, from: callName(call.Common()),
				kind: spec.kind, client: spec.client, param: -1, freeVar: -1}
			id := len(f.conns)
			f.conns = append(f.conns, info)
			f.originAt[call] = id
			f.bindResults(call, id, spec.kind)
		}
	}
	for len(f.queue) > 0 {
		v := f.queue[len(f.queue)-1]
		f.queue = f.queue[:len(f.queue)-1]
		f.propagate(v)
	}
}

// kindOfType is the connection kind implied by a static type.
func kindOfType(t types.Type) kind {
	if isNamedType(t, true, "crypto/tls", "Conn") {
		return kindTLS
	}
	return kindStream
}

func (f *funcFlow) addRoot(info *connInfo, v ssa.Value, r role) {
	f.addRootRef(info, v, aliasRef{role: r, kind: info.kind})
}

func (f *funcFlow) addRootRef(info *connInfo, v ssa.Value, ref aliasRef) {
	ref.conn = len(f.conns)
	f.conns = append(f.conns, info)
	f.addAlias(v, ref)
}

// bindResults makes the results of an origin call aliases of the new
// connection: the connection itself, Hijack's bufio.ReadWriter, and the
// error, whose non-nil edge means the connection never existed.
func (f *funcFlow) bindResults(call *ssa.Call, id int, k kind) {
	if _, isTuple := call.Type().(*types.Tuple); !isTuple {
		f.addAlias(call, aliasRef{conn: id, role: roleConn, kind: k})
		return
	}
	for _, r := range *call.Referrers() {
		ext, ok := r.(*ssa.Extract)
		if !ok {
			continue
		}
		t := ext.Type()
		switch {
		case ext.Index == 0:
			f.addAlias(ext, aliasRef{conn: id, role: roleConn, kind: k})
		case isNamedType(t, true, "bufio", "ReadWriter"):
			f.addAlias(ext, aliasRef{conn: id, role: roleRW, kind: k})
		case isErrorType(t):
			f.addCond(ext, condFact{conn: id, when: whenNonNil, dead: true})
		}
	}
}

var errorType = types.Universe.Lookup("error").Type()

func isErrorType(t types.Type) bool { return types.Identical(t, errorType) }

// addAlias records that v refers to ref.conn. A value that would refer to
// two connections marks both as conflicted.
func (f *funcFlow) addAlias(v ssa.Value, ref aliasRef) {
	if old, ok := f.alias[v]; ok {
		if old.conn != ref.conn {
			f.conns[old.conn].conflicted = true
			f.conns[ref.conn].conflicted = true
		}
		return
	}
	f.alias[v] = ref
	f.queue = append(f.queue, v)
}

// propagate follows v's referrers to the values that refer to the same
// connection: conversions, type assertions, phis, variables captured by
// closures (cells) and the wrappers built on it.
func (f *funcFlow) propagate(v ssa.Value) {
	ref := f.alias[v]
	refs := v.Referrers()
	if refs == nil {
		return
	}
	for _, instr := range *refs {
		switch r := instr.(type) {
		case *ssa.Phi:
			f.addAlias(r, ref)
		case *ssa.ChangeInterface, *ssa.MakeInterface, *ssa.ChangeType, *ssa.Convert:
			f.addAlias(r.(ssa.Value), ref)
		case *ssa.TypeAssert:
			out := ref
			if isNamedType(r.AssertedType, true, "crypto/tls", "Conn") {
				out.kind = kindTLS
			}
			if !r.CommaOk {
				f.addAlias(r, out)
				continue
			}
			for _, rr := range *r.Referrers() {
				if ext, ok := rr.(*ssa.Extract); ok && ext.Index == 0 {
					f.addAlias(ext, out)
				}
			}
		case *ssa.Store:
			if alloc, ok := r.Addr.(*ssa.Alloc); ok && r.Val == v && ref.role != roleCell {
				f.addAlias(alloc, aliasRef{conn: ref.conn, role: roleCell, kind: ref.kind, closes: ref.closes, inner: ref.role})
			}
		case *ssa.UnOp:
			if r.Op == token.MUL && ref.role == roleCell {
				f.addAlias(r, aliasRef{conn: ref.conn, role: ref.inner, kind: ref.kind, closes: ref.closes})
			}
		case *ssa.FieldAddr:
			// t1.conn: the net.conn embedded in a *net.TCPConn, the
			// receiver of its promoted methods (Read, Write, Close...).
			if ref.role == roleConn && r.X == v && isEmbeddedField(r) {
				f.addAlias(r, ref)
			}
		case *ssa.Call:
			f.propagateCall(r, v, ref)
		}
	}
}

// propagateCall makes the result of a wrapper constructor (bufio.NewReader(c),
// tls.Server(c, cfg), tc.NetConn()...) an alias of the wrapped connection.
func (f *funcFlow) propagateCall(call *ssa.Call, v ssa.Value, ref aliasRef) {
	cc := call.Common()
	if cc.IsInvoke() {
		if cc.Value == v && cc.Method.Name() == "NetConn" {
			f.addAlias(call, aliasRef{conn: ref.conn, role: roleConn, kind: kindStream})
		}
		return
	}
	spec, ok := wrappers[funcName(cc.StaticCallee())]
	if !ok {
		return
	}
	for _, i := range spec.args {
		if i < len(cc.Args) && cc.Args[i] == v {
			k := spec.kind
			if ref.kind == kindFD {
				return
			}
			if spec.role != roleConn && ref.kind == kindTLS {
				k = kindTLS
			}
			f.addAlias(call, aliasRef{conn: ref.conn, role: spec.role, kind: k, closes: spec.close})
			return
		}
	}
}

// isEmbeddedField reports whether fa selects an embedded field of a type
// from package net or crypto/tls (net.TCPConn embeds net.conn).
func isEmbeddedField(fa *ssa.FieldAddr) bool {
	ptr, ok := types.Unalias(fa.X.Type()).Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	st, ok := ptr.Elem().Underlying().(*types.Struct)
	if !ok || fa.Field >= st.NumFields() {
		return false
	}
	field := st.Field(fa.Field)
	return field.Anonymous() && field.Pkg() != nil && (field.Pkg().Path() == "net" || field.Pkg().Path() == "crypto/tls")
}
