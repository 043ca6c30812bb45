package knowledge

import "golang.org/x/tools/go/ssa"

// This file is the one way rstlint looks through SSA values: the
// instructions that give the same value another type or another view
// (interface conversions, type assertions, slicing, the first result of a
// tuple). Every stage that asks "what is this value really" asks here.

// MaxDepth bounds every walk through SSA values, here and in the stages
// that walk their own way (through phis, captured variables, call
// arguments): the chains that matter in real code are a few steps long,
// and a bound keeps a pathological function linear.
const MaxDepth = 8

// Through returns the value that v is a view of: it looks back through
// interface conversions (MakeInterface, ChangeInterface), type changes
// and conversions (ChangeType, Convert), type assertions, slicing (a
// buffer's b[:n] is the buffer), and the first result of a tuple (a
// comma-ok assertion's value; a call's first result is the call), at most
// MaxDepth steps.
func Through(v ssa.Value) ssa.Value {
	for range MaxDepth {
		w, ok := Step(v)
		if !ok {
			break
		}
		v = w
	}
	return v
}

// Step is one step of Through: the value v is a view of, if v is one.
// A walk that must see what it passes (a type assertion to *tls.Conn makes
// the conn a TLS one) takes the steps itself.
func Step(v ssa.Value) (ssa.Value, bool) {
	switch x := v.(type) {
	case *ssa.MakeInterface:
		return x.X, true
	case *ssa.ChangeInterface:
		return x.X, true
	case *ssa.ChangeType:
		return x.X, true
	case *ssa.Convert:
		return x.X, true
	case *ssa.TypeAssert:
		return x.X, true
	case *ssa.Slice:
		return x.X, true
	case *ssa.Extract:
		if x.Index == 0 {
			return x.Tuple, true
		}
	}
	return v, false
}

// AnyView reports whether f holds for v or for a value that carries v
// onward: the same instructions Through looks back through, seen from
// the other side, and the phis that merge v with other values; at most
// MaxDepth steps from v.
func AnyView(v ssa.Value, f func(ssa.Value) bool) bool {
	seen := make(map[ssa.Value]bool)
	var walk func(v ssa.Value, depth int) bool
	walk = func(v ssa.Value, depth int) bool {
		if seen[v] {
			return false
		}
		seen[v] = true
		if f(v) {
			return true
		}
		if depth >= MaxDepth || v.Referrers() == nil {
			return false
		}
		for _, r := range *v.Referrers() {
			var next ssa.Value
			switch r := r.(type) {
			case *ssa.Extract:
				if r.Index == 0 {
					next = r
				}
			case *ssa.MakeInterface, *ssa.ChangeInterface, *ssa.ChangeType, *ssa.Convert, *ssa.Phi, *ssa.TypeAssert:
				next = r.(ssa.Value)
			}
			if next != nil && walk(next, depth+1) {
				return true
			}
		}
		return false
	}
	return walk(v, 0)
}
