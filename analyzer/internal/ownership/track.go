package ownership

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file finds the connections of one function and every SSA value
// that refers to each of them: the function's parameters and captured
// variables that can hold one, the calls that create one (origins.go),
// and the values derived from them through conversions, phis, variables
// captured by closures, constructors (bufio.NewReader) and the program's
// own wrappers (wrappers.go).

// Conn is one connection tracked through a function.
type Conn struct {
	Pos  token.Pos      // where it came from: the creating call, or the parameter
	Verb string         // "accepted", "dialed", "hijacked", "created"; "" for parameters
	From string         // the creating function, e.g. "net.Dial"
	Name string         // the parameter's or variable's name, if known
	Kind knowledge.Kind // what sort of socket
	// Client: we speak first, and the peer only answers what we send.
	Client  bool
	Param   int // index in fn.Params, or -1
	FreeVar int // index in fn.FreeVars, or -1
	// Field is set for an owning field of the struct a parameter or
	// captured variable points to (s.conn): the conn is that field's.
	Field *Field
	// Definite is set for parameters whose type can only be a socket: only
	// those make their function an owner that is judged itself.
	Definite bool
	// Socket is the socket type the conn is known to be (its origin or
	// its type says so): an assertion to that type cannot fail.
	Socket knowledge.Socket
	// CallerNetwork: the conn was dialed on the network the function's
	// parameter NetworkParam names. It is a stream only where a caller
	// passes a stream network: the function is an origin for those
	// callers, and judges none of the conn's Closes itself.
	CallerNetwork bool
	NetworkParam  int
	NetworkTyped  bool // the network decides its type (Spec.NetworkTyped)
	// Conflicted is set when one value may refer to this connection or to
	// another one: we cannot tell them apart, so we say nothing about either.
	Conflicted bool
	// ProxyEnd: no origin rstlint knows made it, but the function copies
	// it both ways with another value (seedProxyEnds): only the proxy
	// rule judges it.
	ProxyEnd bool
	// DatagramPeer: the function copies it both ways with a conn dialed
	// on a datagram network (a UDP relay's other end): it is most likely
	// a datagram conn itself, and nothing is said about it.
	DatagramPeer bool
	// ClosedBy names the framework function that closes this parameter
	// when the function returns (a handler stored in a field a
	// HandlerFact describes): every return is that Close.
	ClosedBy string
}

// IsRoot reports whether the connection came from outside the function:
// a parameter or a captured variable (or a field of one), whose state on
// entry is relative.
func (c *Conn) IsRoot() bool { return c.Param >= 0 || c.FreeVar >= 0 }

// Key identifies a root connection among its function's: the index of its
// parameter (or captured variable), and the owning field it is, if any.
func (c *Conn) Key() summary.RootKey {
	k := summary.RootKey{Index: c.Param}
	if c.FreeVar >= 0 {
		k.Index = c.FreeVar
	}
	if c.Field != nil {
		k.Field = c.Field.Var.Name()
	}
	return k
}

// AliasRef says which connection a value refers to, and how.
type AliasRef struct {
	Conn   int
	Role   knowledge.Role
	Kind   knowledge.Kind
	Closes bool           // Close on a wrapper closes the connection (tls.Conn, textproto.Conn)
	Inner  knowledge.Role // for RoleCell: the role of the values stored in the cell
	// Parses: the value is one of the program's wrappers whose Read can
	// fail on what it read (a decrypting or authenticating conn): its
	// failed reads leave the rest of the input queued.
	Parses bool
}

// Tracking is the result of this stage: the function's connections, and
// the values that refer to them.
type Tracking struct {
	Conns    []*Conn
	Alias    map[ssa.Value]AliasRef
	OriginAt map[*ssa.Call]int // the origin calls, and the connection each creates
	// LoadOrigin holds the loads of a field that start a proxy's end no
	// origin reached (seedProxyEnds): the first load of the field, of
	// which the others are aliases.
	LoadOrigin map[*ssa.UnOp]int
	// FieldRoots maps a parameter or captured variable (the base) to the
	// connections of its owning fields.
	FieldRoots map[ssa.Value][]int
	// CapturedOK holds the captured ok results of comma-ok assertions the
	// enclosing function made of a conn this function captures too
	// (capturedAssertions): where the literal tests one, the assertion's
	// outcome holds.
	CapturedOK map[*ssa.FreeVar]CapturedAssertion
}

// CapturedAssertion is a result of a comma-ok assertion (v, ok := c.(T))
// that a literal captures, with the free variable that captures c.
type CapturedAssertion struct {
	Source   *ssa.FreeVar // the free variable that holds c
	Index    int          // which result: 0 the value, 1 ok
	Asserted types.Type   // T
	Conn     int          // with Index 1, the conn Source is
}

// capturedAssertions finds the free variables of fn bound to a result of
// a comma-ok assertion that the enclosing function made of a value fn
// captures too: `bc, isBC := backend.(tcpCloser)`, then a goroutine that
// uses backend, bc and isBC. bc is backend, and a test of isBC is the
// assertion's, as in the enclosing function.
func capturedAssertions(fn *ssa.Function) map[*ssa.FreeVar]CapturedAssertion {
	var out map[*ssa.FreeVar]CapturedAssertion
	if len(fn.FreeVars) < 2 {
		return nil
	}
	// A variable a closure captures is a cell the enclosing function
	// stores into: what it holds is its only store.
	held := func(v ssa.Value) ssa.Value {
		if cell, ok := v.(*ssa.Alloc); ok {
			return storedOnce(cell)
		}
		return v
	}
	bound := make(map[ssa.Value]*ssa.FreeVar, len(fn.FreeVars))
	for _, fv := range fn.FreeVars {
		if b := knowledge.Binding(fv); b != nil {
			bound[b] = fv
		}
	}
	for _, fv := range fn.FreeVars {
		ext, ok := held(knowledge.Binding(fv)).(*ssa.Extract)
		if !ok || ext.Index > 1 {
			continue
		}
		ta, ok := ext.Tuple.(*ssa.TypeAssert)
		if !ok || !ta.CommaOk {
			continue
		}
		x := knowledge.Through(ta.X)
		if load, ok := x.(*ssa.UnOp); ok && load.Op == token.MUL {
			x = load.X // c.(T) of a captured c: the load of its cell
		}
		src := bound[x]
		if src == nil || src == fv {
			continue
		}
		if out == nil {
			out = make(map[*ssa.FreeVar]CapturedAssertion)
		}
		out[fv] = CapturedAssertion{Source: src, Index: ext.Index, Asserted: ta.AssertedType}
	}
	return out
}

// Context is what tracking needs to know beyond the function.
type Context struct {
	// FDAware: the package makes system calls on raw descriptors, so
	// integer parameters and captured variables may be descriptors.
	FDAware bool
	// NoStream marks the parameters that may carry datagram conns, or
	// conns that are no socket (NoStreamParams): they are followed for
	// the summary, and not judged.
	NoStream map[*ssa.Function][]bool
	// Fields are the package's owning fields (OwningFields).
	Fields map[*types.Var]*Field
	// Networks are what the package stores in its unexported string
	// fields and variables (StreamNetworks).
	Networks *Networks
	// Dialed are the parameters every call passes a conn we dialed
	// (DialedParams): a client's conns.
	Dialed map[*ssa.Parameter]bool
	// Definite are the parameters of a type a conn only satisfies that
	// every call passes a conn (DefiniteParams).
	Definite map[*ssa.Parameter]bool
	// ClosedAtReturn are the conn parameters of handlers a framework
	// closes when they return (ClosedAtReturn), with the closing function.
	ClosedAtReturn map[*ssa.Parameter]string
	// Table holds the summaries of the functions analyzed before this one:
	// the program's own origins and wrappers.
	Table *summary.Table
}

// Track finds fn's connections and their aliases.
func Track(fn *ssa.Function, ctx *Context) *Tracking {
	t := &trackBuilder{ctx: ctx, Tracking: Tracking{
		Alias:      make(map[ssa.Value]AliasRef),
		OriginAt:   make(map[*ssa.Call]int),
		LoadOrigin: make(map[*ssa.UnOp]int),
		FieldRoots: make(map[ssa.Value][]int),
	}}
	fdAware, datagram, fields := ctx.FDAware, ctx.NoStream[fn], ctx.Fields
	for i, p := range fn.Params {
		typ := p.Type()
		switch {
		case datagram != nil && datagram[i] && knowledge.IsConnType(typ):
			// A call passes it a datagram conn, or a conn that is no
			// socket (a mux stream), or the function expects one: no
			// stream, no RST there.
			// It is followed for the summary, as a parameter that may be
			// stdio is, and judged by the callers that pass a stream
			// (a pipe helper that UDP relays share leaves them reading).
			k := knowledge.KindOfType(typ)
			t.addRoot(&Conn{Pos: p.Pos(), Name: p.Name(), Kind: k, Param: i, FreeVar: -1, Client: ctx.Dialed[p]}, p,
				AliasRef{Role: knowledge.RoleConn, Kind: k})
		case datagram != nil && datagram[i]:
		case knowledge.IsConnType(typ):
			k := knowledge.KindOfType(typ)
			t.addRoot(&Conn{Pos: p.Pos(), Name: p.Name(), Kind: k, Param: i, FreeVar: -1, Client: ctx.Dialed[p],
				Definite: knowledge.IsDefiniteConnType(typ) || ctx.Definite[p], Socket: knowledge.SocketOfType(typ),
				ClosedBy: ctx.ClosedAtReturn[p]}, p, AliasRef{Role: knowledge.RoleConn, Kind: k})
		case fdAware && knowledge.IsFDType(typ) && p.Object() != nil:
			t.addRoot(&Conn{Pos: p.Pos(), Name: p.Name(), Kind: knowledge.KindFD, Param: i, FreeVar: -1}, p,
				AliasRef{Role: knowledge.RoleConn, Kind: knowledge.KindFD})
		case wrapsDefiniteConn(ctx.Table, typ, fields):
			// A pointer to one of the program's conn wrappers that this
			// package does not follow as an owning field: the conn it wraps.
			t.addRoot(&Conn{Pos: p.Pos(), Name: p.Name(), Kind: knowledge.KindStream, Param: i, FreeVar: -1, Client: ctx.Dialed[p],
				Definite: true}, p, AliasRef{Role: knowledge.RoleConn, Kind: knowledge.KindStream, Closes: true})
		default:
			// A reader or writer view of a conn (a helper given the
			// *bufio.Reader its caller reads the request with): followed
			// for the summary, never judged here (it may wrap a file).
			if v, ok := knowledge.ViewOf(typ); ok {
				t.addRoot(&Conn{Pos: p.Pos(), Name: p.Name(), Kind: knowledge.KindStream, Param: i, FreeVar: -1}, p,
					AliasRef{Role: v.Role, Kind: knowledge.KindStream, Closes: v.Close})
			}
		}
	}
	asserted := capturedAssertions(fn)
	for i, fv := range fn.FreeVars {
		if _, ok := asserted[fv]; ok {
			continue // what an assertion of another captured conn gave: below
		}
		typ := fv.Type()
		if ptr, ok := types.Unalias(typ).(*types.Pointer); ok {
			if v, ok := knowledge.ViewOf(ptr.Elem()); ok {
				// A reader or writer view of a conn captured by a
				// closure (a goroutine that reads the request through
				// its caller's *bufio.Reader): followed for the
				// literal's summary, as a view parameter is.
				t.addRoot(&Conn{Pos: fv.Pos(), Name: fv.Name(), Kind: knowledge.KindStream, Param: -1, FreeVar: i}, fv,
					AliasRef{Role: knowledge.RoleCell, Kind: knowledge.KindStream, Inner: v.Role, Closes: v.Close})
				continue
			}
		}
		r := knowledge.RoleConn
		if ptr, ok := types.Unalias(typ).(*types.Pointer); ok {
			typ, r = ptr.Elem(), knowledge.RoleCell
		}
		k := knowledge.KindOfType(typ)
		switch {
		case knowledge.IsConnType(typ):
		case fdAware && knowledge.IsFDType(typ):
			k = knowledge.KindFD
		default:
			continue
		}
		t.addRoot(&Conn{Pos: fv.Pos(), Name: fv.Name(), Kind: k, Param: -1, FreeVar: i}, fv,
			AliasRef{Role: r, Kind: k, Inner: knowledge.RoleConn})
	}
	for _, fv := range fn.FreeVars {
		a, isAsserted := asserted[fv]
		if !isAsserted {
			continue
		}
		src, ok := t.Alias[a.Source]
		if !ok || src.Role != knowledge.RoleConn && src.Role != knowledge.RoleCell {
			continue
		}
		if a.Index == 0 {
			t.addAlias(fv, src) // bc, captured from bc, ok := c.(T): c itself
			continue
		}
		if t.CapturedOK == nil {
			t.CapturedOK = make(map[*ssa.FreeVar]CapturedAssertion)
		}
		a.Conn = src.Conn
		t.CapturedOK[fv] = a
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
			spec, ok := OriginOf(call, ctx.Table, ctx.Networks)
			if !ok {
				continue
			}
			id := len(t.Conns)
			t.Conns = append(t.Conns, &Conn{Pos: call.Pos(), Verb: spec.Verb, From: knowledge.CallName(call.Common()),
				Kind: spec.Kind, Client: spec.Client, Param: -1, FreeVar: -1, Socket: spec.Socket,
				CallerNetwork: spec.CallerNetwork, NetworkParam: spec.NetworkParam, NetworkTyped: spec.NetworkTyped})
			t.OriginAt[call] = id
			t.bindResults(call, id, spec.Kind, spec.Result)
		}
	}
	t.fieldViewCalls(fn)
	t.drain()
	// The proxy's ends that no origin reached, once every alias of the
	// known conns is found.
	t.seedProxyEnds(fn)
	t.drain()
	t.resolveMerged()
	return &t.Tracking
}

// trackBuilder is the work list of Track.
type trackBuilder struct {
	Tracking
	ctx    *Context
	queue  []ssa.Value
	merged map[int]int // a connection merged into another (find)
}

// drain propagates the aliases on the work list until it is empty.
func (t *trackBuilder) drain() {
	for len(t.queue) > 0 {
		v := t.queue[len(t.queue)-1]
		t.queue = t.queue[:len(t.queue)-1]
		t.propagate(v)
	}
}

func (t *trackBuilder) addRoot(c *Conn, v ssa.Value, ref AliasRef) {
	ref.Conn = len(t.Conns)
	t.Conns = append(t.Conns, c)
	t.addAlias(v, ref)
}

// addFieldRoots makes a root connection of each owning field of the
// struct that base (a parameter or captured variable) points to, and
// aliases of it of the field's addresses: &s.conn is the variable holding
// the conn, *(&s.conn) the conn. A captured variable that the closure's
// parent reassigns is a cell: its loads are the base then.
func (t *trackBuilder) addFieldRoots(base ssa.Value, param, freeVar int, fields map[*types.Var]*Field) {
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
	roots := append(append([]ssa.Value{base}, cells...), bases...)
	t.structFieldRoots(st, bases, roots, base.Name(), param, freeVar, fields)
	// A struct value in a field (cl.Net, a ClientConnection{Conn: c,
	// bconn: br}) holds its own owning fields: cl.Net.Conn is cl's conn.
	for i := range st.NumFields() {
		inner, ok := types.Unalias(st.Field(i).Type()).Underlying().(*types.Struct)
		if !ok {
			continue
		}
		var addrs []ssa.Value
		for _, b := range bases {
			for _, r := range *b.Referrers() {
				if fa, ok := r.(*ssa.FieldAddr); ok && fa.X == b && fa.Field == i {
					addrs = append(addrs, fa)
				}
			}
		}
		t.structFieldRoots(inner, addrs, roots, base.Name()+"."+st.Field(i).Name(), param, freeVar, fields)
	}
}

// structFieldRoots makes a root connection of each owning field of st, a
// struct that the values bases point to, named after name, and aliases of
// it of the field's addresses; roots are the values whose FieldRoots list
// them.
func (t *trackBuilder) structFieldRoots(st *types.Struct, bases, roots []ssa.Value, name string, param, freeVar int, fields map[*types.Var]*Field) {
	// One conn per set of sources: s.conn and s.r = bufio.NewReader(c)
	// are two views of one conn.
	var groups []*Field // the first field of each conn, by conn index - first
	first := len(t.Conns)
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
		if !seen || f.Role == knowledge.RoleConn && t.Conns[k].Field.Role != knowledge.RoleConn {
			c := &Conn{Pos: f.Pos, Verb: f.Verb, From: f.From, Name: name + "." + f.Var.Name(),
				Kind: f.Kind, Client: f.Client, Param: param, FreeVar: freeVar, Field: f, Definite: f.Definite, Socket: f.Socket}
			if f.Verb == "" {
				c.Pos = f.Var.Pos()
			}
			if seen {
				t.Conns[k] = c // name the conn after the field that holds the conn itself
			} else {
				k = len(t.Conns)
				t.Conns = append(t.Conns, c)
				groups = append(groups, f)
				for _, b := range roots {
					if rs := t.FieldRoots[b]; len(rs) == 0 || rs[len(rs)-1] != k {
						t.FieldRoots[b] = append(rs, k)
					}
				}
			}
		}
		for _, b := range bases {
			for _, r := range *b.Referrers() {
				if fa, ok := r.(*ssa.FieldAddr); ok && fa.X == b && fa.Field == f.Index {
					t.addAlias(fa, AliasRef{Conn: k, Role: knowledge.RoleCell, Kind: f.Kind, Closes: f.Closes, Inner: f.Role})
				}
			}
			t.readerOfBase(b, f, k)
		}
	}
}

// readerOfBase: the struct that b points to, handed on as a reader
// (binary.Read(s, ...) in a method of s's type), is read through its
// declared Read; where that Read reads the owning field f, the handed
// value is a reader of f's conn k. Only the conversions to a reader that
// cannot close are views: the struct itself may have a Close of its own.
func (t *trackBuilder) readerOfBase(b ssa.Value, f *Field, k int) {
	if f.Role != knowledge.RoleConn || t.ctx.Table == nil {
		return
	}
	checked, reads := false, false
	for _, r := range *b.Referrers() {
		mi, ok := r.(*ssa.MakeInterface)
		if !ok || mi.X != b || !t.hasMethod(mi.Type(), "Read") || t.hasMethod(mi.Type(), "Close") {
			continue
		}
		if !checked {
			checked, reads = true, readsOwnField(t.ctx.Table, b.Type(), f.Index)
		}
		if !reads {
			return
		}
		t.addAlias(mi, AliasRef{Conn: k, Role: knowledge.RoleReader, Kind: f.Kind, Parses: readParses(t.ctx.Table, b.Type())})
	}
}

// wrapsDefiniteConn reports whether typ points to one of the program's
// conn wrappers (its Read, Write and Close go to a field that can only
// hold a conn: Delegates) whose field is no owning field of this package
// (those are followed as fields): a wrapper of another package, known by
// the facts of its methods, or one filled outside this package. A value
// of it is the conn it wraps, as the Resource Leak Checker's
// @MustCallAlias says.
func wrapsDefiniteConn(table *summary.Table, typ types.Type, fields map[*types.Var]*Field) bool {
	st, ok := knowledge.PointedStruct(typ)
	if !ok || table == nil || !knowledge.IsConnStructType(typ) {
		return false
	}
	for i := range st.NumFields() {
		f := st.Field(i)
		if fields[f] == nil && knowledge.IsDefiniteConnType(f.Type()) && Delegates(table, typ, i) {
			return true
		}
	}
	return false
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

// bindResults makes the results of an origin call aliases of the new
// connection: the connection itself, and Hijack's bufio.ReadWriter.
func (t *trackBuilder) bindResults(call *ssa.Call, id int, k knowledge.Kind, result int) {
	if _, isTuple := call.Type().(*types.Tuple); !isTuple {
		t.addAlias(call, AliasRef{Conn: id, Role: knowledge.RoleConn, Kind: k})
		return
	}
	for _, r := range *call.Referrers() {
		ext, ok := r.(*ssa.Extract)
		if !ok {
			continue
		}
		switch {
		case ext.Index == result:
			t.addAlias(ext, AliasRef{Conn: id, Role: knowledge.RoleConn, Kind: k})
		case knowledge.IsNamedType(ext.Type(), true, "bufio", "ReadWriter"):
			t.addAlias(ext, AliasRef{Conn: id, Role: knowledge.RoleRW, Kind: k})
		}
	}
}

// addAlias records that v refers to ref.Conn. A value that would refer to
// two connections marks both as conflicted.
func (t *trackBuilder) addAlias(v ssa.Value, ref AliasRef) {
	if old, ok := t.Alias[v]; ok {
		a, b := t.find(old.Conn), t.find(ref.Conn)
		switch {
		case a == b:
		case t.mergeable(a, b):
			t.merge(a, b)
		default:
			t.Conns[a].Conflicted = true
			t.Conns[b].Conflicted = true
		}
		return
	}
	t.Alias[v] = ref
	t.queue = append(t.queue, v)
}

// A variable that holds the conn of one dial or of another (a retry when
// the first dial failed: `c, err = d.Dial(...); if err != nil { c, err =
// fallback.Dial(...) }`) holds one conn: the two origins are merged into
// one connection, which each origin call starts afresh. Two conns of
// different kinds, or a parameter and an origin, stay a conflict.

// find returns the connection k was merged into.
func (t *trackBuilder) find(k int) int {
	for {
		p, ok := t.merged[k]
		if !ok {
			return k
		}
		k = p
	}
}

func (t *trackBuilder) mergeable(a, b int) bool {
	ca, cb := t.Conns[a], t.Conns[b]
	origin := func(c *Conn) bool { return c.Verb != "" && c.Param < 0 && c.FreeVar < 0 && c.Field == nil }
	return origin(ca) && origin(cb) && ca.Verb == cb.Verb && ca.Kind == cb.Kind && ca.Client == cb.Client &&
		!(ca.CallerNetwork && cb.CallerNetwork && ca.NetworkParam != cb.NetworkParam)
}

// merge makes b one connection with a.
func (t *trackBuilder) merge(a, b int) {
	if t.merged == nil {
		t.merged = make(map[int]int)
	}
	t.merged[b] = a
	ca, cb := t.Conns[a], t.Conns[b]
	if ca.Socket != cb.Socket {
		ca.Socket = knowledge.NoSocket
	}
	if cb.CallerNetwork {
		ca.CallerNetwork, ca.NetworkParam = true, cb.NetworkParam
	}
	ca.NetworkTyped = ca.NetworkTyped && cb.NetworkTyped
	if cb.Pos.IsValid() && cb.Pos < ca.Pos {
		ca.Pos = cb.Pos // name the first dial, the one a reader looks for
	}
	ca.Conflicted = ca.Conflicted || cb.Conflicted
}

// resolveMerged points every alias and origin call of a merged
// connection at the connection it was merged into.
func (t *trackBuilder) resolveMerged() {
	if len(t.merged) == 0 {
		return
	}
	for v, ref := range t.Alias {
		ref.Conn = t.find(ref.Conn)
		t.Alias[v] = ref
	}
	for call, k := range t.OriginAt {
		t.OriginAt[call] = t.find(k)
	}
	for base, ks := range t.FieldRoots {
		for i, k := range ks {
			ks[i] = t.find(k)
		}
		t.FieldRoots[base] = ks
	}
}

// propagate follows v's referrers to the values that refer to the same
// connection: conversions, type assertions, phis, variables captured by
// closures (cells), the constructors and wrappers built on it.
func (t *trackBuilder) propagate(v ssa.Value) {
	ref := t.Alias[v]
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
			if knowledge.IsNamedType(r.AssertedType, true, "crypto/tls", "Conn") {
				out.Kind = knowledge.KindTLS
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
			if alloc, ok := r.Addr.(*ssa.Alloc); ok && r.Val == v && ref.Role != knowledge.RoleCell {
				t.addAlias(alloc, AliasRef{Conn: ref.Conn, Role: knowledge.RoleCell, Kind: ref.Kind, Closes: ref.Closes, Inner: ref.Role})
			}
			if fa, ok := r.Addr.(*ssa.FieldAddr); ok && r.Val == v {
				if ref.Role == knowledge.RoleConn {
					t.storeIntoWrapper(fa, ref)
				}
				if ref.Role.ReadSide() && ref.Kind != knowledge.KindFD {
					t.storeIntoReader(fa, ref)
				}
			}
			if call, ok := knowledge.VarargView(r.Addr); ok && r.Val == v && ref.Role.ReadSide() && ref.Kind != knowledge.KindFD {
				// io.MultiReader(peeked, c): reading it reads c.
				t.addAlias(call, AliasRef{Conn: ref.Conn, Role: knowledge.RoleReader, Kind: ref.Kind})
			}
		case *ssa.UnOp:
			if r.Op == token.MUL && ref.Role == knowledge.RoleCell {
				t.addAlias(r, AliasRef{Conn: ref.Conn, Role: ref.Inner, Kind: ref.Kind, Closes: ref.Closes})
			}
		case *ssa.FieldAddr:
			if r.X != v {
				continue
			}
			switch {
			case ref.Role == knowledge.RoleConn && embedsSocket(r):
				// t1.conn: the net.conn embedded in a *net.TCPConn, the
				// receiver of its promoted methods (Read, Write, Close...).
				t.addAlias(r, ref)
			case ref.Role == knowledge.RoleConn && Delegates(t.ctx.Table, v.Type(), r.Field):
				// &w.Conn: the variable holding the conn a wrapper
				// delegates to, the receiver of its promoted methods.
				t.addAlias(r, AliasRef{Conn: ref.Conn, Role: knowledge.RoleCell, Kind: ref.Kind, Inner: knowledge.RoleConn})
			case ref.Role == knowledge.RoleConn && t.wrapperViewAddr(v, r, ref):
				// &w.r: a view of the conn a wrapper holds beside it.
			case ref.Role == knowledge.RoleRW && knowledge.IsNamedType(v.Type(), true, "bufio", "ReadWriter"):
				// &brw.Writer, &brw.Reader: the variables holding the two
				// halves of Hijack's bufio.ReadWriter, the receivers of its
				// promoted methods (brw.WriteString, brw.Reader.Buffered).
				inner := knowledge.RoleReader
				if r.Field == 1 {
					inner = knowledge.RoleWriter
				}
				t.addAlias(r, AliasRef{Conn: ref.Conn, Role: knowledge.RoleCell, Kind: ref.Kind, Inner: inner})
			case ref.Role == knowledge.RoleRW && knowledge.IsNamedType(v.Type(), true, "net/textproto", "Conn") && r.Field <= 1:
				// &tc.Reader, &tc.Writer: the embedded halves of a
				// textproto.Conn, the receivers of its promoted methods
				// (tc.ReadLine, tc.PrintfLine).
				half := knowledge.RoleReader
				if r.Field == 1 {
					half = knowledge.RoleWriter
				}
				t.addAlias(r, AliasRef{Conn: ref.Conn, Role: half, Kind: ref.Kind})
			}
		case *ssa.Call:
			t.propagateCall(r, v, ref)
		}
	}
}

// embedsSocket reports whether fa selects an embedded field of a type
// from package net or crypto/tls (net.TCPConn embeds net.conn).
func embedsSocket(fa *ssa.FieldAddr) bool {
	f := knowledge.FieldOf(fa)
	return f != nil && knowledge.IsEmbeddedSocketField(f)
}

// propagateCall makes the result of a constructor (bufio.NewReader(c),
// tls.Server(c, cfg), tc.NetConn()...) or of one of the program's own
// wrappers (c = meter(c)) an alias of the wrapped connection.
func (t *trackBuilder) propagateCall(call *ssa.Call, v ssa.Value, ref AliasRef) {
	cc := call.Common()
	// A wrapper may hand back a view beside itself ((*SharedConn,
	// io.Reader) of one conn): both are followed.
	wrapped := t.wrapperCall(call, v, ref)
	if viewed := t.viewCall(call, v, ref); wrapped || viewed {
		return
	}
	if recv, method, _, ok := knowledge.Receiver(cc); ok && recv == v && ref.Role == knowledge.RoleConn && ref.Kind != knowledge.KindFD {
		// c.Writer() of a conn that extends net.Conn: its own reader or
		// writer, what is read or written through it is read or written
		// on c.
		if role, ok := knowledge.HandedOutView(method, call.Type()); ok {
			t.addAlias(call, AliasRef{Conn: ref.Conn, Role: role, Kind: ref.Kind})
			return
		}
	}
	if cc.IsInvoke() {
		if cc.Value == v && cc.Method.Name() == "NetConn" {
			t.addAlias(call, AliasRef{Conn: ref.Conn, Role: knowledge.RoleConn, Kind: knowledge.KindStream})
		}
		return
	}
	name := knowledge.FuncName(cc.StaticCallee())
	if role, ok := knowledge.ResetViews[name]; ok && len(cc.Args) == 2 && cc.Args[1] == v && ref.Kind != knowledge.KindFD {
		if r, ok := ref.Role.Meet(role); ok {
			t.addAlias(cc.Args[0], AliasRef{Conn: ref.Conn, Role: r, Kind: ref.Kind})
		}
		return
	}
	spec, ok := knowledge.Constructors[name]
	if !ok {
		return
	}
	for _, i := range spec.Args {
		if i < len(cc.Args) && cc.Args[i] == v {
			k := spec.Kind
			if ref.Kind == knowledge.KindFD {
				return
			}
			if spec.Role != knowledge.RoleConn && ref.Kind == knowledge.KindTLS {
				k = knowledge.KindTLS
			}
			t.addAlias(call, AliasRef{Conn: ref.Conn, Role: spec.Role, Kind: k, Closes: spec.Close})
			return
		}
	}
}

// wrapperViewAddr makes fa, the address of a field of v, an alias of the
// view of ref's conn that the field holds, if v is one of the program's
// wrappers built here with a view of its conn beside it, or one built
// elsewhere whose Read reads through that field.
func (t *trackBuilder) wrapperViewAddr(v ssa.Value, fa *ssa.FieldAddr, ref AliasRef) bool {
	var role knowledge.Role
	var ok bool
	if alloc, isAlloc := v.(*ssa.Alloc); isAlloc {
		role, ok = t.wrapperView(alloc, fa.Field)
	} else {
		role, ok = t.readField(v.Type(), fa.Field)
	}
	if ok {
		t.addAlias(fa, AliasRef{Conn: ref.Conn, Role: knowledge.RoleCell, Kind: ref.Kind, Inner: role})
	}
	return ok
}
