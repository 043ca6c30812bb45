package ownership

import (
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file finds the owning fields of the package: struct fields that
// hold a connection the package owns, as a session or client type keeps
// its conn. It is the Resource Leak Checker's @Owning field, inferred: a
// field is owning when every value the package stores into it is a
// connection it can follow (from an origin, or a parameter of the storing
// function, or a wrapper of either), and all those stores are in one
// function (the constructor, or the method that dials). A field stored
// from two functions, or given a value of unknown origin, is not owning:
// who closes what is then unclear, and rstlint stays silent.
//
// The methods that use an owning field are then judged as its owners (its
// loads are roots, like parameters: track.go), and those that only close
// it are summarized and judged where they are called (dataflow's
// summarize.go, ownership's owner.go).

// Field is what the package stores into an owning field.
type Field struct {
	Var   *types.Var
	Index int // the field's index in its struct
	// Sources are the conns the stores come from, in the order of the
	// package's code: origin calls, or the storing functions' parameters.
	// Fields of one struct with the same sources (conn and a bufio.Reader
	// on it) are one conn.
	Sources []ssa.Value
	// source is what stored values are resolved to (storedConn only).
	source ssa.Value
	Role   knowledge.Role
	Closes bool // Close on the stored wrapper closes the conn (textproto.Conn)
	Kind   knowledge.Kind
	// The origin, when every store has the same one: Verb and From as in
	// Conn, Pos the origin call. Verb is "" for conns passed in.
	Verb, From string
	Pos        token.Pos
	Client     bool
	Definite   bool             // it can only hold a socket: its type says so, or its origin
	Socket     knowledge.Socket // every store is a socket of this type
	Owner      types.Type       // the struct type, for messages
	// Self marks a stored value that is the field's own conn wrapped
	// again (storedConn's fieldStores only): the same conn.
	Self bool
}

// OwningFields returns the package's owning fields, by field.
//
// Stores into a value the storing function has just made (&session{conn:
// c}) construct it: a type may be constructed in many places. A store
// into an existing value's field (s.conn = c) reassigns it: then all the
// field's stores must be in one function, or who owns the conn is unclear.
//
// A store of the field's own conn wrapped again (an upgrade to TLS) is
// no reassignment, and a field filled from another owning field holds
// that field's conn: the fields are found again with the ones found
// before known, until none is added.
func OwningFields(funcs []*ssa.Function, nets *Networks, table *summary.Table) map[*types.Var]*Field {
	sites, shared := callSites(funcs), sharedTypes(funcs)
	var known map[*types.Var]*Field
	for range knowledge.MaxDepth {
		fields := owningFields(funcs, nets, table, sites, shared, known)
		if len(fields) == len(known) {
			return fields
		}
		known = fields
	}
	return known
}

func owningFields(funcs []*ssa.Function, nets *Networks, table *summary.Table, sites map[*ssa.Function][]ssa.CallInstruction,
	shared map[types.Type]bool, known map[*types.Var]*Field) map[*types.Var]*Field {
	type store struct {
		fn    *ssa.Function
		fresh bool // into a value fn made: a construction
		from  Field
	}
	type candidate struct {
		f      *Field
		stores []store
		bad    bool
	}
	cands := make(map[*types.Var]*candidate)
	for _, fs := range knowledge.FieldStores(funcs) {
		field, st, fa := fs.Field, fs.Store, fs.Addr
		c := cands[field]
		if c == nil {
			c = &candidate{f: &Field{Var: field, Index: fa.Field, Definite: knowledge.IsDefiniteConnType(field.Type())}}
			cands[field] = c
		}
		if c.bad || knowledge.IsNilConst(st.Val) {
			continue // s.conn = nil, after a Close
		}
		o, ok := fieldStores{sites: sites, nets: nets, self: field, known: known, table: table}.conn(st.Val, 0)
		if !ok {
			c.bad = true
			continue
		}
		_, fresh := fa.X.(*ssa.Alloc)
		c.stores = append(c.stores, store{fs.Fn, fresh, o})
	}
	fields := make(map[*types.Var]*Field)
	for field, c := range cands {
		// The field's own conn wrapped again changes only its kind.
		var selfKinds []knowledge.Kind
		c.stores = slices.DeleteFunc(c.stores, func(st store) bool {
			if st.from.Self {
				selfKinds = append(selfKinds, st.from.Kind)
			}
			return st.from.Self
		})
		if c.bad || len(c.stores) == 0 {
			continue
		}
		f, first := c.f, c.stores[0].from
		f.Role, f.Closes, f.Kind = first.Role, first.Closes, first.Kind
		f.Verb, f.From, f.Pos, f.Client, f.Socket = first.Verb, first.From, first.Pos, first.Client, first.Socket
		reassigned, oneFunc, allDefinite := false, true, true
		for _, st := range c.stores {
			reassigned = reassigned || !st.fresh
			oneFunc = oneFunc && st.fn == c.stores[0].fn
			o := st.from
			allDefinite = allDefinite && (o.Definite || o.Verb != "")
			switch {
			case o.Role != f.Role:
				c.bad = true
			case o.Kind != f.Kind && (o.Kind == knowledge.KindFD || f.Kind == knowledge.KindFD):
				c.bad = true
			case o.Kind != f.Kind:
				f.Kind = knowledge.KindTLS // TLS on some paths (an upgrade): its CloseWrite sends no FIN
			}
			if o.Verb != f.Verb || o.Client != f.Client {
				f.Verb, f.From, f.Client = "", "", false // mixed origins: a conn passed in
			}
			if o.Socket != f.Socket {
				f.Socket = knowledge.NoSocket
			}
			f.Sources = append(f.Sources, o.source)
		}
		if c.bad || reassigned && !oneFunc {
			continue
		}
		if slices.Contains(selfKinds, knowledge.KindTLS) {
			// Upgraded to TLS in place (STARTTLS): the upgrade exists in
			// command protocols (SMTP, FTP, LDAP) whose peer waits for
			// each answer, where a Close after the last answer cuts
			// nothing; rstlint cannot tell their goodbye from a cut, and
			// leaves such a field unjudged.
			continue
		}
		// A field of a type a conn only satisfies (io.ReadWriteCloser)
		// holds a conn when every value stored in it is one.
		f.Definite = f.Definite || f.Verb != "" || allDefinite
		if f.Owner = structOf(c.stores[0].fn, f); !shared[f.Owner] {
			fields[field] = f
		}
	}
	return fields
}

// sameSources reports whether two owning fields are filled from the same
// conns, store for store: then they are two views of one conn (s.conn and
// s.r = bufio.NewReader(c)).
func sameSources(a, b *Field) bool {
	if len(a.Sources) != len(b.Sources) {
		return false
	}
	for i := range a.Sources {
		if a.Sources[i] != b.Sources[i] {
			return false
		}
	}
	return true
}

// structOf is the struct type an owning field belongs to, found from one
// of its stores in fn.
func structOf(fn *ssa.Function, f *Field) types.Type {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if st, ok := instr.(*ssa.Store); ok {
				if fa, ok := st.Addr.(*ssa.FieldAddr); ok && knowledge.FieldOf(fa) == f.Var {
					return types.Unalias(fa.X.Type()).Underlying().(*types.Pointer).Elem()
				}
			}
		}
	}
	return nil
}

// sharedTypes are the struct types whose pointers the package puts where
// other code can reach them: a map, a channel, a slice, a global. Who
// closes their conns is then unclear (a registry's shutdown, a second
// goroutine), and their fields are not owning. A pointer kept in another
// struct's field is not sharing: a stream, a framer or a watcher that
// points back to the session it belongs to does not own the session's
// conn, and the struct stays its one owner.
func sharedTypes(funcs []*ssa.Function) map[types.Type]bool {
	shared := make(map[types.Type]bool)
	note := func(v ssa.Value) {
		if ptr, ok := types.Unalias(v.Type()).(*types.Pointer); ok {
			if _, isStruct := ptr.Elem().Underlying().(*types.Struct); isStruct {
				shared[ptr.Elem()] = true
			}
		}
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch i := instr.(type) {
				case *ssa.MapUpdate:
					note(i.Key)
					note(i.Value)
				case *ssa.Send:
					note(i.X)
				case *ssa.Store:
					switch i.Addr.(type) {
					case *ssa.Alloc, *ssa.FieldAddr:
					default:
						note(i.Val)
					}
				}
			}
		}
	}
	// A struct held by value in a shared one is shared with it: the
	// session in a registry shares the network part it embeds.
	for changed := true; changed; {
		changed = false
		for t := range shared {
			st, ok := t.Underlying().(*types.Struct)
			if !ok {
				continue
			}
			for i := range st.NumFields() {
				if ft := types.Unalias(st.Field(i).Type()); !shared[ft] {
					if _, isStruct := ft.Underlying().(*types.Struct); isStruct {
						shared[ft], changed = true, true
					}
				}
			}
		}
	}
	return shared
}

// storedConn says where a value stored into a field came from: an origin
// call, a parameter of the storing function (resolved through the
// package's calls of it when they all agree), or a wrapper of either;
// seen through conversions and type assertions.
func storedConn(v ssa.Value, sites map[*ssa.Function][]ssa.CallInstruction, nets *Networks, depth int) (Field, bool) {
	return fieldStores{sites: sites, nets: nets}.conn(v, depth)
}

// fieldStores resolves the values stored into one field (self): besides
// storedConn's, the field's own value wrapped again (&mixConn{c.nc, pre},
// or c.nc = tls.Server(c.nc, cfg), an upgrade: the same conn, marked
// Self), and a load of a field already found owning (the conn a
// connector dialed, moved into the session it builds).
type fieldStores struct {
	sites map[*ssa.Function][]ssa.CallInstruction
	nets  *Networks
	self  *types.Var
	known map[*types.Var]*Field
	table *summary.Table // other packages' view helpers (their facts)
}

func (r fieldStores) conn(v ssa.Value, depth int) (Field, bool) {
	var o Field
	if depth > knowledge.MaxDepth {
		return o, false
	}
	switch x := v.(type) {
	case *ssa.TypeAssert:
		o, ok := r.conn(x.X, depth+1)
		if ok && knowledge.IsNamedType(x.AssertedType, true, "crypto/tls", "Conn") {
			o.Kind = knowledge.KindTLS
		}
		return o, ok
	case *ssa.UnOp:
		fa, ok := x.X.(*ssa.FieldAddr)
		if x.Op != token.MUL || !ok {
			return o, false
		}
		switch field := knowledge.FieldOf(fa); {
		case field == nil:
		case field == r.self:
			return Field{Role: knowledge.RoleConn, Kind: knowledge.KindOfType(field.Type()), Self: true}, true
		case r.known[field] != nil && r.known[field].Role == knowledge.RoleConn && hasField(fa.X.Type(), r.self):
			// s.br = bufio.NewReader(s.conn): a view of the struct's
			// own conn, which its upgrade made again.
			return Field{Role: knowledge.RoleConn, Kind: r.known[field].Kind, Self: true}, true
		case r.known[field] != nil && r.known[field].Role == knowledge.RoleConn:
			o = *r.known[field]
			o.source = o.Sources[0]
			return o, true
		}
		return o, false
	case *ssa.Alloc:
		if o, ok := r.readerOver(x, depth); ok {
			return o, true
		}
		// &mixConn{Conn: c.nc, pre: pre}: one of the program's conn
		// structs holding the field's own conn.
		if r.self == nil || !knowledge.IsConnStructType(x.Type()) {
			return o, false
		}
		for _, ref := range *x.Referrers() {
			fa, ok := ref.(*ssa.FieldAddr)
			if !ok || !knowledge.IsConnType(knowledge.FieldOf(fa).Type()) {
				continue
			}
			for _, fref := range *fa.Referrers() {
				if st, ok := fref.(*ssa.Store); ok && st.Addr == fa {
					if inner, ok := r.conn(st.Val, depth+1); ok && inner.Self {
						return inner, true
					}
				}
			}
		}
		return o, false
	case *ssa.Call:
		cc := x.Common()
		if spec, ok := StdOrigin(cc, r.nets); ok && !spec.CallerNetwork {
			return Field{source: x, Role: knowledge.RoleConn, Kind: spec.Kind, Verb: spec.Verb, From: knowledge.CallName(cc),
				Pos: x.Pos(), Client: spec.Client, Socket: spec.Socket}, true
		}
		if cc.IsInvoke() {
			return o, false
		}
		spec, ok := knowledge.Constructors[knowledge.FuncName(cc.StaticCallee())]
		if !ok {
			spec, ok = r.viewHelper(x)
		}
		if !ok || len(spec.Args) != 1 || spec.Args[0] >= len(cc.Args) {
			return o, false
		}
		inner, ok := r.conn(cc.Args[spec.Args[0]], depth+1)
		if !ok || inner.Kind == knowledge.KindFD {
			return o, false
		}
		inner.Role, inner.Closes = spec.Role, spec.Close
		if spec.Role == knowledge.RoleConn {
			inner.Kind = spec.Kind
		}
		return inner, true
	case *ssa.Parameter:
		if !knowledge.IsConnType(x.Type()) {
			return o, false
		}
		o = Field{source: x, Role: knowledge.RoleConn, Kind: knowledge.KindOfType(x.Type()), Socket: knowledge.SocketOfType(x.Type()),
			Definite: knowledge.IsDefiniteConnType(x.Type())}
		if from, ok := callSitesAgree(x, r.sites, r.nets, depth); ok {
			from.source = x
			return from, true
		}
		return o, true
	}
	if w, ok := knowledge.Step(v); ok {
		return r.conn(w, depth+1)
	}
	return o, false
}

// readerOver: &rewindReader{raw: c}, a fresh value of one of the
// program's reader types (a declared Read that reads one of its fields,
// and no Close) holding a conn in that field, is a reader view of the
// conn, as bufio.NewReader(c) is. A conn type that keeps one beside the
// conn (struct{ net.Conn; *rewindReader }) then holds one conn in two
// fields, and its Read reads that conn.
func (r fieldStores) readerOver(alloc *ssa.Alloc, depth int) (Field, bool) {
	var o Field
	st, ok := knowledge.PointedStruct(alloc.Type())
	if !ok || r.table == nil || r.table.MethodSets.MethodSet(alloc.Type()).Lookup(nil, "Close") != nil {
		return o, false
	}
	for k := range st.NumFields() {
		_, v := storedIn(alloc, k)
		if v == nil || !readsOwnField(r.table, alloc.Type(), k) {
			continue
		}
		inner, ok := r.conn(v, depth+1)
		if !ok || inner.Kind == knowledge.KindFD || !inner.Role.ReadSide() {
			continue
		}
		inner.Role, inner.Closes = knowledge.RoleReader, false
		return inner, true
	}
	return o, false
}

// viewHelper describes a call of a helper whose only result is a view of
// one of its arguments (a pool's GetBufReader(c)) as a constructor.
func (r fieldStores) viewHelper(call *ssa.Call) (knowledge.Constructor, bool) {
	v, ok := helperView(r.table, call)
	if !ok || v.Role == knowledge.RoleConn {
		return knowledge.Constructor{}, false
	}
	return knowledge.Constructor{Args: []int{v.Param}, Role: v.Role, Kind: knowledge.KindStream}, true
}

// callSitesAgree resolves a parameter through the package's static calls
// of its function: the origin they all pass, if there are some and they
// agree.
func callSitesAgree(p *ssa.Parameter, sites map[*ssa.Function][]ssa.CallInstruction, nets *Networks, depth int) (Field, bool) {
	fn := p.Parent()
	index := -1
	for i, q := range fn.Params {
		if q == p {
			index = i
		}
	}
	var agreed Field
	n := 0
	for _, call := range sites[fn] {
		if index < 0 || index >= len(call.Common().Args) {
			return agreed, false
		}
		o, ok := storedConn(call.Common().Args[index], sites, nets, depth+1)
		if !ok || n > 0 && (o.Verb != agreed.Verb || o.Client != agreed.Client) {
			return agreed, false
		}
		agreed, n = o, n+1
	}
	return agreed, n > 0 && agreed.Verb != ""
}

// callSites indexes the static calls (and go and defer statements) of the
// package's functions by callee.
// DialedParams finds the conn parameters of the package's unexported
// functions that every call passes a conn we dialed (a sendTCP(conn)
// helper of a dial loop): in the function they are a client's conns, and
// a client that read the reply to its last request owes nothing. A
// function whose value is taken (a method value, a callback) has calls
// rstlint cannot see, and is left out.
func DialedParams(funcs []*ssa.Function, nets *Networks) map[*ssa.Parameter]bool {
	sites := callSites(funcs)
	taken := takenFuncs(funcs)
	dialed := make(map[*ssa.Parameter]bool)
	for _, fn := range funcs {
		if obj := fn.Object(); obj == nil || obj.Exported() || taken[fn] || len(sites[fn]) == 0 {
			continue
		}
		for _, p := range fn.Params {
			if !knowledge.IsConnType(p.Type()) {
				continue
			}
			if from, ok := callSitesAgree(p, sites, nets, 0); ok && from.Client {
				dialed[p] = true
			}
		}
	}
	return dialed
}

// takenFuncs are the package's functions whose value is taken (a method
// value, a callback, a function stored or passed): they have calls
// rstlint cannot see.
func takenFuncs(funcs []*ssa.Function) map[*ssa.Function]bool {
	taken := make(map[*ssa.Function]bool)
	var ops []*ssa.Value
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				ops = instr.Operands(ops[:0])
				call, isCall := instr.(ssa.CallInstruction)
				for i, op := range ops {
					if f, ok := (*op).(*ssa.Function); ok && !(isCall && i == 0 && call.Common().Value == f) {
						taken[f] = true
					}
				}
			}
		}
	}
	return taken
}

func callSites(funcs []*ssa.Function) map[*ssa.Function][]ssa.CallInstruction {
	sites := make(map[*ssa.Function][]ssa.CallInstruction)
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(ssa.CallInstruction); ok && !call.Common().IsInvoke() {
					if callee, ok := call.Common().Value.(*ssa.Function); ok {
						sites[callee] = append(sites[callee], call)
					}
				}
			}
		}
	}
	return sites
}

// hasField reports whether ptr points to a struct with the field f.
func hasField(ptr types.Type, f *types.Var) bool {
	p, ok := types.Unalias(ptr).(*types.Pointer)
	if !ok || f == nil {
		return false
	}
	st, ok := p.Elem().Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := range st.NumFields() {
		if st.Field(i) == f {
			return true
		}
	}
	return false
}
