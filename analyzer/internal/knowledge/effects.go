package knowledge

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// This file is the catalogue of what calls do to a connection they are
// given: the standard library's readers, writers and copies, the
// constructors that wrap a connection (bufio, encoders, tls), the
// methods of connections and their wrappers, and the system calls on a
// descriptor.

// Effect is what a call or instruction does to one connection.
type Effect uint8

// The effects.
const (
	EffNone Effect = iota
	EffRead
	EffDrain
	EffWrite
	EffHalfClose
	EffLingerZero
	EffLingerReset
	EffLingerParam // SetLinger with a parameter of the function: its callers decide
	EffAbort       // a deadline in the past: the conn's pending reads and writes fail now
	EffAbortRead   // CloseRead (shutdown(SHUT_RD)): the conn's reads end now, with input queued
	EffClose
	EffEscape
)

var effectNames = [...]string{"none", "read", "drain", "write", "halfclose", "linger0", "lingerreset", "lingerparam", "abort", "abortread", "close", "escape"}

func (e Effect) String() string { return effectNames[e] }

// Constructor describes a standard function whose result reads or writes
// through its argument: bufio.NewReader(c), tls.Server(c, cfg). (The
// program's own conn types that delegate to a conn are its wrappers:
// ownership's.)
type Constructor struct {
	Args  []int // which arguments are wrapped
	Role  Role
	Kind  Kind
	Close bool // Close on the result closes the connection (textproto.Conn, tls.Conn)
}

// Constructors are the standard functions whose result is a view of a
// connection argument, by full name.
var Constructors = map[string]Constructor{
	"bufio.NewReader":            {[]int{0}, RoleReader, KindStream, false},
	"bufio.NewReaderSize":        {[]int{0}, RoleReader, KindStream, false},
	"bufio.NewScanner":           {[]int{0}, RoleReader, KindStream, false},
	"bufio.NewWriter":            {[]int{0}, RoleWriter, KindStream, false},
	"bufio.NewWriterSize":        {[]int{0}, RoleWriter, KindStream, false},
	"bufio.NewReadWriter":        {[]int{0, 1}, RoleRW, KindStream, false},
	"io.LimitReader":             {[]int{0}, RoleReader, KindStream, false},
	"io.NopCloser":               {[]int{0}, RoleReader, KindStream, false},
	"io.TeeReader":               {[]int{0}, RoleReader, KindStream, false},
	"encoding/json.NewDecoder":   {[]int{0}, RoleReader, KindStream, false},
	"encoding/gob.NewDecoder":    {[]int{0}, RoleReader, KindStream, false},
	"encoding/xml.NewDecoder":    {[]int{0}, RoleReader, KindStream, false},
	"encoding/csv.NewReader":     {[]int{0}, RoleReader, KindStream, false},
	"encoding/json.NewEncoder":   {[]int{0}, RoleWriter, KindStream, false},
	"encoding/gob.NewEncoder":    {[]int{0}, RoleWriter, KindStream, false},
	"encoding/xml.NewEncoder":    {[]int{0}, RoleWriter, KindStream, false},
	"encoding/csv.NewWriter":     {[]int{0}, RoleWriter, KindStream, false},
	"net/textproto.NewReader":    {[]int{0}, RoleReader, KindStream, false},
	"net/textproto.NewWriter":    {[]int{0}, RoleWriter, KindStream, false},
	"net/textproto.NewConn":      {[]int{0}, RoleRW, KindStream, true},
	"crypto/tls.Server":          {[]int{0}, RoleConn, KindTLS, true},
	"crypto/tls.Client":          {[]int{0}, RoleConn, KindTLS, true},
	"(*crypto/tls.Conn).NetConn": {[]int{0}, RoleConn, KindStream, true},
}

// views are the types of the constructors' results, by package and
// name, and the role a value of one plays: a function given a
// *bufio.Reader reads whatever conn it wraps.
var views = map[[2]string]Constructor{
	{"bufio", "Reader"}:          {Role: RoleReader},
	{"bufio", "Scanner"}:         {Role: RoleReader},
	{"bufio", "Writer"}:          {Role: RoleWriter},
	{"bufio", "ReadWriter"}:      {Role: RoleRW},
	{"net/textproto", "Reader"}:  {Role: RoleReader},
	{"net/textproto", "Writer"}:  {Role: RoleWriter},
	{"net/textproto", "Conn"}:    {Role: RoleRW, Close: true},
	{"encoding/json", "Decoder"}: {Role: RoleReader},
	{"encoding/json", "Encoder"}: {Role: RoleWriter},
	{"encoding/gob", "Decoder"}:  {Role: RoleReader},
	{"encoding/gob", "Encoder"}:  {Role: RoleWriter},
	{"encoding/xml", "Decoder"}:  {Role: RoleReader},
	{"encoding/xml", "Encoder"}:  {Role: RoleWriter},
}

// ResetViews are the methods that make their receiver a view of their
// argument (br.Reset(c): a pooled bufio.Reader now reads c), and the
// view's role.
var ResetViews = map[string]Role{"(*bufio.Reader).Reset": RoleReader, "(*bufio.Writer).Reset": RoleWriter}

// PoolPut is sync.Pool's Put: a reader or writer view put back is reset
// before anyone uses it again, so the conn it read stays the caller's.
const PoolPut = "(*sync.Pool).Put"

// VarargViews are the standard functions whose result reads through each
// of their variadic arguments in turn.
var VarargViews = map[string]bool{"io.MultiReader": true}

// VarargView returns the call of one of VarargViews when addr is the
// address of one of its arguments: a slot of the array that the call's
// ...args slice (io.MultiReader(bytes.NewReader(peeked), c)).
func VarargView(addr ssa.Value) (*ssa.Call, bool) {
	ia, ok := addr.(*ssa.IndexAddr)
	if !ok {
		return nil, false
	}
	arr, ok := ia.X.(*ssa.Alloc)
	if !ok {
		return nil, false
	}
	for _, r := range *arr.Referrers() {
		sl, ok := r.(*ssa.Slice)
		if !ok {
			continue
		}
		for _, rr := range *sl.Referrers() {
			call, ok := rr.(*ssa.Call)
			if !ok || call.Common().IsInvoke() {
				continue
			}
			if args := call.Common().Args; len(args) == 1 && args[0] == sl && VarargViews[FuncName(call.Common().StaticCallee())] {
				return call, true
			}
		}
	}
	return nil, false
}

// ViewOf reports whether t is a pointer to one of the constructors'
// result types (a reader or writer view of a conn), and its role.
func ViewOf(t types.Type) (Constructor, bool) {
	p, ok := types.Unalias(t).(*types.Pointer)
	if !ok {
		return Constructor{}, false
	}
	n, ok := types.Unalias(p.Elem()).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return Constructor{}, false
	}
	v, ok := views[[2]string{n.Obj().Pkg().Path(), n.Obj().Name()}]
	return v, ok
}

// ArgEffects maps functions to what they do to each argument.
var ArgEffects = map[string][]Effect{
	"io.Copy":                    {EffWrite, EffDrain},
	"io.CopyBuffer":              {EffWrite, EffDrain},
	"io.CopyN":                   {EffWrite, EffRead},
	"io.ReadAll":                 {EffDrain},
	"io/ioutil.ReadAll":          {EffDrain},
	"io.ReadFull":                {EffRead},
	"io.ReadAtLeast":             {EffRead},
	"io.WriteString":             {EffWrite},
	"fmt.Fprint":                 {EffWrite},
	"fmt.Fprintf":                {EffWrite},
	"fmt.Fprintln":               {EffWrite},
	"fmt.Fscan":                  {EffRead},
	"fmt.Fscanf":                 {EffRead},
	"fmt.Fscanln":                {EffRead},
	"encoding/binary.Read":       {EffRead},
	"encoding/binary.Write":      {EffWrite},
	"net/http.ReadRequest":       {EffRead},
	"net/http.ReadResponse":      {EffRead},
	"(*net/http.Request).Write":  {EffNone, EffWrite},
	"(*net/http.Response).Write": {EffNone, EffWrite},
	"(*net/http.Header).Write":   {EffNone, EffWrite},
	"(net/http.Header).Write":    {EffNone, EffWrite},
	"(*bytes.Buffer).ReadFrom":   {EffNone, EffDrain},
	"(*bytes.Buffer).WriteTo":    {EffNone, EffWrite},
	"(*os.File).ReadFrom":        {EffNone, EffDrain},
	"(*strings.Reader).WriteTo":  {EffNone, EffWrite},
	"(*bufio.Reader).Reset":      {EffNone, EffNone}, // ResetViews
	"(*bufio.Writer).Reset":      {EffNone, EffNone},
	"(*bytes.Reader).WriteTo":    {EffNone, EffWrite},
}

// FDEffect says what a syscall or x/sys/unix function does to the file
// descriptor in its first argument. Functions of those packages not listed
// leave the descriptor alone (they are system calls: none keeps it).
func FDEffect(name string, args []ssa.Value) Effect {
	dot := strings.LastIndexByte(name, '.')
	pkg, fn := name[:dot], name[dot+1:]
	if pkg != PkgSyscall && pkg != PkgUnix {
		return EffEscape
	}
	if IsClose(fn) {
		return EffClose
	}
	switch fn {
	case "Read", "Readv", "Recvfrom", "Recvmsg", "RecvmsgBuffers":
		return EffRead
	case "Write", "Writev", "Sendto", "Sendmsg", "SendmsgN", "SendmsgBuffers", "Sendfile":
		return EffWrite
	case "Shutdown":
		if len(args) == 2 {
			if how, ok := ConstInt(args[1]); ok && (how == 1 || how == 2) { // SHUT_WR, SHUT_RDWR
				return EffHalfClose
			}
		}
		return EffNone
	case "SetsockoptLinger":
		if len(args) == 4 {
			return lingerArg(args[3])
		}
		return EffNone
	case "Listen", "Dup", "Dup2", "Dup3":
		// A listening socket is no connection; a duplicated one is
		// closed for real only by its last close.
		return EffEscape
	}
	return EffNone
}

// lingerArg decides what SetsockoptLinger(fd, SOL_SOCKET, SO_LINGER, l)
// does, from the stores into the Linger struct l points to.
func lingerArg(v ssa.Value) Effect {
	var addrs []*ssa.FieldAddr
	switch x := v.(type) {
	case *ssa.Alloc:
		for _, r := range *x.Referrers() {
			if fa, ok := r.(*ssa.FieldAddr); ok {
				addrs = append(addrs, fa)
			}
		}
	case *ssa.Global:
		// A package variable (var zeroLinger = syscall.Linger{1, 0}):
		// the stores of its initializer. go/ssa keeps no referrers of
		// globals; the package's init has them.
		if init := x.Pkg.Func("init"); init != nil {
			for _, b := range init.Blocks {
				for _, instr := range b.Instrs {
					switch i := instr.(type) {
					case *ssa.FieldAddr:
						if i.X == x {
							addrs = append(addrs, i)
						}
					case *ssa.Store:
						// *g = *complit: the literal's own stores.
						if load, ok := i.Val.(*ssa.UnOp); ok && i.Addr == x && load.Op == token.MUL {
							if lit, ok := load.X.(*ssa.Alloc); ok {
								return lingerArg(lit)
							}
						}
					}
				}
			}
		}
	default:
		return EffNone
	}
	onoff, linger := int64(0), int64(0)
	for _, fa := range addrs {
		for _, rr := range *fa.Referrers() {
			st, ok := rr.(*ssa.Store)
			if !ok || st.Addr != fa {
				continue
			}
			n, isConst := ConstInt(st.Val)
			if !isConst {
				return EffNone // unknown value: say nothing
			}
			field := FieldOf(fa)
			if field == nil {
				continue
			}
			switch field.Name() {
			case "Onoff":
				onoff = n
			case "Linger":
				linger = n
			}
		}
	}
	if onoff != 0 && linger == 0 {
		return EffLingerZero
	}
	return EffLingerReset
}

// MethodEffect says what calling the named method on a value with role r
// of a connection of kind k does; closes says whether Close on that value
// closes the connection (a closing wrapper such as tls.Conn).
func MethodEffect(r Role, k Kind, name string, args []ssa.Value, closes bool) Effect {
	if IsClose(name) {
		if r == RoleConn || closes {
			return EffClose
		}
		return EffNone
	}
	switch name {
	case "CloseWrite":
		if r == RoleConn && k == KindStream {
			return EffHalfClose
		}
		return EffNone // tls close_notify only: no FIN
	case "SetLinger":
		if r != RoleConn || len(args) != 1 {
			return EffNone
		}
		if sec, ok := ConstInt(args[0]); ok {
			if sec == 0 {
				return EffLingerZero
			}
			return EffLingerReset
		}
		return EffNone
	case "File":
		return EffEscape // a dup: the last close decides
	case "WriteTo":
		if r.ReadSide() {
			return EffDrain
		}
	case "ReadFrom":
		if r.WriteSide() {
			return EffWrite
		}
	case "Handshake", "HandshakeContext":
		return EffRead
	}
	// Reader() is a getter by Go's naming: it hands back a reader and
	// reads nothing (a wrapper's accessor of its bufio.Reader).
	if r.ReadSide() && (strings.HasPrefix(name, "Read") && name != "Reader" || name == "Peek" || name == "Discard" ||
		name == "Scan" || name == "Decode" || name == "Token" || name == "RawToken" ||
		name == "DotReader" || name == "More") {
		return EffRead
	}
	if r.WriteSide() && (strings.HasPrefix(name, "Write") || name == "Flush" || name == "Encode" ||
		name == "PrintfLine" || name == "Cmd" || name == "DotWriter") {
		return EffWrite
	}
	return EffNone
}

// DupsDescriptor reports whether call, c.SyscallConn() on a conn, hands
// its RawConn a function that duplicates the descriptor (syscall.Dup in
// rc.Control(func(fd uintptr) {...})): the conn then lives on in the copy,
// and Close of c only drops one descriptor of the socket, as after
// c.File(). The last close decides, elsewhere.
func DupsDescriptor(call *ssa.Call) bool {
	if call == nil {
		return false
	}
	for _, r := range *call.Referrers() {
		ext, ok := r.(*ssa.Extract)
		if !ok || ext.Index != 0 {
			continue
		}
		for _, u := range *ext.Referrers() {
			use, ok := u.(ssa.CallInstruction)
			if !ok || !use.Common().IsInvoke() || use.Common().Value != ext || len(use.Common().Args) != 1 {
				continue
			}
			var fn *ssa.Function
			switch f := use.Common().Args[0].(type) {
			case *ssa.MakeClosure:
				fn, _ = f.Fn.(*ssa.Function)
			case *ssa.Function:
				fn = f
			}
			if fn != nil && callsDup(fn) {
				return true
			}
		}
	}
	return false
}

// callsDup reports whether fn calls a dup system call.
func callsDup(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if c, ok := instr.(ssa.CallInstruction); ok {
				switch FuncName(c.Common().StaticCallee()) {
				case PkgSyscall + ".Dup", PkgSyscall + ".Dup2", PkgSyscall + ".Dup3", PkgUnix + ".Dup", PkgUnix + ".Dup2", PkgUnix + ".Dup3":
					return true
				}
			}
		}
	}
	return false
}

// IsClose reports whether a method or system call of this name closes
// what it is called on: rstlint's one definition of a Close. Close on a
// connection (or a wrapper whose Close closes it), syscall.Close and
// unix.Close on a descriptor; the user's -gracefulclose functions close
// too, gracefully (UserFuncs).
func IsClose(name string) bool { return name == "Close" }

// parsers are the standard functions, and the methods of reader views,
// that can fail on what they read (a malformed request, bad JSON, a TLS
// ClientHello the config rejects) and not only on the socket: after such
// a failure the rest of the peer's input is still queued.
var parsers = map[string]bool{
	"net/http.ReadRequest": true, "net/http.ReadResponse": true,
	"fmt.Fscan": true, "fmt.Fscanf": true, "fmt.Fscanln": true,
}

var parserMethods = map[string]bool{
	"Decode": true, "Token": true, "RawToken": true,
	"ReadMIMEHeader": true, "ReadCodeLine": true, "ReadResponse": true,
	"ReadDotLines": true, "ReadDotBytes": true,
	"Handshake": true, "HandshakeContext": true,
}

// FailsOnContent reports whether a call of the function of this full name
// (or, for a method of a connection or one of its views, of this method
// name) can fail on the content of what it read. The socket's own
// failures (EOF, a reset, a closed conn) end the conversation; a failure
// on content does not: the program rejected what the peer sent, and the
// rest of it is still queued. Framing reads (lines, exact sizes,
// io.Copy) fail only on the socket.
func FailsOnContent(fullName, method string) bool {
	return parsers[fullName] || method != "" && parserMethods[method]
}

// CopyArgEffect is the io.ReaderFrom / io.WriterTo idiom for a method's
// arguments, on a receiver of type recv: x.WriteTo(c) writes to c, and
// x.ReadFrom(c) reads c to EOF where x is a writer that copies into
// itself (a buffer, a file, a conn, any io.ReaderFrom of unknown type).
// A message's ReadFrom (a protocol's request type, which has no Write)
// reads one message, and fails on what it read as a decoder does: parses.
func CopyArgEffect(method string, recv types.Type) (eff Effect, parses bool) {
	switch method {
	case "ReadFrom":
		if copiesIntoItself(recv) {
			return EffDrain, false
		}
		return EffRead, true
	case "WriteTo":
		return EffWrite, false
	}
	return EffNone, false
}

// copiesIntoItself reports whether a ReadFrom of a value of type t copies
// what it reads into the value: t is an interface (io.ReaderFrom's
// contract: to EOF), or it has a Write method.
func copiesIntoItself(t types.Type) bool {
	if types.IsInterface(t) {
		return true
	}
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "Write")
	_, isFunc := obj.(*types.Func)
	return isFunc
}

// NoReturnFuncs end a path like panic; ctrlflow's facts already cut calls
// to most of them in the SSA, this catches the rest.
var NoReturnFuncs = map[string]bool{
	"os.Exit": true, "log.Fatal": true, "log.Fatalf": true, "log.Fatalln": true,
	"log.Panic": true, "log.Panicf": true, "log.Panicln": true, "runtime.Goexit": true,
	"(*log.Logger).Fatal": true, "(*log.Logger).Fatalf": true, "(*log.Logger).Fatalln": true,
	"(*testing.common).Fatal": true, "(*testing.common).Fatalf": true, "(*testing.common).FailNow": true,
}

// IsPastTime reports whether a deadline argument is already past when
// set: time.Now() itself, or a constant time.Unix(sec, nsec).
func IsPastTime(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	switch FuncName(call.Common().StaticCallee()) {
	case "time.Now":
		return true
	case "time.Unix":
		for _, a := range call.Common().Args {
			if _, isConst := ConstInt(a); !isConst {
				return false
			}
		}
		return true
	}
	return false
}

// UserFuncs are the user's additions to the catalogue: functions that
// read their connection arguments to EOF (-drain), and functions that
// close them gracefully (-gracefulclose), by types.Func.FullName.
type UserFuncs struct {
	Drain, Graceful map[string]bool
}
