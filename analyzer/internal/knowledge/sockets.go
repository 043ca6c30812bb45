package knowledge

import (
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// This file knows the socket types: which types can hold a stream
// connection rstlint follows, which only a socket has, which are the
// socket types themselves, and which networks are streams.

// Role is how an SSA value refers to a tracked connection.
type Role uint8

// The roles.
const (
	RoleConn   Role = iota // the connection itself (any interface or concrete type)
	RoleReader             // a read-side wrapper: bufio.Reader, bufio.Scanner, a decoder...
	RoleWriter             // a write-side wrapper: bufio.Writer, an encoder...
	RoleRW                 // both: bufio.ReadWriter, textproto.Conn
	RoleCell               // the address of a variable holding the connection
)

var roleNames = [...]string{"conn", "reader", "writer", "rw", "cell"}

func (r Role) String() string { return roleNames[r] }

// Meet is the role of a value that is of role r on some paths and of
// role s on others: what both do (a conn and a reader over it both read).
// It reports false when they share nothing that follows the conn.
func (r Role) Meet(s Role) (Role, bool) {
	switch {
	case r == s:
		return r, true
	case r == RoleCell || s == RoleCell:
		return 0, false
	case r == RoleConn:
		return s, true
	case s == RoleConn:
		return r, true
	case r == RoleRW:
		return s, true
	case s == RoleRW:
		return r, true
	}
	return 0, false // a reader and a writer
}

// ReadSide reports whether a value of role r reads the connection.
func (r Role) ReadSide() bool { return r == RoleConn || r == RoleReader || r == RoleRW }

// WriteSide reports whether a value of role r writes the connection.
func (r Role) WriteSide() bool { return r == RoleConn || r == RoleWriter || r == RoleRW }

// Kind is what sort of socket a connection is.
type Kind uint8

// The kinds.
const (
	KindStream Kind = iota // net.Conn family whose CloseWrite sends FIN
	KindTLS                // *tls.Conn: CloseWrite sends close_notify, not FIN
	KindFD                 // a raw SOCK_STREAM file descriptor
)

// Package paths of the system call packages, whose functions take
// descriptors.
const (
	PkgSyscall = "syscall"
	PkgUnix    = "golang.org/x/sys/unix"
)

// connMethods are the methods a value of a conn-capable interface type may
// have: those of net.Conn and of the optional socket interfaces.
var connMethods = map[string]bool{
	"Read": true, "Write": true, "Close": true, "LocalAddr": true, "RemoteAddr": true,
	"SetDeadline": true, "SetReadDeadline": true, "SetWriteDeadline": true,
	"CloseWrite": true, "CloseRead": true, "SetLinger": true, "ReadFrom": true,
	"WriteTo": true, "SyscallConn": true,
}

// netConnMethods are the methods of net.Conn.
var netConnMethods = []string{"Read", "Write", "Close", "LocalAddr", "RemoteAddr", "SetDeadline", "SetReadDeadline", "SetWriteDeadline"}

// IsConnType reports whether a value of type t may hold a stream
// connection whose use we can follow: *net.TCPConn, *net.UnixConn,
// *tls.Conn, an interface made only of connection methods that includes
// Read, Write or Close (net.Conn, io.Reader, io.ReadWriteCloser...), or an
// interface that has every method of net.Conn and more (a tunnel's
// interface { net.Conn; Metadata() *Metadata }): its values are net.Conns.
func IsConnType(t types.Type) bool {
	switch {
	case IsSocketConnType(t), IsNamedType(t, true, "crypto/tls", "Conn"):
		return true
	}
	iface, ok := types.Unalias(t).Underlying().(*types.Interface)
	if !ok || iface.NumMethods() == 0 {
		return false
	}
	if _, isParam := types.Unalias(t).(*types.TypeParam); isParam {
		return false
	}
	if extendsNetConn(iface) {
		return true
	}
	useful := false
	for m := range iface.Methods() {
		if !connMethods[m.Name()] || IsPacketMethod(m) {
			return false
		}
		switch m.Name() {
		case "Read", "Write", "Close":
			useful = true
		}
	}
	return useful
}

// extendsNetConn reports whether iface has every method of net.Conn, and
// no method of a packet conn.
func extendsNetConn(iface *types.Interface) bool {
	for m := range iface.Methods() {
		if IsPacketMethod(m) {
			return false
		}
	}
	for _, name := range netConnMethods {
		obj, _, _ := types.LookupFieldOrMethod(iface, false, nil, name)
		if _, ok := obj.(*types.Func); !ok {
			return false
		}
	}
	return true
}

// HandedOutView says what a call of method, a method of a conn that is
// not one of net.Conn's nor of the socket types', returns: a reader, a
// writer or both, when its result has methods that read or write
// (Read..., Write..., but not ReadFrom or WriteTo, which copy from or to
// another stream, as a message's serialization does). That is the conn's
// own reader or writer (netpoll's Connection.Writer()), a view of it; an
// accessor (Metadata(), ID()) returns none.
func HandedOutView(method string, result types.Type) (Role, bool) {
	if connMethods[method] {
		return 0, false
	}
	if _, isTuple := result.(*types.Tuple); isTuple || IsConnType(result) {
		return 0, false // a conn it hands back (NetConn()) is no view
	}
	t := result
	if _, isPtr := t.Underlying().(*types.Pointer); !isPtr && !types.IsInterface(t) {
		t = types.NewPointer(t)
	}
	reads, writes := false, false
	ms := types.NewMethodSet(t)
	for i := range ms.Len() {
		switch name := ms.At(i).Obj().Name(); {
		case name == "ReadFrom" || name == "WriteTo":
		case strings.HasPrefix(name, "Read"):
			reads = true
		case strings.HasPrefix(name, "Write"):
			writes = true
		}
	}
	switch {
	case reads && writes:
		return RoleRW, true
	case reads:
		return RoleReader, true
	case writes:
		return RoleWriter, true
	}
	return 0, false
}

// PointedStruct returns the struct type that t, a pointer, points to.
func PointedStruct(t types.Type) (*types.Struct, bool) {
	p, ok := types.Unalias(t).(*types.Pointer)
	if !ok {
		return nil, false
	}
	st, ok := p.Elem().Underlying().(*types.Struct)
	return st, ok
}

// IsConnStructType reports whether t is a pointer to one of the
// program's struct types with the methods Read, Write and Close of a
// conn (promoted from a conn it embeds, or its own): a wrapper's
// constructor may return it as it is (`func newPeeked(c net.Conn)
// *peekedConn`).
func IsConnStructType(t types.Type) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	if !ok {
		return false
	}
	if _, isStruct := p.Elem().Underlying().(*types.Struct); !isStruct {
		return false
	}
	for _, name := range []string{"Read", "Write", "Close"} {
		obj, _, _ := types.LookupFieldOrMethod(t, true, nil, name)
		if _, isFunc := obj.(*types.Func); !isFunc {
			return false
		}
	}
	return true
}

// IsDefiniteConnType reports whether t can only hold a connection: a net
// or tls connection type, or an interface with a method only sockets have.
// An io.ReadWriteCloser parameter may be a file or a pipe: it is followed
// for summaries, and a function is judged as its owner only where every
// call in the package passes it a conn (ownership.DefiniteParams).
func IsDefiniteConnType(t types.Type) bool {
	if !IsConnType(t) {
		return false
	}
	iface, ok := types.Unalias(t).Underlying().(*types.Interface)
	if !ok {
		return true // *net.TCPConn, *net.UnixConn, *tls.Conn
	}
	for m := range iface.Methods() {
		switch m.Name() {
		case "Read", "Write", "Close", "ReadFrom", "WriteTo":
		default:
			return true
		}
	}
	return false
}

// IsSocketConnType reports whether t is *net.TCPConn or *net.UnixConn:
// the stream sockets themselves, whose CloseWrite sends FIN.
func IsSocketConnType(t types.Type) bool {
	return SocketOfType(t) != NoSocket
}

// Socket names the concrete socket type a conn is proven to be: the
// assertion to that type cannot fail, and its CloseWrite sends FIN.
type Socket uint8

const (
	NoSocket   Socket = iota // not known to be a socket of either type
	TCPSocket                // a *net.TCPConn
	UnixSocket               // a *net.UnixConn
)

// String is how facts spell the socket type.
func (s Socket) String() string {
	switch s {
	case TCPSocket:
		return "tcp"
	case UnixSocket:
		return "unix"
	}
	return ""
}

// SocketOfType returns the socket type t is, if it is *net.TCPConn or
// *net.UnixConn.
func SocketOfType(t types.Type) Socket {
	switch {
	case IsNamedType(t, true, "net", "TCPConn"):
		return TCPSocket
	case IsNamedType(t, true, "net", "UnixConn"):
		return UnixSocket
	}
	return NoSocket
}

// SocketOfNetwork returns the socket type a stream network name dials or
// listens on.
func SocketOfNetwork(n string) Socket {
	switch n {
	case "tcp", "tcp4", "tcp6":
		return TCPSocket
	case "unix":
		return UnixSocket
	}
	return NoSocket
}

// streamConnMethods are the methods both *net.TCPConn and *net.UnixConn
// have, with CloseWrite the one that marks an interface as theirs.
var streamConnMethods = map[string]bool{
	"CloseWrite": true, "CloseRead": true, "Read": true, "Write": true, "Close": true,
	"LocalAddr": true, "RemoteAddr": true, "SetDeadline": true, "SetReadDeadline": true,
	"SetWriteDeadline": true, "SetReadBuffer": true, "SetWriteBuffer": true,
}

// IsStreamConnInterface reports whether every TCP and unix conn
// implements t: an interface with CloseWrite and only methods they share.
func IsStreamConnInterface(t types.Type) bool {
	iface, ok := t.Underlying().(*types.Interface)
	if !ok || iface.NumMethods() == 0 {
		return false
	}
	closeWrite := false
	for m := range iface.Methods() {
		if !streamConnMethods[m.Name()] {
			return false
		}
		if m.Name() == "CloseWrite" {
			sig := m.Signature()
			if sig.Params().Len() != 0 || sig.Results().Len() != 1 || !IsErrorType(sig.Results().At(0).Type()) {
				return false
			}
			closeWrite = true
		}
	}
	return closeWrite
}

// IsPacketMethod reports whether m is net.PacketConn's ReadFrom or WriteTo
// (a datagram socket: no RST) rather than io.ReaderFrom's or io.WriterTo's.
func IsPacketMethod(m *types.Func) bool {
	if m.Name() != "ReadFrom" && m.Name() != "WriteTo" {
		return false
	}
	params := m.Signature().Params()
	if params.Len() == 0 {
		return false
	}
	_, isSlice := params.At(0).Type().Underlying().(*types.Slice)
	return isSlice
}

// IsDatagramType reports whether t is a datagram conn type: *net.UDPConn,
// *net.IPConn, or a type with net.PacketConn's ReadFrom or WriteTo.
func IsDatagramType(methods *typeutil.MethodSetCache, t types.Type) bool {
	if IsNamedType(t, true, "net", "UDPConn") || IsNamedType(t, true, "net", "IPConn") {
		return true
	}
	ms := methods.MethodSet(t)
	for _, name := range []string{"ReadFrom", "WriteTo"} {
		if sel := ms.Lookup(nil, name); sel != nil {
			if m, ok := sel.Obj().(*types.Func); ok && IsPacketMethod(m) {
				return true
			}
		}
	}
	return false
}

// IsFDType reports whether t can hold a raw file descriptor.
func IsFDType(t types.Type) bool {
	b, ok := types.Unalias(t).(*types.Basic)
	return ok && (b.Kind() == types.Int || b.Kind() == types.Uintptr || b.Kind() == types.Int32)
}

// KindOfType is the connection kind implied by a static type.
func KindOfType(t types.Type) Kind {
	if IsNamedType(t, true, "crypto/tls", "Conn") {
		return KindTLS
	}
	return KindStream
}

// IsStreamNetwork reports whether a network name is a stream network.
func IsStreamNetwork(n string) bool {
	switch n {
	case "tcp", "tcp4", "tcp6", "unix":
		return true
	}
	return false
}

// IsPacketNetwork reports whether a network name, as net.Dial takes it,
// is a datagram one: UDP, raw IP, unixgram.
func IsPacketNetwork(n string) bool {
	switch n {
	case "udp", "udp4", "udp6", "unixgram", "ip", "ip4", "ip6":
		return true
	}
	return strings.HasPrefix(n, "ip:") || strings.HasPrefix(n, "ip4:") || strings.HasPrefix(n, "ip6:")
}

// IsEmbeddedSocketField reports whether field is an embedded field of a
// type of package net or crypto/tls (net.TCPConn embeds net.conn): the
// receiver of the socket type's promoted methods.
func IsEmbeddedSocketField(field *types.Var) bool {
	return field.Anonymous() && field.Pkg() != nil && (field.Pkg().Path() == "net" || field.Pkg().Path() == "crypto/tls")
}

// AssertsStream reports whether a value that passes a type assertion to t
// is a stream socket, and every stream socket passes it: t is
// *net.TCPConn or *net.UnixConn, or an interface with CloseWrite made only
// of methods both have. It is rstlint's one rule for "the code treats this
// conn as a stream": a dial whose conn is so asserted dialed a stream, and
// a conn that fails such an assertion is none the program handles as one.
func AssertsStream(t types.Type) bool {
	return IsSocketConnType(t) || IsStreamConnInterface(t)
}
