package knowledge

import (
	"go/constant"
	"go/types"

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
