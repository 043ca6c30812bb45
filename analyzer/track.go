package analyzer

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// This file finds the connections of one function and every SSA value
// that refers to each of them: the function's parameters and captured
// variables that can hold one, the calls that create one (origins), and
// the values derived from them through conversions, phis, variables
// captured by closures and wrappers.

// conn is one connection tracked through a function.
type conn struct {
	pos     token.Pos // where it came from: the creating call, or the parameter
	verb    string    // "accepted", "dialed", "hijacked", "created"; "" for parameters
	from    string    // the creating function, e.g. "net.Dial"
	name    string    // the parameter's or variable's name, if known
	kind    kind
	client  bool // we speak first: the peer only answers what we send
	param   int  // index in fn.Params, or -1
	freeVar int  // index in fn.FreeVars, or -1
	// field is set for an owning field of the struct a parameter or
	// captured variable points to (s.conn): the conn is that field's.
	field *owningField
	// definite is set for parameters whose type can only be a socket: only
	// those make their function an owner that is judged itself.
	definite bool
	// conflicted is set when one value may refer to this connection or to
	// another one: we cannot tell them apart, so we say nothing about either.
	conflicted bool
}

// isRoot reports whether the connection came from outside the function:
// a parameter or a captured variable (or a field of one), whose state on
// entry is relative.
func (c *conn) isRoot() bool { return c.param >= 0 || c.freeVar >= 0 }

// key identifies a root connection among its function's: the index of its
// parameter (or captured variable), and the owning field it is, if any.
func (c *conn) key() rootKey {
	k := rootKey{index: c.param}
	if c.freeVar >= 0 {
		k.index = c.freeVar
	}
	if c.field != nil {
		k.field = c.field.field.Name()
	}
	return k
}

// rootKey identifies a root connection: a parameter's (or captured
// variable's) index, and the name of an owning field ("" for the
// parameter itself).
type rootKey struct {
	index int
	field string
}

// aliasRef says which connection a value refers to, and how.
type aliasRef struct {
	conn   int
	role   role
	kind   kind
	closes bool // Close on a wrapper closes the connection (tls.Conn, textproto.Conn)
	inner  role // for roleCell: the role of the values stored in the cell
}

// tracking is the result of this stage: the function's connections, and
// the values that refer to them.
type tracking struct {
	conns    []*conn
	alias    map[ssa.Value]aliasRef
	originAt map[*ssa.Call]int // the origin calls, and the connection each creates
	// fieldRoots maps a parameter or captured variable (the base) to the
	// connections of its owning fields.
	fieldRoots map[ssa.Value][]int
}

// trackContext is what tracking needs to know beyond the function.
type trackContext struct {
	// fdAware: the package makes system calls on raw descriptors, so
	// integer parameters and captured variables may be descriptors.
	fdAware bool
	// datagram marks the parameters that carry datagram conns
	// (datagramParams): they are not followed.
	datagram map[*ssa.Function][]bool
	// fields are the package's owning fields (owningFields).
	fields map[*types.Var]*owningField
	// code knows the program's own origins and wrappers.
	code ownCode
}

// ownCode answers the tracking stage's questions about the program's own
// functions and types: summary.go computes the answers, on demand, from
// their summaries (or facts).
type ownCode interface {
	// returnedOrigin says whether fn's first result is always a conn from
	// one origin (a listener wrapper's Accept, a dial helper), which fn
	// hands to its caller and keeps nowhere: then a call of fn is that
	// origin.
	returnedOrigin(fn *ssa.Function) (originSpec, bool)
	// wrapperParam and delegates are the program's own conn wrappers (the
	// Resource Leak Checker's @MustCallAlias, inferred).
	// wrapperParam returns the parameter whose conn fn's first result
	// wraps: fn returns a fresh value of a delegating type holding it.
	wrapperParam(fn *ssa.Function) (int, bool)
	// delegates reports whether the methods Read, Write and Close of *T
	// (T the struct type that ptr points to) go to T's field i: promoted
	// from it, or declared and doing the same to it.
	delegates(ptr types.Type, i int) bool
}

// track finds fn's connections and their aliases.
func track(fn *ssa.Function, ctx *trackContext) *tracking {
	t := &trackBuilder{ctx: ctx, tracking: tracking{
		alias:      make(map[ssa.Value]aliasRef),
		originAt:   make(map[*ssa.Call]int),
		fieldRoots: make(map[ssa.Value][]int),
	}}
	fdAware, datagram, fields := ctx.fdAware, ctx.datagram[fn], ctx.fields
	for i, p := range fn.Params {
		typ := p.Type()
		switch {
		case datagram != nil && datagram[i]:
			// A datagram conn behind a conn type: no stream, no RST.
		case isConnType(typ):
			t.addRoot(&conn{pos: p.Pos(), name: p.Name(), kind: kindOfType(typ), param: i, freeVar: -1,
				definite: isDefiniteConnType(typ)}, p, aliasRef{role: roleConn, kind: kindOfType(typ)})
		case fdAware && isFDType(typ) && p.Object() != nil:
			t.addRoot(&conn{pos: p.Pos(), name: p.Name(), kind: kindFD, param: i, freeVar: -1}, p,
				aliasRef{role: roleConn, kind: kindFD})
		}
	}
	for i, fv := range fn.FreeVars {
		typ := fv.Type()
		r := roleConn
		if ptr, ok := types.Unalias(typ).(*types.Pointer); ok {
			typ, r = ptr.Elem(), roleCell
		}
		k := kindOfType(typ)
		switch {
		case isConnType(typ):
		case fdAware && isFDType(typ):
			k = kindFD
		default:
			continue
		}
		t.addRoot(&conn{pos: fv.Pos(), name: fv.Name(), kind: k, param: -1, freeVar: i}, fv,
			aliasRef{role: r, kind: k, inner: roleConn})
	}
	if len(fields) > 0 {
		for i, p := range fn.Params {
			t.addFieldRoots(p, i, -1, fields)
		}
		for i, fv := range fn.FreeVars {
			t.addFieldRoots(fv, -1, i, fields)
		}
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			spec, ok := originOf(call.Common())
			if !ok && ctx.code != nil {
				if callee := call.Common().StaticCallee(); callee != nil && !call.Common().IsInvoke() {
					spec, ok = ctx.code.returnedOrigin(callee)
				}
			}
			if !ok {
				spec, ok = dialerValueOrigin(call)
			}
			if !ok {
				continue
			}
			id := len(t.conns)
			t.conns = append(t.conns, &conn{pos: call.Pos(), verb: spec.verb, from: callName(call.Common()),
				kind: spec.kind, client: spec.client, param: -1, freeVar: -1})
			t.originAt[call] = id
			t.bindResults(call, id, spec.kind)
		}
	}
	for len(t.queue) > 0 {
		v := t.queue[len(t.queue)-1]
		t.queue = t.queue[:len(t.queue)-1]
		t.propagate(v)
	}
	return &t.tracking
}

// trackBuilder is the work list of track.
type trackBuilder struct {
	tracking
	ctx   *trackContext
	queue []ssa.Value
}

func (t *trackBuilder) addRoot(c *conn, v ssa.Value, ref aliasRef) {
	ref.conn = len(t.conns)
	t.conns = append(t.conns, c)
	t.addAlias(v, ref)
}

// addFieldRoots makes a root connection of each owning field of the
// struct that base (a parameter or captured variable) points to, and
// aliases of it of the field's addresses: &s.conn is the variable holding
// the conn, *(&s.conn) the conn. A captured variable that the closure's
// parent reassigns is a cell: its loads are the base then.
func (t *trackBuilder) addFieldRoots(base ssa.Value, param, freeVar int, fields map[*types.Var]*owningField) {
	ptr, ok := types.Unalias(base.Type()).Underlying().(*types.Pointer)
	if !ok {
		return
	}
	// bases are the values that stand for base: itself, and the loads of
	// the cells that hold it. A captured variable is a cell (a free
	// variable of pointer type in the closure, an Alloc the parameter is
	// stored into in its function): the closure gets the cell, and each
	// load of it is the base.
	bases := []ssa.Value{base}
	var cells []ssa.Value
	loads := func(cell ssa.Value) {
		cells = append(cells, cell)
		for _, r := range *cell.Referrers() {
			if u, ok := r.(*ssa.UnOp); ok && u.Op == token.MUL && u.X == cell {
				bases = append(bases, u)
			}
		}
	}
	if inner, ok := types.Unalias(ptr.Elem()).Underlying().(*types.Pointer); ok {
		ptr = inner
		bases = nil
		loads(base)
	} else {
		for _, r := range *base.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Val == base {
				if a, ok := st.Addr.(*ssa.Alloc); ok && onlyStore(a, base) {
					loads(a)
				}
			}
		}
	}
	st, ok := ptr.Elem().Underlying().(*types.Struct)
	if !ok {
		return
	}
	// One conn per set of sources: s.conn and s.r = bufio.NewReader(c)
	// are two views of one conn.
	var groups []*owningField // the first field of each conn, by conn index - first
	first := len(t.conns)
	for i := range st.NumFields() {
		f := fields[st.Field(i)]
		if f == nil {
			continue
		}
		k, seen := -1, false
		for g, h := range groups {
			if sameSources(f, h) {
				k, seen = first+g, true
			}
		}
		if !seen || f.role == roleConn && t.conns[k].field.role != roleConn {
			c := &conn{pos: f.pos, verb: f.verb, from: f.from, name: base.Name() + "." + f.field.Name(),
				kind: f.kind, client: f.client, param: param, freeVar: freeVar, field: f, definite: f.definite}
			if f.verb == "" {
				c.pos = f.field.Pos()
			}
			if seen {
				t.conns[k] = c // name the conn after the field that holds the conn itself
			} else {
				k = len(t.conns)
				t.conns = append(t.conns, c)
				groups = append(groups, f)
				for _, b := range append(append([]ssa.Value{base}, cells...), bases...) {
					if rs := t.fieldRoots[b]; len(rs) == 0 || rs[len(rs)-1] != k {
						t.fieldRoots[b] = append(rs, k)
					}
				}
			}
		}
		for _, b := range bases {
			for _, r := range *b.Referrers() {
				if fa, ok := r.(*ssa.FieldAddr); ok && fa.X == b && fa.Field == f.index {
					t.addAlias(fa, aliasRef{conn: k, role: roleCell, kind: f.kind, closes: f.closes, inner: f.role})
				}
			}
		}
	}
}

// onlyStore reports whether v is the only value stored in the variable a.
func onlyStore(a *ssa.Alloc, v ssa.Value) bool {
	for _, r := range *a.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Addr == a && st.Val != v {
			return false
		}
	}
	return true
}

// dialerValueOrigin reports whether call dials through a dialer value: a
// function value or an interface method with the signature of net.Dial
// (network, address) or of (*net.Dialer).DialContext (ctx, network,
// address), returning (net.Conn, error): a Dial func field that defaults
// to net.Dial, x/net/proxy's Dialer and ContextDialer, a program's own.
// The conn is a dialed stream when the network is a constant stream
// network, or when the code proves it one by asserting *net.TCPConn or
// *net.UnixConn, or CloseWrite, on it.
func dialerValueOrigin(call *ssa.Call) (originSpec, bool) {
	cc := call.Common()
	if cc.StaticCallee() != nil {
		return originSpec{}, false // static calls: the catalogue or returnedOrigin
	}
	sig := cc.Signature()
	params, results := sig.Params(), sig.Results()
	if results.Len() != 2 || !isNamedType(results.At(0).Type(), false, "net", "Conn") || !isErrorType(results.At(1).Type()) {
		return originSpec{}, false
	}
	netArg := -1
	switch {
	case params.Len() == 2 && isString(params.At(0).Type()) && isString(params.At(1).Type()):
		netArg = 0
	case params.Len() == 3 && isNamedType(params.At(0).Type(), false, "context", "Context") &&
		isString(params.At(1).Type()) && isString(params.At(2).Type()):
		netArg = 1
	default:
		return originSpec{}, false
	}
	if cc.IsInvoke() {
		if name := cc.Method.Name(); name != "Dial" && name != "DialContext" {
			return originSpec{}, false
		}
	}
	spec := originSpec{verb: "dialed", kind: kindStream, client: true, network: -1}
	if n, isConst := constString(cc.Args[netArg]); isConst {
		return spec, isStreamNetwork(n)
	}
	return spec, provenStream(call)
}

// provenStream reports whether the conn a dial returns is asserted to be a
// stream: *net.TCPConn, *net.UnixConn, or a CloseWrite method.
func provenStream(call *ssa.Call) bool {
	seen := make(map[ssa.Value]bool)
	var walk func(v ssa.Value, depth int) bool
	walk = func(v ssa.Value, depth int) bool {
		if depth > 6 || seen[v] || v.Referrers() == nil {
			return false
		}
		seen[v] = true
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.Extract:
				if r.Index == 0 && walk(r, depth+1) {
					return true
				}
			case *ssa.ChangeInterface, *ssa.MakeInterface, *ssa.Phi:
				if walk(r.(ssa.Value), depth+1) {
					return true
				}
			case *ssa.TypeAssert:
				t := r.AssertedType
				if isNamedType(t, true, "net", "TCPConn") || isNamedType(t, true, "net", "UnixConn") {
					return true
				}
				if iface, ok := t.Underlying().(*types.Interface); ok {
					for m := range iface.Methods() {
						if m.Name() == "CloseWrite" {
							return true
						}
					}
				}
			}
		}
		return false
	}
	return walk(call, 0)
}

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.String
}

// bindResults makes the results of an origin call aliases of the new
// connection: the connection itself, and Hijack's bufio.ReadWriter.
func (t *trackBuilder) bindResults(call *ssa.Call, id int, k kind) {
	if _, isTuple := call.Type().(*types.Tuple); !isTuple {
		t.addAlias(call, aliasRef{conn: id, role: roleConn, kind: k})
		return
	}
	for _, r := range *call.Referrers() {
		ext, ok := r.(*ssa.Extract)
		if !ok {
			continue
		}
		switch {
		case ext.Index == 0:
			t.addAlias(ext, aliasRef{conn: id, role: roleConn, kind: k})
		case isNamedType(ext.Type(), true, "bufio", "ReadWriter"):
			t.addAlias(ext, aliasRef{conn: id, role: roleRW, kind: k})
		}
	}
}

// addAlias records that v refers to ref.conn. A value that would refer to
// two connections marks both as conflicted.
func (t *trackBuilder) addAlias(v ssa.Value, ref aliasRef) {
	if old, ok := t.alias[v]; ok {
		if old.conn != ref.conn {
			t.conns[old.conn].conflicted = true
			t.conns[ref.conn].conflicted = true
		}
		return
	}
	t.alias[v] = ref
	t.queue = append(t.queue, v)
}

// propagate follows v's referrers to the values that refer to the same
// connection: conversions, type assertions, phis, variables captured by
// closures (cells) and the wrappers built on it.
func (t *trackBuilder) propagate(v ssa.Value) {
	ref := t.alias[v]
	refs := v.Referrers()
	if refs == nil {
		return
	}
	for _, instr := range *refs {
		switch r := instr.(type) {
		case *ssa.Phi:
			t.addAlias(r, ref)
		case *ssa.ChangeInterface, *ssa.MakeInterface, *ssa.ChangeType, *ssa.Convert:
			t.addAlias(r.(ssa.Value), ref)
		case *ssa.TypeAssert:
			out := ref
			if isNamedType(r.AssertedType, true, "crypto/tls", "Conn") {
				out.kind = kindTLS
			}
			if !r.CommaOk {
				t.addAlias(r, out)
				continue
			}
			for _, rr := range *r.Referrers() {
				if ext, ok := rr.(*ssa.Extract); ok && ext.Index == 0 {
					t.addAlias(ext, out)
				}
			}
		case *ssa.Store:
			if alloc, ok := r.Addr.(*ssa.Alloc); ok && r.Val == v && ref.role != roleCell {
				t.addAlias(alloc, aliasRef{conn: ref.conn, role: roleCell, kind: ref.kind, closes: ref.closes, inner: ref.role})
			}
			if fa, ok := r.Addr.(*ssa.FieldAddr); ok && r.Val == v && ref.role == roleConn {
				// &countingConn{Conn: c}: a fresh value of a delegating
				// wrapper type holding c is c.
				if alloc, ok := fa.X.(*ssa.Alloc); ok && t.ctx.code != nil && t.ctx.code.delegates(alloc.Type(), fa.Field) {
					t.addAlias(fa, aliasRef{conn: ref.conn, role: roleCell, kind: ref.kind, inner: roleConn})
					t.addAlias(alloc, aliasRef{conn: ref.conn, role: roleConn, kind: ref.kind, closes: true})
				}
			}
		case *ssa.UnOp:
			if r.Op == token.MUL && ref.role == roleCell {
				t.addAlias(r, aliasRef{conn: ref.conn, role: ref.inner, kind: ref.kind, closes: ref.closes})
			}
		case *ssa.FieldAddr:
			switch {
			case ref.role == roleConn && r.X == v && isEmbeddedField(r):
				// t1.conn: the net.conn embedded in a *net.TCPConn, the
				// receiver of its promoted methods (Read, Write, Close...).
				t.addAlias(r, ref)
			case ref.role == roleConn && r.X == v && t.ctx.code != nil && t.ctx.code.delegates(v.Type(), r.Field):
				// &w.Conn: the variable holding the conn a wrapper
				// delegates to, the receiver of its promoted methods.
				t.addAlias(r, aliasRef{conn: ref.conn, role: roleCell, kind: ref.kind, inner: roleConn})
			case ref.role == roleRW && r.X == v && isNamedType(v.Type(), true, "bufio", "ReadWriter"):
				// &brw.Writer, &brw.Reader: the variables holding the two
				// halves of Hijack's bufio.ReadWriter, the receivers of its
				// promoted methods (brw.WriteString, brw.Reader.Buffered).
				inner := roleReader
				if r.Field == 1 {
					inner = roleWriter
				}
				t.addAlias(r, aliasRef{conn: ref.conn, role: roleCell, kind: ref.kind, inner: inner})
			case ref.role == roleRW && r.X == v && isNamedType(v.Type(), true, "net/textproto", "Conn") && r.Field <= 1:
				// &tc.Reader, &tc.Writer: the embedded halves of a
				// textproto.Conn, the receivers of its promoted methods
				// (tc.ReadLine, tc.PrintfLine).
				half := roleReader
				if r.Field == 1 {
					half = roleWriter
				}
				t.addAlias(r, aliasRef{conn: ref.conn, role: half, kind: ref.kind})
			}
		case *ssa.Call:
			t.propagateCall(r, v, ref)
		}
	}
}

// propagateCall makes the result of a wrapper constructor (bufio.NewReader(c),
// tls.Server(c, cfg), tc.NetConn()...) an alias of the wrapped connection.
func (t *trackBuilder) propagateCall(call *ssa.Call, v ssa.Value, ref aliasRef) {
	cc := call.Common()
	if cc.IsInvoke() {
		if cc.Value == v && cc.Method.Name() == "NetConn" {
			t.addAlias(call, aliasRef{conn: ref.conn, role: roleConn, kind: kindStream})
		}
		return
	}
	if callee := cc.StaticCallee(); callee != nil && t.ctx.code != nil && ref.role == roleConn && ref.kind != kindFD {
		if i, ok := t.ctx.code.wrapperParam(callee); ok && i < len(cc.Args) && cc.Args[i] == v {
			// c = wrap(c): the program's own wrapper is the same conn.
			out := aliasRef{conn: ref.conn, role: roleConn, kind: ref.kind, closes: true}
			if _, isTuple := call.Type().(*types.Tuple); !isTuple {
				t.addAlias(call, out)
				return
			}
			for _, r := range *call.Referrers() {
				if ext, ok := r.(*ssa.Extract); ok && ext.Index == 0 {
					t.addAlias(ext, out)
				}
			}
			return
		}
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
			t.addAlias(call, aliasRef{conn: ref.conn, role: spec.role, kind: k, closes: spec.close})
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
