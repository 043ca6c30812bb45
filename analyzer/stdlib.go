package analyzer

import (
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// This file is the catalogue: the built-in knowledge of the standard
// library, the syscall packages and the socket types. Which calls create
// connections (origins), which wrap them, and what a call or method does
// to a connection it is given. It is data and pure functions of names,
// types and constants; the user's -drain and -gracefulclose lists extend it.

// role is how an SSA value refers to a tracked connection.
type role uint8

const (
	roleConn   role = iota // the connection itself (any interface or concrete type)
	roleReader             // a read-side wrapper: bufio.Reader, bufio.Scanner, a decoder...
	roleWriter             // a write-side wrapper: bufio.Writer, an encoder...
	roleRW                 // both: bufio.ReadWriter, textproto.Conn
	roleCell               // the address of a variable holding the connection
)

// kind is what sort of socket a connection is.
type kind uint8

const (
	kindStream kind = iota // net.Conn family whose CloseWrite sends FIN
	kindTLS                // *tls.Conn: CloseWrite sends close_notify, not FIN
	kindFD                 // a raw SOCK_STREAM file descriptor
)

// effect is what a call or instruction does to one connection.
type effect uint8

const (
	effNone effect = iota
	effRead
	effDrain
	effWrite
	effHalfClose
	effLingerZero
	effLingerReset
	effLingerParam // SetLinger with a parameter of the function: its callers decide
	effAbort       // a deadline in the past: the conn's pending reads and writes fail now
	effClose
	effEscape
)

var effectNames = [...]string{"none", "read", "drain", "write", "halfclose", "linger0", "lingerreset", "lingerparam", "abort", "close", "escape"}

func (e effect) String() string { return effectNames[e] }

const (
	pkgSyscall = "syscall"
	pkgUnix    = "golang.org/x/sys/unix"
)

// connMethods are the methods a value of a conn-capable interface type may
// have: those of net.Conn and of the optional socket interfaces.
var connMethods = map[string]bool{
	"Read": true, "Write": true, "Close": true, "LocalAddr": true, "RemoteAddr": true,
	"SetDeadline": true, "SetReadDeadline": true, "SetWriteDeadline": true,
	"CloseWrite": true, "CloseRead": true, "SetLinger": true, "ReadFrom": true,
	"WriteTo": true, "SyscallConn": true,
}

// isConnType reports whether a value of type t may hold a stream
// connection whose use we can follow: *net.TCPConn, *net.UnixConn,
// *tls.Conn, or an interface made only of connection methods that
// includes Read, Write or Close (net.Conn, io.Reader, io.ReadWriteCloser...).
func isConnType(t types.Type) bool {
	switch {
	case isNamedType(t, true, "net", "TCPConn"), isNamedType(t, true, "net", "UnixConn"),
		isNamedType(t, true, "crypto/tls", "Conn"):
		return true
	}
	iface, ok := types.Unalias(t).Underlying().(*types.Interface)
	if !ok || iface.NumMethods() == 0 {
		return false
	}
	if _, isParam := types.Unalias(t).(*types.TypeParam); isParam {
		return false
	}
	useful := false
	for m := range iface.Methods() {
		if !connMethods[m.Name()] || isPacketMethod(m) {
			return false
		}
		switch m.Name() {
		case "Read", "Write", "Close":
			useful = true
		}
	}
	return useful
}

// isDefiniteConnType reports whether t can only hold a connection: a net
// or tls connection type, or an interface with a method only sockets have.
// An io.ReadWriteCloser parameter may be a file or a pipe: it is followed
// for summaries, but a function is never judged as its owner.
func isDefiniteConnType(t types.Type) bool {
	if !isConnType(t) {
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

// isPacketMethod reports whether m is net.PacketConn's ReadFrom or WriteTo
// (a datagram socket: no RST) rather than io.ReaderFrom's or io.WriterTo's.
func isPacketMethod(m *types.Func) bool {
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

// isFDType reports whether t can hold a raw file descriptor.
func isFDType(t types.Type) bool {
	b, ok := types.Unalias(t).(*types.Basic)
	return ok && (b.Kind() == types.Int || b.Kind() == types.Uintptr || b.Kind() == types.Int32)
}

// originSpec describes a call that creates a connection.
type originSpec struct {
	verb   string // "accepted", "dialed", "hijacked"...
	kind   kind
	client bool // we spoke first: the peer only answers what we send
	// network is the index of the network-name argument, or -1.
	network int
}

// origins maps the full names of functions and methods to what they create.
// Interface methods (Listener.Accept, Hijacker.Hijack) are matched by name
// in originOf.
var origins = map[string]originSpec{
	"net.Dial":                              {"dialed", kindStream, true, 0},
	"net.DialTimeout":                       {"dialed", kindStream, true, 0},
	"net.DialTCP":                           {"dialed", kindStream, true, -1},
	"net.DialUnix":                          {"dialed", kindStream, true, 0},
	"(*net.Dialer).Dial":                    {"dialed", kindStream, true, 1},
	"(*net.Dialer).DialContext":             {"dialed", kindStream, true, 2},
	"(*net.TCPListener).Accept":             {"accepted", kindStream, false, -1},
	"(*net.TCPListener).AcceptTCP":          {"accepted", kindStream, false, -1},
	"(*net.UnixListener).Accept":            {"accepted", kindStream, false, -1},
	"(*net.UnixListener).AcceptUnix":        {"accepted", kindStream, false, -1},
	"crypto/tls.Dial":                       {"dialed", kindTLS, true, 0},
	"crypto/tls.DialWithDialer":             {"dialed", kindTLS, true, 1},
	"(*crypto/tls.Dialer).Dial":             {"dialed", kindTLS, true, 1},
	"(*crypto/tls.Dialer).DialContext":      {"dialed", kindTLS, true, 2},
	"(*net/http.ResponseController).Hijack": {"hijacked", kindStream, false, -1},
	"syscall.Accept":                        {"accepted", kindFD, false, -1},
	"syscall.Accept4":                       {"accepted", kindFD, false, -1},
	pkgUnix + ".Accept":                     {"accepted", kindFD, false, -1},
	pkgUnix + ".Accept4":                    {"accepted", kindFD, false, -1},
	"syscall.Socket":                        {"created", kindFD, true, -1},
	pkgUnix + ".Socket":                     {"created", kindFD, true, -1},
}

// originOf reports whether the call creates a stream connection.
func originOf(cc *ssa.CallCommon) (originSpec, bool) {
	var spec originSpec
	var ok bool
	if cc.IsInvoke() {
		// Any Listener's Accept and any Hijacker's Hijack.
		switch name := cc.Method.FullName(); name {
		case "(net.Listener).Accept":
			spec, ok = originSpec{"accepted", kindStream, false, -1}, true
			if isTLSListener(cc.Value) {
				spec.kind = kindTLS // its conns are *tls.Conn: CloseWrite sends no FIN
			}
		case "(net/http.Hijacker).Hijack":
			spec, ok = originSpec{"hijacked", kindStream, false, -1}, true
		}
	} else {
		spec, ok = origins[funcName(cc.StaticCallee())]
	}
	if !ok {
		return spec, false
	}
	args := cc.Args
	if spec.network >= 0 && spec.network < len(args) {
		net, isConst := constString(args[spec.network])
		if !isConst || !isStreamNetwork(net) {
			return spec, false // unknown or packet network: silence
		}
	}
	if name := funcName(cc.StaticCallee()); strings.HasSuffix(name, ".Socket") && len(args) == 3 {
		typ, isConst := constInt(args[1])
		if !isConst || typ&0xf != 1 { // SOCK_STREAM == 1 on Linux
			return spec, false
		}
	}
	return spec, true
}

// isTLSListener reports whether a listener value comes from tls.Listen or
// tls.NewListener, seen through phis and interface conversions.
func isTLSListener(v ssa.Value) bool {
	for depth := 0; depth < 8; depth++ {
		switch x := v.(type) {
		case *ssa.Extract:
			v = x.Tuple
		case *ssa.ChangeInterface:
			v = x.X
		case *ssa.MakeInterface:
			v = x.X
		case *ssa.Call:
			switch funcName(x.Common().StaticCallee()) {
			case "crypto/tls.Listen", "crypto/tls.NewListener":
				return true
			}
			return false
		default:
			return false
		}
	}
	return false
}

// isListenerAccept reports whether a static call is the Accept method of
// a type outside the standard library that returns a net.Conn: a
// listener wrapper, or a multiplexer's (yamux, smux) whose streams are no
// sockets. Which one it is, the method's body tells (acceptedSockets).
func isListenerAccept(cc *ssa.CallCommon) bool {
	fn := cc.StaticCallee()
	if fn == nil || cc.IsInvoke() || !strings.HasSuffix(funcName(fn), ".Accept") {
		return false
	}
	sig := fn.Signature
	if sig.Recv() == nil || sig.Results().Len() != 2 {
		return false
	}
	return isNamedType(sig.Results().At(0).Type(), false, "net", "Conn")
}

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
	netArg, ok := datagramOrigins[funcName(cc.StaticCallee())]
	if !ok || cc.IsInvoke() {
		return false
	}
	if netArg < 0 {
		return true
	}
	if netArg >= len(cc.Args) {
		return false
	}
	n, isConst := constString(cc.Args[netArg])
	return isConst && !isStreamNetwork(n) && n != ""
}

func isStreamNetwork(n string) bool {
	switch n {
	case "tcp", "tcp4", "tcp6", "unix":
		return true
	}
	return false
}

// wrapperSpec describes a constructor whose result reads or writes through
// its argument.
type wrapperSpec struct {
	args  []int // which arguments are wrapped
	role  role
	kind  kind
	close bool // Close on the wrapper closes the connection (textproto.Conn)
}

var wrappers = map[string]wrapperSpec{
	"bufio.NewReader":            {[]int{0}, roleReader, kindStream, false},
	"bufio.NewReaderSize":        {[]int{0}, roleReader, kindStream, false},
	"bufio.NewScanner":           {[]int{0}, roleReader, kindStream, false},
	"bufio.NewWriter":            {[]int{0}, roleWriter, kindStream, false},
	"bufio.NewWriterSize":        {[]int{0}, roleWriter, kindStream, false},
	"bufio.NewReadWriter":        {[]int{0, 1}, roleRW, kindStream, false},
	"io.LimitReader":             {[]int{0}, roleReader, kindStream, false},
	"io.NopCloser":               {[]int{0}, roleReader, kindStream, false},
	"encoding/json.NewDecoder":   {[]int{0}, roleReader, kindStream, false},
	"encoding/gob.NewDecoder":    {[]int{0}, roleReader, kindStream, false},
	"encoding/xml.NewDecoder":    {[]int{0}, roleReader, kindStream, false},
	"encoding/csv.NewReader":     {[]int{0}, roleReader, kindStream, false},
	"encoding/json.NewEncoder":   {[]int{0}, roleWriter, kindStream, false},
	"encoding/gob.NewEncoder":    {[]int{0}, roleWriter, kindStream, false},
	"encoding/xml.NewEncoder":    {[]int{0}, roleWriter, kindStream, false},
	"encoding/csv.NewWriter":     {[]int{0}, roleWriter, kindStream, false},
	"net/textproto.NewReader":    {[]int{0}, roleReader, kindStream, false},
	"net/textproto.NewWriter":    {[]int{0}, roleWriter, kindStream, false},
	"net/textproto.NewConn":      {[]int{0}, roleRW, kindStream, true},
	"crypto/tls.Server":          {[]int{0}, roleConn, kindTLS, true},
	"crypto/tls.Client":          {[]int{0}, roleConn, kindTLS, true},
	"(*crypto/tls.Conn).NetConn": {[]int{0}, roleConn, kindStream, true},
}

// argEffects maps functions to what they do to each argument.
var argEffects = map[string][]effect{
	"io.Copy":                    {effWrite, effDrain},
	"io.CopyBuffer":              {effWrite, effDrain},
	"io.CopyN":                   {effWrite, effRead},
	"io.ReadAll":                 {effDrain},
	"io/ioutil.ReadAll":          {effDrain},
	"io.ReadFull":                {effRead},
	"io.ReadAtLeast":             {effRead},
	"io.WriteString":             {effWrite},
	"fmt.Fprint":                 {effWrite},
	"fmt.Fprintf":                {effWrite},
	"fmt.Fprintln":               {effWrite},
	"fmt.Fscan":                  {effRead},
	"fmt.Fscanf":                 {effRead},
	"fmt.Fscanln":                {effRead},
	"encoding/binary.Read":       {effRead},
	"encoding/binary.Write":      {effWrite},
	"net/http.ReadRequest":       {effRead},
	"net/http.ReadResponse":      {effRead},
	"(*net/http.Request).Write":  {effNone, effWrite},
	"(*net/http.Response).Write": {effNone, effWrite},
	"(*net/http.Header).Write":   {effNone, effWrite},
	"(net/http.Header).Write":    {effNone, effWrite},
	"(*bytes.Buffer).ReadFrom":   {effNone, effDrain},
	"(*bytes.Buffer).WriteTo":    {effNone, effWrite},
	"(*os.File).ReadFrom":        {effNone, effDrain},
	"(*strings.Reader).WriteTo":  {effNone, effWrite},
	"(*bytes.Reader).WriteTo":    {effNone, effWrite},
}

// fdEffect says what a syscall or x/sys/unix function does to the file
// descriptor in its first argument. Functions of those packages not listed
// leave the descriptor alone (they are system calls: none keeps it).
func fdEffect(name string, args []ssa.Value) effect {
	dot := strings.LastIndexByte(name, '.')
	pkg, fn := name[:dot], name[dot+1:]
	if pkg != pkgSyscall && pkg != pkgUnix {
		return effEscape
	}
	switch fn {
	case "Read", "Readv", "Recvfrom", "Recvmsg", "RecvmsgBuffers":
		return effRead
	case "Write", "Writev", "Sendto", "Sendmsg", "SendmsgN", "SendmsgBuffers", "Sendfile":
		return effWrite
	case "Close":
		return effClose
	case "Shutdown":
		if len(args) == 2 {
			if how, ok := constInt(args[1]); ok && (how == 1 || how == 2) { // SHUT_WR, SHUT_RDWR
				return effHalfClose
			}
		}
		return effNone
	case "SetsockoptLinger":
		if len(args) == 4 {
			return lingerArg(args[3])
		}
		return effNone
	case "Listen", "Dup", "Dup2", "Dup3":
		// A listening socket is no connection; a duplicated one is
		// closed for real only by its last close.
		return effEscape
	}
	return effNone
}

// lingerArg decides what SetsockoptLinger(fd, SOL_SOCKET, SO_LINGER, l)
// does, from the stores into the Linger struct l points to.
func lingerArg(v ssa.Value) effect {
	alloc, ok := v.(*ssa.Alloc)
	if !ok {
		return effNone
	}
	onoff, linger := int64(0), int64(0)
	for _, r := range *alloc.Referrers() {
		fa, ok := r.(*ssa.FieldAddr)
		if !ok {
			continue
		}
		for _, rr := range *fa.Referrers() {
			st, ok := rr.(*ssa.Store)
			if !ok || st.Addr != fa {
				continue
			}
			n, isConst := constInt(st.Val)
			if !isConst {
				return effNone // unknown value: say nothing
			}
			field := fa.X.Type().Underlying().(*types.Pointer).Elem().Underlying().(*types.Struct).Field(fa.Field).Name()
			switch field {
			case "Onoff":
				onoff = n
			case "Linger":
				linger = n
			}
		}
	}
	if onoff != 0 && linger == 0 {
		return effLingerZero
	}
	return effLingerReset
}

// methodEffect says what calling the named method on a value with role r
// of a connection of kind k does.
func methodEffect(r role, k kind, name string, args []ssa.Value, closes bool) effect {
	readSide := r == roleConn || r == roleReader || r == roleRW
	writeSide := r == roleConn || r == roleWriter || r == roleRW
	switch name {
	case "Close":
		if r == roleConn || closes {
			return effClose
		}
		return effNone
	case "CloseWrite":
		if r == roleConn && k == kindStream {
			return effHalfClose
		}
		return effNone // tls close_notify only: no FIN
	case "SetLinger":
		if r != roleConn || len(args) != 1 {
			return effNone
		}
		if sec, ok := constInt(args[0]); ok {
			if sec == 0 {
				return effLingerZero
			}
			return effLingerReset
		}
		return effNone
	case "File":
		return effEscape // a dup: the last close decides
	case "WriteTo":
		if readSide {
			return effDrain
		}
	case "ReadFrom":
		if writeSide {
			return effWrite
		}
	case "Handshake", "HandshakeContext":
		return effRead
	}
	if readSide && (strings.HasPrefix(name, "Read") || name == "Peek" || name == "Discard" ||
		name == "Scan" || name == "Decode" || name == "Token" || name == "RawToken" ||
		name == "DotReader" || name == "More") {
		return effRead
	}
	if writeSide && (strings.HasPrefix(name, "Write") || name == "Flush" || name == "Encode" ||
		name == "PrintfLine" || name == "Cmd" || name == "DotWriter") {
		return effWrite
	}
	return effNone
}

// noReturnFuncs end a path like panic; ctrlflow's facts already cut calls
// to most of them in the SSA (build.go), this catches the rest.
var noReturnFuncs = map[string]bool{
	"os.Exit": true, "log.Fatal": true, "log.Fatalf": true, "log.Fatalln": true,
	"log.Panic": true, "log.Panicf": true, "log.Panicln": true, "runtime.Goexit": true,
	"(*log.Logger).Fatal": true, "(*log.Logger).Fatalf": true, "(*log.Logger).Fatalln": true,
	"(*testing.common).Fatal": true, "(*testing.common).Fatalf": true, "(*testing.common).FailNow": true,
}

// copyArgEffect is the io.ReaderFrom / io.WriterTo idiom for a method's
// arguments: x.ReadFrom(c) reads c to EOF, x.WriteTo(c) writes to c.
func copyArgEffect(method string) effect {
	switch method {
	case "ReadFrom":
		return effDrain
	case "WriteTo":
		return effWrite
	}
	return effNone
}

func isWrapper(name string) bool { _, ok := wrappers[name]; return ok }

// kindOfType is the connection kind implied by a static type.
func kindOfType(t types.Type) kind {
	if isNamedType(t, true, "crypto/tls", "Conn") {
		return kindTLS
	}
	return kindStream
}

// isPastTime reports whether a deadline argument is already past when
// set: time.Now() itself, or a constant time.Unix(sec, nsec).
func isPastTime(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	switch funcName(call.Common().StaticCallee()) {
	case "time.Now":
		return true
	case "time.Unix":
		for _, a := range call.Common().Args {
			if _, isConst := constInt(a); !isConst {
				return false
			}
		}
		return true
	}
	return false
}
