package ownership

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file finds the connection parameters that carry datagrams. A
// net.Conn can be a UDP socket, or a conn built on one (DTLS, KCP, QUIC
// streams' hosts...): closing it sends no RST. When the package's own code
// passes such a conn to one of its functions, that function's parameter
// is no stream, whatever its type says.

// datagramOrigins create datagram sockets; the value is the index of the
// network argument, -1 when there is none.
var datagramOrigins = map[string]int{
	"net.ListenUDP":                    -1,
	"net.DialUDP":                      -1,
	"net.ListenIP":                     -1,
	"net.DialIP":                       -1,
	"net.ListenUnixgram":               -1,
	"net.ListenMulticastUDP":           -1,
	"net.ListenPacket":                 -1,
	"(*net.ListenConfig).ListenPacket": -1,
	"net.Dial":                         0,
	"net.DialTimeout":                  0,
	"(*net.Dialer).Dial":               1,
	"(*net.Dialer).DialContext":        2,
}

// isDatagramOrigin reports whether a call creates a datagram socket: a
// UDP, IP or unixgram listener or conn, or a Dial with a constant packet
// network.
func isDatagramOrigin(cc *ssa.CallCommon) bool {
	netArg, ok := datagramOrigins[knowledge.FuncName(cc.StaticCallee())]
	if !ok || cc.IsInvoke() {
		return false
	}
	if netArg < 0 {
		return true
	}
	if netArg >= len(cc.Args) {
		return false
	}
	n, isConst := knowledge.ConstString(cc.Args[netArg])
	return isConst && !knowledge.IsStreamNetwork(n) && n != ""
}

// NoStreamParams returns, for the package's functions, the conn
// parameters that may hold no stream socket: those some call site in the
// package (a call, go or defer, or a call of one of these functions
// passing its own marked parameter on) feeds a datagram conn or a conn
// that is no socket (NoSockets), and those the function itself tests for
// a datagram type, or hands to a function that does (expectsDatagram),
// and those of the functions given to an accept loop over a mux session
// (markAccepted).
func NoStreamParams(funcs []*ssa.Function, table *summary.Table, noSockets *NoSockets) map[*ssa.Function][]bool {
	local := make(map[*ssa.Function]bool, len(funcs))
	for _, fn := range funcs {
		local[fn] = true
	}
	d := &datagrams{marks: make(map[*ssa.Function][]bool), table: table, noSockets: noSockets}
	d.markExpected(funcs, local)
	d.markAccepted(funcs)
	for changed := true; changed; {
		changed = false
		for _, call := range knowledge.Calls(funcs) {
			callee := call.Common().StaticCallee()
			if callee == nil || !local[callee] {
				continue
			}
			for i, a := range call.Common().Args {
				if i < len(callee.Params) && knowledge.IsConnType(callee.Params[i].Type()) &&
					!d.marked(callee, i) && d.carries(a, 0) {
					d.mark(callee, i)
					changed = true
				}
			}
		}
	}
	return d.marks
}

type datagrams struct {
	marks     map[*ssa.Function][]bool
	methods   typeutil.MethodSetCache // the types of every value are asked about
	table     *summary.Table
	noSockets *NoSockets
}

// markExpected marks the conn parameters a function asserts to a
// datagram type (`pc, ok := conn.(net.PacketConn)`), or passes to a
// function of the package that does: the function expects a datagram
// conn there, whatever the parameter's type says (a handler interface
// that carries UDP and TUN conns as net.Conn).
func (d *datagrams) markExpected(funcs []*ssa.Function, local map[*ssa.Function]bool) {
	expects := make(map[*ssa.Function][]bool)
	for changed := true; changed; {
		changed = false
		for _, fn := range funcs {
			for i, p := range fn.Params {
				if (expects[fn] != nil && expects[fn][i]) || !knowledge.IsConnType(p.Type()) {
					continue
				}
				if knowledge.AnyView(p, func(v ssa.Value) bool { return d.expectsDatagram(v, local, expects) }) {
					if expects[fn] == nil {
						expects[fn] = make([]bool, len(fn.Params))
					}
					expects[fn][i] = true
					changed = true
				}
			}
		}
	}
	for fn, marks := range expects {
		for i, m := range marks {
			if m {
				d.mark(fn, i)
			}
		}
	}
}

// expectsDatagram reports whether a use of v asserts it to a datagram
// type, or passes it to a parameter of the package's that expects one.
func (d *datagrams) expectsDatagram(v ssa.Value, local map[*ssa.Function]bool, expects map[*ssa.Function][]bool) bool {
	if v.Referrers() == nil {
		return false
	}
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.TypeAssert:
			if knowledge.IsDatagramType(&d.methods, r.AssertedType) {
				return true
			}
		case ssa.CallInstruction:
			callee := r.Common().StaticCallee()
			if callee == nil || !local[callee] || expects[callee] == nil {
				continue
			}
			for i, a := range r.Common().Args {
				if a == v && i < len(expects[callee]) && expects[callee][i] {
					return true
				}
			}
		}
	}
	return false
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
	if depth > knowledge.MaxDepth {
		return false
	}
	if knowledge.IsDatagramType(&d.methods, v.Type()) || d.noSockets.IsType(v.Type()) {
		return true
	}
	w := knowledge.Through(v)
	if w != v && (knowledge.IsDatagramType(&d.methods, w.Type()) || d.noSockets.IsType(w.Type())) {
		return true
	}
	switch v := w.(type) {
	case *ssa.Parameter:
		if i := knowledge.ParamIndex(v.Parent(), v); i >= 0 {
			return d.marked(v.Parent(), i)
		}
	case *ssa.FreeVar:
		if b := knowledge.Binding(v); b != nil {
			return d.carries(b, depth+1)
		}
	case *ssa.UnOp:
		return v.Op == token.MUL && d.stored(v.X, depth+1)
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
		if callee := cc.StaticCallee(); callee != nil && d.table != nil && d.table.NoSocket(callee) {
			return true // a mux session's Accept
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
		if b := knowledge.Binding(a); b != nil {
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
