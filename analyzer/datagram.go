package analyzer

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"
)

// This file finds the connection parameters that carry datagrams. A
// net.Conn can be a UDP socket, or a conn built on one (DTLS, KCP, QUIC
// streams' hosts...): closing it sends no RST. When the package's own code
// passes such a conn to one of its functions, that function's parameter
// is no stream, whatever its type says.

// datagramParams returns, for the package's functions, which parameters
// some call site in the package (a call, go or defer, or a call of one of
// these functions passing its own marked parameter on) feeds a datagram
// conn.
func datagramParams(funcs []*ssa.Function) map[*ssa.Function][]bool {
	local := make(map[*ssa.Function]bool, len(funcs))
	for _, fn := range funcs {
		local[fn] = true
	}
	d := &datagrams{marks: make(map[*ssa.Function][]bool)}
	for changed := true; changed; {
		changed = false
		for _, fn := range funcs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					call, ok := instr.(ssa.CallInstruction)
					if !ok {
						continue
					}
					callee := call.Common().StaticCallee()
					if callee == nil || !local[callee] {
						continue
					}
					for i, a := range call.Common().Args {
						if i < len(callee.Params) && isConnType(callee.Params[i].Type()) &&
							!d.marked(callee, i) && d.carries(a, 0) {
							d.mark(callee, i)
							changed = true
						}
					}
				}
			}
		}
	}
	return d.marks
}

type datagrams struct {
	marks   map[*ssa.Function][]bool
	methods typeutil.MethodSetCache // the types of every value are asked about
}

func (d *datagrams) marked(fn *ssa.Function, i int) bool {
	m := d.marks[fn]
	return m != nil && m[i]
}

func (d *datagrams) mark(fn *ssa.Function, i int) {
	if d.marks[fn] == nil {
		d.marks[fn] = make([]bool, len(fn.Params))
	}
	d.marks[fn][i] = true
}

// carries reports whether v is a datagram conn: of a datagram type, made
// by a call that creates one (net.ListenUDP, net.Dial("udp", ...)) or that
// builds a conn on one (dtls.Server(pc, ...): a call given a datagram
// conn), or a parameter marked already; seen through conversions, phis and
// captured variables.
func (d *datagrams) carries(v ssa.Value, depth int) bool {
	if depth > 8 {
		return false
	}
	if d.isDatagramType(v.Type()) {
		return true
	}
	switch v := v.(type) {
	case *ssa.Parameter:
		fn := v.Parent()
		for i, p := range fn.Params {
			if p == v {
				return d.marked(fn, i)
			}
		}
	case *ssa.FreeVar:
		if b := binding(v); b != nil {
			return d.carries(b, depth+1)
		}
	case *ssa.UnOp:
		return v.Op == token.MUL && d.stored(v.X, depth+1)
	case *ssa.MakeInterface:
		return d.carries(v.X, depth+1)
	case *ssa.ChangeInterface:
		return d.carries(v.X, depth+1)
	case *ssa.ChangeType:
		return d.carries(v.X, depth+1)
	case *ssa.TypeAssert:
		return d.carries(v.X, depth+1)
	case *ssa.Extract:
		return v.Index == 0 && d.carries(v.Tuple, depth+1)
	case *ssa.Phi:
		for _, e := range v.Edges {
			if d.carries(e, depth+1) {
				return true
			}
		}
	case *ssa.Call:
		cc := v.Common()
		if isDatagramOrigin(cc) {
			return true
		}
		for _, a := range cc.Args {
			if d.carries(a, depth+1) {
				return true
			}
		}
	}
	return false
}

// stored reports whether the variable at addr (a local captured by a
// closure, or a free variable) holds a datagram conn.
func (d *datagrams) stored(addr ssa.Value, depth int) bool {
	switch a := addr.(type) {
	case *ssa.FreeVar:
		if b := binding(a); b != nil {
			return d.stored(b, depth+1)
		}
	case *ssa.Alloc:
		for _, r := range *a.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Addr == a && d.carries(st.Val, depth+1) {
				return true
			}
		}
	}
	return false
}

// binding is the value the enclosing function binds to a free variable.
func binding(fv *ssa.FreeVar) ssa.Value {
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

// isDatagramType reports whether t is a datagram conn type: *net.UDPConn,
// *net.IPConn, or a type with net.PacketConn's ReadFrom or WriteTo.
func (d *datagrams) isDatagramType(t types.Type) bool {
	if isNamedType(t, true, "net", "UDPConn") || isNamedType(t, true, "net", "IPConn") {
		return true
	}
	ms := d.methods.MethodSet(t)
	for _, name := range []string{"ReadFrom", "WriteTo"} {
		if sel := ms.Lookup(nil, name); sel != nil {
			if m, ok := sel.Obj().(*types.Func); ok && isPacketMethod(m) {
				return true
			}
		}
	}
	return false
}
