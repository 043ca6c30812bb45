package ownership

import (
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file is where connections come from: the calls that create one.
// The standard library's and the syscall packages' (Accept, Dial,
// Hijack, Socket...), the program's own functions that always return a
// conn from one origin (a dial helper, a listener wrapper's Accept: their
// summaries say so, summary.Func.Origin, here or through an OriginFact),
// and dialer values (a Dial func field, an interface's Dial method).
// Ownership starts at an origin: the function that makes the call owns
// the conn until it hands it on.

// Spec describes a call that creates a connection.
type Spec struct {
	Verb   string // "accepted", "dialed", "hijacked"...
	Kind   knowledge.Kind
	Client bool // we spoke first: the peer only answers what we send
	// Network is the index of the network-name argument, or -1.
	Network int
	// Socket is the socket type the conn is, whatever its static type
	// says (a net.Dial with a constant stream network, an AcceptTCP): an
	// assertion to that type cannot fail. With a Network argument it is
	// that network's.
	Socket knowledge.Socket
	// CallerNetwork: the network is NetworkParam, a parameter of the
	// function that dials (or of the function that calls it): the conn
	// is a stream only where its caller passes a stream network, so the
	// function does not judge it, and it is an origin for those callers.
	CallerNetwork bool
	NetworkParam  int
	// NetworkTyped: the network decides the conn's type (a standard
	// dial: "tcp" gives a *net.TCPConn). A dialer value's or a
	// program's dial function may wrap the conn it dials, whatever the
	// network.
	NetworkTyped bool
	// Result is the index of the call's result that carries the conn.
	Result int
}

// stdOrigins maps the full names of functions and methods to what they
// create. Interface methods (Listener.Accept, Hijacker.Hijack) are matched
// by name in StdOrigin.
var stdOrigins = map[string]Spec{
	"net.Dial":                              {Verb: "dialed", Kind: knowledge.KindStream, Client: true, Network: 0},
	"net.DialTimeout":                       {Verb: "dialed", Kind: knowledge.KindStream, Client: true, Network: 0},
	"net.DialTCP":                           {Verb: "dialed", Kind: knowledge.KindStream, Client: true, Network: -1, Socket: knowledge.TCPSocket},
	"net.DialUnix":                          {Verb: "dialed", Kind: knowledge.KindStream, Client: true, Network: 0},
	"(*net.Dialer).Dial":                    {Verb: "dialed", Kind: knowledge.KindStream, Client: true, Network: 1},
	"(*net.Dialer).DialContext":             {Verb: "dialed", Kind: knowledge.KindStream, Client: true, Network: 2},
	"(*net.TCPListener).Accept":             {Verb: "accepted", Kind: knowledge.KindStream, Network: -1, Socket: knowledge.TCPSocket},
	"(*net.TCPListener).AcceptTCP":          {Verb: "accepted", Kind: knowledge.KindStream, Network: -1, Socket: knowledge.TCPSocket},
	"(*net.UnixListener).Accept":            {Verb: "accepted", Kind: knowledge.KindStream, Network: -1, Socket: knowledge.UnixSocket},
	"(*net.UnixListener).AcceptUnix":        {Verb: "accepted", Kind: knowledge.KindStream, Network: -1, Socket: knowledge.UnixSocket},
	"crypto/tls.Dial":                       {Verb: "dialed", Kind: knowledge.KindTLS, Client: true, Network: 0},
	"crypto/tls.DialWithDialer":             {Verb: "dialed", Kind: knowledge.KindTLS, Client: true, Network: 1},
	"(*crypto/tls.Dialer).Dial":             {Verb: "dialed", Kind: knowledge.KindTLS, Client: true, Network: 1},
	"(*crypto/tls.Dialer).DialContext":      {Verb: "dialed", Kind: knowledge.KindTLS, Client: true, Network: 2},
	"(*net/http.ResponseController).Hijack": {Verb: "hijacked", Kind: knowledge.KindStream, Network: -1},
	"syscall.Accept":                        {Verb: "accepted", Kind: knowledge.KindFD, Network: -1},
	"syscall.Accept4":                       {Verb: "accepted", Kind: knowledge.KindFD, Network: -1},
	knowledge.PkgUnix + ".Accept":           {Verb: "accepted", Kind: knowledge.KindFD, Network: -1},
	knowledge.PkgUnix + ".Accept4":          {Verb: "accepted", Kind: knowledge.KindFD, Network: -1},
	"syscall.Socket":                        {Verb: "created", Kind: knowledge.KindFD, Client: true, Network: -1},
	knowledge.PkgUnix + ".Socket":           {Verb: "created", Kind: knowledge.KindFD, Client: true, Network: -1},
}

// IsFDOrigin reports whether the function of this full name creates a
// raw descriptor: a package that calls one is worth analyzing.
func IsFDOrigin(name string) bool {
	spec, ok := stdOrigins[name]
	return ok && spec.Kind == knowledge.KindFD
}

// OriginOf reports whether the call creates a stream connection: a
// standard origin, one of the program's functions that returns one (its
// summary or fact), or a dialer value.
func OriginOf(call *ssa.Call, t *summary.Table, nets *Networks) (Spec, bool) {
	spec, ok := originOf(call, t, nets)
	if ok && spec.CallerNetwork && provenStream(call) {
		spec.CallerNetwork = false // the code asserts a stream: judged here
	}
	return spec, ok
}

func originOf(call *ssa.Call, t *summary.Table, nets *Networks) (Spec, bool) {
	cc := call.Common()
	if spec, ok := StdOrigin(cc, nets); ok {
		return spec, true
	}
	if callee := cc.StaticCallee(); callee != nil && !cc.IsInvoke() && t != nil {
		if o := t.Origin(callee); o != nil {
			spec := Spec{Verb: o.Verb, Kind: knowledge.Kind(o.Kind), Client: o.Client, Network: -1, Socket: o.Socket,
				NetworkTyped: o.NetworkTyped, Result: o.Result}
			if o.CallerNetwork {
				spec.Network = o.NetworkParam
			}
			return spec.withNetwork(cc.Args, nets)
		}
	}
	return dialerValueOrigin(call, nets)
}

// withNetwork checks the network argument of an origin call: a stream
// network makes the conn a stream of that socket type; a parameter of the
// calling function makes it one for the callers that pass a stream.
func (spec Spec) withNetwork(args []ssa.Value, nets *Networks) (Spec, bool) {
	if spec.Network < 0 || spec.Network >= len(args) {
		return spec, spec.Network < 0
	}
	stream, socket, param := nets.network(args[spec.Network])
	switch {
	case stream:
		if spec.Kind == knowledge.KindStream && spec.Socket == knowledge.NoSocket && spec.NetworkTyped {
			spec.Socket = socket // a TLS dial's conn is a *tls.Conn
		}
	case param >= 0:
		spec.CallerNetwork, spec.NetworkParam = true, param
	default:
		return spec, false // unknown or packet network: silence
	}
	return spec, true
}

// StdOrigin reports whether the call is one of the standard library's or
// the syscall packages' that create a stream connection.
func StdOrigin(cc *ssa.CallCommon, nets *Networks) (Spec, bool) {
	var spec Spec
	var ok bool
	if cc.IsInvoke() {
		// Any Listener's Accept and any Hijacker's Hijack.
		switch name := cc.Method.FullName(); name {
		case "(net.Listener).Accept":
			spec, ok = Spec{Verb: "accepted", Kind: knowledge.KindStream, Network: -1, Socket: listenerSocket(cc.Value)}, true
			if isTLSListener(cc.Value) {
				spec.Kind = knowledge.KindTLS // its conns are *tls.Conn: CloseWrite sends no FIN
			}
		case "(net/http.Hijacker).Hijack":
			spec, ok = Spec{Verb: "hijacked", Kind: knowledge.KindStream, Network: -1}, true
		}
	} else {
		spec, ok = stdOrigins[knowledge.FuncName(cc.StaticCallee())]
	}
	if !ok {
		return spec, false
	}
	args := cc.Args
	spec.NetworkTyped = true
	if spec, ok = spec.withNetwork(args, nets); !ok {
		return spec, false
	}
	if name := knowledge.FuncName(cc.StaticCallee()); strings.HasSuffix(name, ".Socket") && len(args) == 3 {
		typ, isConst := knowledge.ConstInt(args[1])
		if !isConst || typ&0xf != 1 { // SOCK_STREAM == 1 on Linux
			return spec, false
		}
	}
	return spec, true
}

// isTLSListener reports whether a listener value comes from tls.Listen or
// tls.NewListener.
func isTLSListener(v ssa.Value) bool {
	call, ok := knowledge.Through(v).(*ssa.Call)
	if !ok {
		return false
	}
	switch knowledge.FuncName(call.Common().StaticCallee()) {
	case "crypto/tls.Listen", "crypto/tls.NewListener":
		return true
	}
	return false
}

// listenerSocket returns the socket type a listener's Accept yields when
// the listener comes from net.Listen (or a ListenConfig's Listen) with a
// constant stream network.
func listenerSocket(v ssa.Value) knowledge.Socket {
	call, ok := knowledge.Through(v).(*ssa.Call)
	if !ok {
		return knowledge.NoSocket
	}
	cc := call.Common()
	arg := -1
	switch knowledge.FuncName(cc.StaticCallee()) {
	case "net.Listen":
		arg = 0
	case "(*net.ListenConfig).Listen":
		arg = 2
	}
	if arg < 0 || arg >= len(cc.Args) {
		return knowledge.NoSocket
	}
	n, _ := knowledge.ConstString(cc.Args[arg])
	return knowledge.SocketOfNetwork(n)
}

// takesNetwork reports whether a call of a function value or an interface
// method has a dialer's shape, (…, network, address string, …) returning
// (net.Conn, error): the network it names decides whether it is a stream.
// It returns the index of the network argument, or -1.
func takesNetwork(cc *ssa.CallCommon) int {
	sig := cc.Signature()
	params, results := sig.Params(), sig.Results()
	if results.Len() != 2 || !knowledge.IsNamedType(results.At(0).Type(), false, "net", "Conn") || !knowledge.IsErrorType(results.At(1).Type()) {
		return -1
	}
	// The network is the first string parameter followed by another (the
	// address): (network, addr), (ctx, network, addr), a proxy's (req,
	// network, addr), a local address too (network, laddr, raddr).
	for i := 0; i+1 < params.Len(); i++ {
		if knowledge.IsString(params.At(i).Type()) {
			if knowledge.IsString(params.At(i + 1).Type()) {
				return i
			}
			return -1
		}
	}
	return -1
}

// namesNetwork reports whether a call dials or listens on a network one
// of its arguments names (net.Dial, a dialer value): where rstlint could
// not prove that network a stream, the conn may be a datagram one.
func namesNetwork(cc *ssa.CallCommon) bool {
	name := knowledge.FuncName(cc.StaticCallee())
	if _, ok := datagramOrigins[name]; ok {
		return true
	}
	if spec, ok := stdOrigins[name]; ok && spec.Network >= 0 {
		return true
	}
	return cc.StaticCallee() == nil && takesNetwork(cc) >= 0 || dialsPacket(cc)
}

// dialsPacket reports whether a call is given a datagram network by name
// (a dial chain's DialContext(ctx, "udp", addr)): what it returns is a
// datagram conn.
func dialsPacket(cc *ssa.CallCommon) bool {
	for _, a := range cc.Args {
		if n, ok := knowledge.ConstString(a); ok && knowledge.IsPacketNetwork(n) {
			return true
		}
	}
	return false
}

// dialerValueOrigin reports whether call dials through a dialer value: a
// function value or an interface method that takes a network and an
// address, as net.Dial (network, address) and (*net.Dialer).DialContext
// (ctx, network, address) do, whatever comes before them, and returns
// (net.Conn, error): a Dial func field that defaults
// to net.Dial, x/net/proxy's Dialer and ContextDialer, a program's own.
// The conn is a dialed stream when the network is a constant stream
// network, or when the code proves it one by asserting it to a stream
// (knowledge.AssertsStream).
func dialerValueOrigin(call *ssa.Call, nets *Networks) (Spec, bool) {
	cc := call.Common()
	if cc.StaticCallee() != nil {
		return Spec{}, false // static calls: the catalogue or the callee's summary
	}
	netArg := takesNetwork(cc)
	if netArg < 0 {
		return Spec{}, false
	}
	if cc.IsInvoke() {
		if name := cc.Method.Name(); name != "Dial" && name != "DialContext" {
			return Spec{}, false
		}
	}
	spec := Spec{Verb: "dialed", Kind: knowledge.KindStream, Client: true, Network: netArg}
	spec, ok := spec.withNetwork(cc.Args, nets)
	spec.Network = -1
	return spec, ok || provenStream(call)
}

// provenStream reports whether the conn a dial returns is asserted to be
// a stream somewhere it flows.
func provenStream(call *ssa.Call) bool {
	return knowledge.AnyView(call, func(v ssa.Value) bool {
		ta, ok := v.(*ssa.TypeAssert)
		return ok && knowledge.AssertsStream(ta.AssertedType)
	})
}
