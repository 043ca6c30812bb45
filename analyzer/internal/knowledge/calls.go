package knowledge

import (
	"go/constant"
	"go/token"
	"go/types"
	"iter"

	"golang.org/x/tools/go/ssa"
)

// This file reads the shape of SSA calls, types and constants: who is
// called, on which receiver, with which constant arguments.

// FuncName is the full name of a called function, e.g. "io.Copy" or
// "(*bufio.Reader).ReadString", or "" for dynamic calls.
func FuncName(fn *ssa.Function) string {
	if fn == nil {
		return ""
	}
	if orig := fn.Origin(); orig != nil {
		fn = orig
	}
	if obj, ok := fn.Object().(*types.Func); ok {
		return obj.FullName()
	}
	return ""
}

// CallName describes a call's target for messages: "io.Copy",
// "(*bufio.Reader).ReadString", "net.Conn.Close".
func CallName(cc *ssa.CallCommon) string {
	if cc.IsInvoke() {
		return types.TypeString(cc.Value.Type(), ShortQualifier) + "." + cc.Method.Name()
	}
	if fn := cc.StaticCallee(); fn != nil {
		if obj, ok := fn.Object().(*types.Func); ok {
			if recv := obj.Signature().Recv(); recv != nil {
				return "(" + types.TypeString(recv.Type(), ShortQualifier) + ")." + obj.Name()
			}
			if obj.Pkg() != nil {
				return obj.Pkg().Name() + "." + obj.Name()
			}
		}
		return fn.Name()
	}
	return "function value"
}

// ShortQualifier names a package by its name alone, for messages.
func ShortQualifier(p *types.Package) string { return p.Name() }

// Receiver splits a method call into receiver, method name and arguments.
func Receiver(cc *ssa.CallCommon) (recv ssa.Value, name string, args []ssa.Value, ok bool) {
	if cc.IsInvoke() {
		return cc.Value, cc.Method.Name(), cc.Args, true
	}
	fn := cc.StaticCallee()
	if fn == nil || fn.Signature.Recv() == nil || len(cc.Args) == 0 {
		return nil, "", nil, false
	}
	return cc.Args[0], fn.Name(), cc.Args[1:], true
}

// ClosureCallee returns the function literal a call invokes directly.
func ClosureCallee(cc *ssa.CallCommon) (*ssa.Function, bool) {
	switch v := cc.Value.(type) {
	case *ssa.MakeClosure:
		fn := v.Fn.(*ssa.Function)
		return fn, fn.Parent() != nil
	case *ssa.Function:
		return v, v.Parent() != nil
	}
	return nil, false
}

// RunsNow returns the function value a call runs at once, in the
// calling goroutine, as a call of it: f of (*sync.Once).Do(f), or nil.
func RunsNow(cc *ssa.CallCommon) ssa.Value {
	if cc.IsInvoke() || len(cc.Args) != 2 || FuncName(cc.StaticCallee()) != "(*sync.Once).Do" {
		return nil
	}
	return cc.Args[1]
}

// OnlyCalled reports whether a function value (a closure, or a literal
// without free variables) is only ever called, deferred or, with goOK,
// started as a goroutine: then its effects are applied where that happens.
func OnlyCalled(v ssa.Value, goOK bool) bool {
	refs := v.Referrers()
	if refs == nil {
		return false
	}
	for _, r := range *refs {
		if _, isDebug := r.(*ssa.DebugRef); isDebug {
			continue
		}
		call, ok := r.(ssa.CallInstruction)
		if ok && RunsNow(call.Common()) == v {
			continue // once.Do(f): a call of f
		}
		if !ok || call.Common().Value != v {
			return false
		}
		if _, isGo := r.(*ssa.Go); isGo && !goOK {
			return false
		}
		for _, a := range call.Common().Args {
			if a == v {
				return false
			}
		}
	}
	return true
}

// Binding is the value the enclosing function binds to a free variable,
// or nil.
func Binding(fv *ssa.FreeVar) ssa.Value {
	fn := fv.Parent()
	index := -1
	for i, x := range fn.FreeVars {
		if x == fv {
			index = i
		}
	}
	if index < 0 || fn.Parent() == nil {
		return nil
	}
	for _, b := range fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			if mc, ok := instr.(*ssa.MakeClosure); ok && mc.Fn == fn {
				return mc.Bindings[index]
			}
		}
	}
	return nil
}

// ParamIndex is the index of v among fn's parameters, or -1.
func ParamIndex(fn *ssa.Function, v ssa.Value) int {
	for i, p := range fn.Params {
		if p == v {
			return i
		}
	}
	return -1
}

// FieldOf returns the field a FieldAddr selects.
func FieldOf(fa *ssa.FieldAddr) *types.Var {
	ptr, ok := types.Unalias(fa.X.Type()).Underlying().(*types.Pointer)
	if !ok {
		return nil
	}
	st, ok := ptr.Elem().Underlying().(*types.Struct)
	if !ok || fa.Field >= st.NumFields() {
		return nil
	}
	return st.Field(fa.Field)
}

// FieldOfValue returns the field a Field (of a struct value) selects.
func FieldOfValue(f *ssa.Field) *types.Var {
	st, ok := f.X.Type().Underlying().(*types.Struct)
	if !ok || f.Field >= st.NumFields() {
		return nil
	}
	return st.Field(f.Field)
}

// IsNamedType reports whether t (or *t when ptr is set) is the named type path.name.
func IsNamedType(t types.Type, ptr bool, path, name string) bool {
	t = types.Unalias(t)
	if ptr {
		p, ok := t.(*types.Pointer)
		if !ok {
			return false
		}
		t = types.Unalias(p.Elem())
	}
	n, ok := t.(*types.Named)
	if !ok {
		return false
	}
	obj := n.Obj()
	return obj.Name() == name && obj.Pkg() != nil && obj.Pkg().Path() == path
}

// DerefType is the element type of a pointer type, or t itself.
func DerefType(t types.Type) types.Type {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

var errorType = types.Universe.Lookup("error").Type()

// IsErrorType reports whether t is the error type.
func IsErrorType(t types.Type) bool { return types.Identical(t, errorType) }

// ReturnsError reports whether a call's result type, t, is an error or a
// tuple whose last element is one.
func ReturnsError(t types.Type) bool {
	if tuple, ok := t.(*types.Tuple); ok {
		return tuple.Len() > 0 && IsErrorType(tuple.At(tuple.Len()-1).Type())
	}
	return IsErrorType(t)
}

// IsString reports whether t's underlying type is string.
func IsString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.String
}

// ConstString returns the value of a constant string.
func ConstString(v ssa.Value) (string, bool) {
	c, ok := v.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(c.Value), true
}

// ConstInt returns the value of a constant integer.
func ConstInt(v ssa.Value) (int64, bool) {
	c, ok := v.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
		return 0, false
	}
	return constant.Int64Val(c.Value)
}

// IsNilConst reports whether v is a nil constant.
func IsNilConst(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.IsNil()
}

// IsTrueConst reports whether v is the constant true.
func IsTrueConst(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.Value != nil && c.Value.Kind() == constant.Bool && constant.BoolVal(c.Value)
}

// IsFalseConst reports whether v is the constant false.
func IsFalseConst(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.Value != nil && c.Value.Kind() == constant.Bool && !constant.BoolVal(c.Value)
}

// launchers are the calls that start a goroutine as a go statement does:
// the index of the function argument it runs, and whether the receiver is
// a group whose Wait waits for it.
var launchers = map[string]struct {
	arg     int
	grouped bool
}{
	"(*golang.org/x/sync/errgroup.Group).Go": {1, true},
	"(*sync.WaitGroup).Go":                   {1, true},
}

// Launcher reports whether the function of this full name runs its
// argument arg in a new goroutine, and whether its receiver then waits
// for it (IsGroupWait).
func Launcher(name string) (arg int, grouped, ok bool) {
	l, ok := launchers[name]
	return l.arg, l.grouped, ok
}

// IsGroupWait reports whether the function of this full name waits for
// every goroutine its receiver started or counted.
func IsGroupWait(name string) bool {
	return name == "(*sync.WaitGroup).Wait" || name == "(*golang.org/x/sync/errgroup.Group).Wait"
}

// GoParam returns the index of fn's function parameter that fn only runs
// in a new goroutine, or -1: every use of it is `go f()`, or a call of it
// inside a function literal that fn only starts with a go statement
// (`go func() { defer recoverPanic(); f() }()`). A call of fn is then a
// go statement running its argument.
func GoParam(fn *ssa.Function) int {
	if fn == nil || len(fn.Blocks) == 0 {
		return -1
	}
	found := -1
	for i, p := range fn.Params {
		sig, ok := p.Type().Underlying().(*types.Signature)
		if !ok || sig.Params().Len() != 0 || !onlyLaunched(p) {
			continue
		}
		if found >= 0 {
			return -1 // two of them: which goroutine runs what is not ours to say
		}
		found = i
	}
	return found
}

// onlyLaunched reports whether every use of the function value v is a go
// statement calling it, or a binding into a literal that is only started
// by go statements and only calls it (a parameter the literal captures is
// stored in a cell first: the cell is bound, and loaded to be called).
func onlyLaunched(v ssa.Value) bool {
	refs := v.Referrers()
	if refs == nil || len(*refs) == 0 {
		return false
	}
	for _, r := range *refs {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Go:
			if r.Call.Value != v || len(r.Call.Args) != 0 {
				return false
			}
		case *ssa.MakeClosure:
			if !boundOnlyToCall(r, v) {
				return false
			}
		case *ssa.Store:
			cell, ok := r.Addr.(*ssa.Alloc)
			if !ok || r.Val != v || !cellOnlyBound(cell) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// cellOnlyBound reports whether the cell holding a captured function is
// only stored to and bound into literals that start it in a goroutine.
func cellOnlyBound(cell *ssa.Alloc) bool {
	for _, r := range *cell.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef, *ssa.Store:
		case *ssa.MakeClosure:
			if !boundOnlyToCall(r, cell) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// boundOnlyToCall reports whether mc is a literal started only by go
// statements, in which each free variable bound to v is only called (or,
// for a cell, only loaded to be called).
func boundOnlyToCall(mc *ssa.MakeClosure, v ssa.Value) bool {
	lit, ok := mc.Fn.(*ssa.Function)
	if !ok || !goOnly(mc) {
		return false
	}
	for i, b := range mc.Bindings {
		if b != v {
			continue
		}
		if i >= len(lit.FreeVars) {
			return false
		}
		fv := lit.FreeVars[i]
		if _, isCell := v.(*ssa.Alloc); !isCell {
			if !onlyCalledValue(fv) {
				return false
			}
			continue
		}
		for _, r := range *fv.Referrers() {
			load, ok := r.(*ssa.UnOp)
			if _, isDebug := r.(*ssa.DebugRef); isDebug {
				continue
			}
			if !ok || load.Op != token.MUL || !onlyCalledValue(load) {
				return false
			}
		}
	}
	return true
}

// goOnly reports whether a closure is used only by go statements.
func goOnly(mc *ssa.MakeClosure) bool {
	refs := mc.Referrers()
	if refs == nil || len(*refs) == 0 {
		return false
	}
	for _, r := range *refs {
		if _, isDebug := r.(*ssa.DebugRef); isDebug {
			continue
		}
		if g, ok := r.(*ssa.Go); !ok || g.Call.Value != mc {
			return false
		}
	}
	return true
}

// onlyCalledValue reports whether every use of v calls it.
func onlyCalledValue(v ssa.Value) bool {
	refs := v.Referrers()
	if refs == nil || len(*refs) == 0 {
		return false
	}
	for _, r := range *refs {
		if _, isDebug := r.(*ssa.DebugRef); isDebug {
			continue
		}
		c, ok := r.(ssa.CallInstruction)
		if !ok || c.Common().Value != v || c.Common().IsInvoke() {
			return false
		}
	}
	return true
}

// IsStreamCopy reports whether fn is io.Copy or io.CopyBuffer: a copy
// from its second argument into its first until the source ends.
func IsStreamCopy(fn *ssa.Function) bool {
	switch FuncName(fn) {
	case "io.Copy", "io.CopyBuffer":
		return true
	}
	return false
}

// CopiesInto returns the source the call copies into v from until that
// source ends: v is io.Copy's or io.CopyBuffer's destination, or the
// receiver of a ReadFrom.
func CopiesInto(cc *ssa.CallCommon, v ssa.Value) (src ssa.Value, ok bool) {
	if IsStreamCopy(cc.StaticCallee()) {
		if len(cc.Args) > 1 && cc.Args[0] == v {
			return cc.Args[1], true
		}
		return nil, false
	}
	recv, name, args, ok := Receiver(cc)
	if ok && name == "ReadFrom" && recv == v && len(args) == 1 {
		return args[0], true
	}
	return nil, false
}

// receiveMethods are the methods that receive the next message or bytes
// from a source: a loop that calls one and writes a conn copies into it.
var receiveMethods = map[string]bool{
	"Read": true, "Recv": true, "RecvMsg": true, "ReadMsg": true, "ReadMessage": true,
	"ReadFrame": true, "NextFrame": true, "ReadPacket": true,
}

// IsReceive reports whether the call receives from a source (a method of
// receiveMethods).
func IsReceive(cc *ssa.CallCommon) bool {
	_, name, _, ok := Receiver(cc)
	return ok && receiveMethods[name]
}

// ConnTransformer reports whether an unknown function value or interface
// method has the shape of a conn wrapper: one conn parameter, and a conn
// first result (func(net.Conn) net.Conn, func(net.Conn) (net.Conn,
// error)). It returns the parameter's index in cc.Args.
func ConnTransformer(cc *ssa.CallCommon) (int, bool) {
	sig := cc.Signature()
	if sig.Params().Len() != 1 || sig.Results().Len() == 0 || sig.Results().Len() > 2 {
		return 0, false
	}
	if !IsNamedType(sig.Params().At(0).Type(), false, "net", "Conn") || !IsNamedType(sig.Results().At(0).Type(), false, "net", "Conn") {
		return 0, false
	}
	if sig.Results().Len() == 2 && !IsErrorType(sig.Results().At(1).Type()) {
		return 0, false
	}
	if len(cc.Args) != 1 {
		return 0, false
	}
	return 0, true
}

// LocalClosure resolves a function value that fn reaches through its free
// variables: a closure its enclosing function made and fn captured (`close
// := func() { a.Close(); b.Close() }` called, or run by once.Do, from a
// goroutine's literal). It returns that closure with its bindings as fn
// sees them (fn's own free variables bound to the same values), and
// whether every binding has one.
func LocalClosure(fn *ssa.Function, v ssa.Value) (*ssa.MakeClosure, bool) {
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		v = load.X // a captured variable: its cell
	}
	fv, ok := v.(*ssa.FreeVar)
	if !ok {
		return nil, false
	}
	b := Binding(fv)
	if cell, ok := b.(*ssa.Alloc); ok && fv.Type() == cell.Type() {
		b = nil
		for _, r := range *cell.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Addr == cell {
				if b != nil {
					return nil, false // assigned twice
				}
				b = st.Val
			}
		}
	}
	mc, ok := b.(*ssa.MakeClosure)
	if !ok {
		return nil, false
	}
	out := &ssa.MakeClosure{Fn: mc.Fn, Bindings: make([]ssa.Value, len(mc.Bindings))}
	for i, pb := range mc.Bindings {
		for _, own := range fn.FreeVars {
			if Binding(own) == pb {
				out.Bindings[i] = own
			}
		}
		if out.Bindings[i] == nil {
			return nil, false
		}
	}
	return out, true
}

// FieldStore is one store into a struct's field: s.f = v, or a composite
// literal's field.
type FieldStore struct {
	Fn    *ssa.Function
	Store *ssa.Store
	Addr  *ssa.FieldAddr
	Field *types.Var
}

// FieldStores lists the stores into struct fields in funcs, in order.
func FieldStores(funcs []*ssa.Function) []FieldStore {
	var out []FieldStore
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				st, ok := instr.(*ssa.Store)
				if !ok {
					continue
				}
				fa, ok := st.Addr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				if field := FieldOf(fa); field != nil {
					out = append(out, FieldStore{Fn: fn, Store: st, Addr: fa, Field: field})
				}
			}
		}
	}
	return out
}

// Calls yields the calls of funcs (calls, go and defer statements) with
// the function each is written in, in order.
func Calls(funcs []*ssa.Function) iter.Seq2[*ssa.Function, ssa.CallInstruction] {
	return func(yield func(*ssa.Function, ssa.CallInstruction) bool) {
		for _, fn := range funcs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					if call, ok := instr.(ssa.CallInstruction); ok && !yield(fn, call) {
						return
					}
				}
			}
		}
	}
}

// RunsBefore reports whether a runs before b on every path to b: a's
// block dominates b's, and within one block a comes first.
func RunsBefore(a, b ssa.Instruction) bool {
	ab, bb := a.Block(), b.Block()
	if ab != bb {
		return ab.Dominates(bb)
	}
	for _, instr := range ab.Instrs {
		switch instr {
		case a:
			return true
		case b:
			return false
		}
	}
	return false
}
