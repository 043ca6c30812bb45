package analyzer

import (
	"go/constant"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// This file reads the shape of SSA calls, types and constants: who is
// called, on which receiver, with which constant arguments. It knows
// nothing of sockets; every later stage builds on it.

// funcName is the full name of a called function, e.g. "io.Copy" or
// "(*bufio.Reader).ReadString", or "" for dynamic calls.
func funcName(fn *ssa.Function) string {
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

// callName describes a call's target for messages: "io.Copy",
// "(*bufio.Reader).ReadString", "net.Conn.Close".
func callName(cc *ssa.CallCommon) string {
	if cc.IsInvoke() {
		return types.TypeString(cc.Value.Type(), shortQualifier) + "." + cc.Method.Name()
	}
	if fn := cc.StaticCallee(); fn != nil {
		if obj, ok := fn.Object().(*types.Func); ok {
			if recv := obj.Signature().Recv(); recv != nil {
				return "(" + types.TypeString(recv.Type(), shortQualifier) + ")." + obj.Name()
			}
			if obj.Pkg() != nil {
				return obj.Pkg().Name() + "." + obj.Name()
			}
		}
		return fn.Name()
	}
	return "function value"
}

func shortQualifier(p *types.Package) string { return p.Name() }

// receiver splits a method call into receiver, method name and arguments.
func receiver(cc *ssa.CallCommon) (recv ssa.Value, name string, args []ssa.Value, ok bool) {
	if cc.IsInvoke() {
		return cc.Value, cc.Method.Name(), cc.Args, true
	}
	fn := cc.StaticCallee()
	if fn == nil || fn.Signature.Recv() == nil || len(cc.Args) == 0 {
		return nil, "", nil, false
	}
	return cc.Args[0], fn.Name(), cc.Args[1:], true
}

// closureCallee returns the function literal a call invokes directly.
func closureCallee(cc *ssa.CallCommon) (*ssa.Function, bool) {
	switch v := cc.Value.(type) {
	case *ssa.MakeClosure:
		fn := v.Fn.(*ssa.Function)
		return fn, fn.Parent() != nil
	case *ssa.Function:
		return v, v.Parent() != nil
	}
	return nil, false
}

// onlyCalled reports whether a function value (a closure, or a literal
// without free variables) is only ever called, deferred or, with goOK,
// started as a goroutine: then its effects are applied where that happens.
func onlyCalled(v ssa.Value, goOK bool) bool {
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

// isNamedType reports whether t (or *t when ptr is set) is the named type path.name.
func isNamedType(t types.Type, ptr bool, path, name string) bool {
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

func derefType(t types.Type) types.Type {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

var errorType = types.Universe.Lookup("error").Type()

func isErrorType(t types.Type) bool { return types.Identical(t, errorType) }

func constString(v ssa.Value) (string, bool) {
	c, ok := v.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(c.Value), true
}

func constInt(v ssa.Value) (int64, bool) {
	c, ok := v.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
		return 0, false
	}
	return constant.Int64Val(c.Value)
}

func isNilConst(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.IsNil()
}

func isTrueConst(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.Value != nil && c.Value.Kind() == constant.Bool && constant.BoolVal(c.Value)
}

func isFalseConst(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.Value != nil && c.Value.Kind() == constant.Bool && !constant.BoolVal(c.Value)
}
