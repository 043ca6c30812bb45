package proof

import (
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"go/ast"
	"go/token"
	"go/types"
	"io"
	"maps"
	"math/big"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/rstlint/rstlint/analyzer"
	"github.com/rstlint/rstlint/rsttest"

	"rstcases/protocol"
)

// The peer model, one for every pattern: the peer follows the protocol and
// may pipeline. A client peer sends its whole request and more (the next
// request) before the handler reads, keeps its write side open, and reads
// the answer until EOF; only where the protocol itself ends at the peer's
// EOF (echo, read-all) does it half-close after sending. A server peer
// answers each request as it arrives (it echoes).
//
// Pipelined input is larger than a bufio.Reader's or a Scanner's buffer:
// bytes a wrapper has pulled in are read as far as the kernel is
// concerned, and only what is left in the kernel's queue decides RST.
var (
	request   = []byte("PING\r\n")
	pipelined = []byte(strings.Repeat("PING\r\n", 32<<10/6)) // a request and the next ones, 32 KiB
	bigInput  = []byte("END " + strings.Repeat("x", 4096))
	// upstream is the server peer of the proxies: it reads the request to
	// EOF, then answers and half-closes. A proxy that waits for both
	// directions passes the EOF on (CloseWrite) and relays the answer; one
	// that closes when the first direction ends has closed the upstream
	// conn before the answer comes, so the answer meets a closed socket.
	upstream = rsttest.ServerPeer{AnswerAtEOF: true, Send: []byte("the answer\n")}
	// sink is the server peer of a one-way protocol (a client that never
	// reads its conn): it reads everything and never writes.
	sink = rsttest.ServerPeer{}
	// feed is the server peer of a proxy whose cut is a race: it streams
	// until the proxy's Close, so that Close meets its bytes however the
	// copy goroutines were scheduled.
	feed = rsttest.ServerPeer{Stream: true, Send: []byte("the feed\n")}
)

// pattern is one runnable case of the rule packages and how the peer
// talks to it.
type pattern struct {
	name string // package.Function: the case, whose diagnostics and its callees' count

	server  func(net.Conn)
	client  func(addr string) error
	rawFD   func(lfd int)
	tlsSrv  func(raw net.Conn, cfg *tls.Config) // a TLS server on the accepted conn
	network string                              // "tcp" (default) or "unix"
	raw     bool                                // hand the handler the *net.TCPConn / *net.UnixConn itself
	send    []byte                              // what the peer sends (default: pipelined)
	peer    *rsttest.ServerPeer                 // the server peer of a client (default: an echo server)
	eof     bool                                // the protocol ends at the peer's EOF: the peer half-closes
}

// fromListener runs an accept-one server on the conn RunServer accepted.
func fromListener(serve func(net.Listener)) func(net.Conn) {
	return func(c net.Conn) { serve(&oneConn{c: c}) }
}

// oneConn is a listener that yields one conn, then reports closure.
type oneConn struct {
	mu   sync.Mutex
	c    net.Conn
	done bool
}

func (l *oneConn) Accept() (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return nil, net.ErrClosed
	}
	l.done = true
	return l.c, nil
}
func (l *oneConn) Close() error   { return nil }
func (l *oneConn) Addr() net.Addr { return l.c.LocalAddr() }

// httpServe runs an HTTP handler on the conn and waits until it returns.
func httpServe(h http.HandlerFunc) func(net.Conn) {
	return func(c net.Conn) {
		done := make(chan struct{})
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer close(done)
			h(w, r)
		})}
		go srv.Serve(&oneConn{c: c})
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
}

// withPort adapts a raw-socket client that takes a port.
func withPort(f func(port int) error) func(string) error {
	return func(addr string) error {
		_, p, err := net.SplitHostPort(addr)
		if err != nil {
			return err
		}
		port, err := strconv.Atoi(p)
		if err != nil {
			return err
		}
		return f(port)
	}
}

// asTCP and asUnix adapt handlers of the concrete types (with raw set).
func asTCP(f func(*net.TCPConn)) func(net.Conn) {
	return func(c net.Conn) { f(c.(*net.TCPConn)) }
}
func asUnix(f func(*net.UnixConn)) func(net.Conn) {
	return func(c net.Conn) { f(c.(*net.UnixConn)) }
}

// viaProxy runs a proxy between a local client and the scripted upstream
// peer at addr: the client sends a request and half-closes, then reads the
// answer to EOF. The proxy's close of its upstream conn is what the
// runner judges.
func viaProxy(p func(client net.Conn, target string)) func(string) error {
	return func(addr string) error {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer ln.Close()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return err
		}
		defer c.Close()
		s, err := ln.Accept()
		if err != nil {
			return err
		}
		done := make(chan struct{})
		go func() { defer close(done); p(s, addr) }()
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		c.Write(request)
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c)
		<-done
		return nil
	}
}

// viaProxyPair is viaProxy for proxies that take both conns.
func viaProxyPair(p func(client, server net.Conn)) func(string) error {
	return viaProxy(func(client net.Conn, target string) {
		server, err := net.Dial("tcp", target)
		if err != nil {
			client.Close()
			return
		}
		p(client, server)
	})
}

// cases are the rows of the proof table: those derived from the test
// data (cases_gen_test.go, table_test.go) and the overrides.
var cases = func() []pattern {
	out := slices.Clone(generated)
	for _, name := range slices.Sorted(maps.Keys(overrides)) {
		p := overrides[name].pattern
		p.name = name
		out = append(out, p)
	}
	return out
}()

// payloads are what a peer sends instead of the pipelined requests, by
// the name a //proof:send directive gives.
var payloads = map[string][]byte{
	"auth-wrong":        append([]byte("AUTH wrong\r\n"), pipelined...),
	"pass-wrong":        append([]byte("PASS wrong\r\n"), pipelined...),
	"short":             []byte("abcdefgh"),
	"header-body":       []byte("RST1head and a body"),
	"bad-magic":         []byte("XXXXhead and a body"),
	"big":               bigInput,
	"preface":           withPreface("data after the preface\n"),
	"preface-pipelined": withPreface(string(pipelined)),
	"upgrade":           upgradeRequest,
	"http-body":         httpRequestWithBody,
	"connect-tunnel":    connectWithTunnelData,
	"frames16":          []byte("\x00\x03abc\x00\x02de"),
	"bye-pipelined":     append([]byte("PING\r\nBYE\r\n"), pipelined...),
	"frames64":          []byte("\x00\x00\x00\x00\x00\x00\x00\x03abc"),
	// What a peer sends that the program rejects: the rest stays queued.
	"bad-preface":   []byte("XXXX/9\r\n" + string(pipelined)),
	"upgrade-early": append(append([]byte(nil), upgradeRequest...), pipelined...),
	"bad-length":    append([]byte("\x00\x00\x00\x00\x00\x00\x00\x03abc\x7f\xff\xff\xff\xff\xff\xff\xff"), pipelined...),
}

// httpRequestWithBody is a request whose body is bigger than net/http's
// read buffer: the handler hijacks without reading it, so most of it is
// still queued in the kernel.
var httpRequestWithBody = []byte("POST / HTTP/1.1\r\nHost: proof\r\nContent-Length: 65536\r\n\r\n" + strings.Repeat("b", 65536))

// upgradeRequest asks for a protocol upgrade and, as the protocol
// requires, sends nothing more until the 101.
var upgradeRequest = []byte("GET / HTTP/1.1\r\nHost: proof\r\nConnection: Upgrade\r\nUpgrade: rstp\r\n\r\n")

// withPreface is the protocol package's preface followed by rest.
func withPreface(rest string) []byte { return []byte(protocol.Preface + rest) }

// connectWithTunnelData is a CONNECT whose client already sends tunnelled
// bytes, more than net/http buffers.
var connectWithTunnelData = []byte("CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n" + strings.Repeat("t", 65536))

// TestProof runs every case on the kernel and compares the kernel's
// verdict with rstlint's. Subtests are named case/<category> (the
// category of rstlint's diagnostic in the case) or case/clean, computed
// once in the parent process; the children that EnterNetns re-executes
// find it in their name.
func TestProof(t *testing.T) {
	var verdicts map[string]string
	if !rsttest.InNetnsChild() {
		verdicts = analyze(t)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			words := append(slices.Clone(categories), "clean") // a child runs only the one -test.run names
			if verdicts != nil {
				words = []string{cmp.Or(verdicts[c.name], "clean")}
			}
			for _, word := range words {
				t.Run(word, func(t *testing.T) {
					defer rows.record(t)
					if !rsttest.EnterNetns(t) {
						return
					}
					runCase(t, c, word)
				})
			}
		})
	}
}

// categories are the categories a diagnostic in a pattern can have.
var categories = []string{
	analyzer.CategoryUnreadClose, analyzer.CategoryRejectUnread, analyzer.CategoryHalfCloseUndrained,
	analyzer.CategoryLingerZero, analyzer.CategoryProxyEarlyClose, analyzer.CategoryProxyEOFLost,
}

// strictEnv, when set (as .ci/run sets it), makes a pattern whose kernel
// verdict is Unknown fail instead of skipping: CI can observe the kernel,
// so a verdict it cannot reach is a broken runner, not a missing feature.
const strictEnv = "RSTLINT_PROOF_STRICT"

// runCase runs one pattern on the kernel; verdict is rstlint's: the
// category of its diagnostic, or "clean".
func runCase(t *testing.T, c pattern, verdict string) {
	flagged := verdict != "clean"
	peer := rsttest.ClientPeer{Send: c.send, HalfClose: c.eof}
	if peer.Send == nil {
		peer.Send = pipelined
	}
	var res rsttest.Result
	switch {
	case c.server != nil:
		res = rsttest.RunServer(t, rsttest.ServerScenario{Network: c.network, Raw: c.raw, Peer: peer}, c.server)
	case c.client != nil:
		sp := rsttest.ServerPeer{Echo: true}
		if c.peer != nil {
			sp = *c.peer
		}
		res = rsttest.RunClient(t, rsttest.ClientScenario{Peer: sp}, c.client)
	case c.rawFD != nil:
		res = runRawFD(t, peer, c.rawFD)
	case c.tlsSrv != nil:
		res = runTLS(t, c.tlsSrv)
	}
	want := rsttest.FIN
	if flagged {
		want = rsttest.RST
	}
	t.Logf("pattern=%s flagged=%v (%s) %s", c.name, flagged, verdict, res)
	t.Logf("peer: %+v", res.Peer)
	if res.Verdict == rsttest.Unknown {
		if os.Getenv(strictEnv) != "" {
			t.Fatalf("pattern=%s flagged=%v kernel=Unknown (%s is set): %s", c.name, flagged, strictEnv, res.Evidence)
		}
		rows.skipReason(t, cmp.Or(res.NoNetns, "the kernel's verdict is unknown in a private network namespace"))
		t.Skipf("pattern=%s flagged=%v kernel=Unknown: %s", c.name, flagged, res.Evidence)
	}
	if res.Verdict != want {
		t.Errorf("pattern=%s: rstlint says flagged=%v but the kernel sent %v (%s): fix the rule or the case",
			c.name, flagged, res.Verdict, res.Evidence)
	}
}

// runRawFD runs a raw-socket server given a listening descriptor: the peer
// connects and sends before the server accepts, as in the seed. Only the
// private namespace's counters can tell what its close sent.
func runRawFD(t *testing.T, peer rsttest.ClientPeer, serve func(lfd int)) rsttest.Result {
	rc := rsttest.CountResets()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File() // a blocking dup of the listening fd
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var seen rsttest.PeerResult
	seen.Sent, seen.WriteErr = c.Write(peer.Send)
	if seen.WriteErr != nil {
		t.Fatal(seen.WriteErr)
	}
	if peer.HalfClose {
		c.(*net.TCPConn).CloseWrite()
	}
	done := make(chan struct{})
	go func() { defer close(done); serve(int(f.Fd())) }()
	n, readErr := io.Copy(io.Discard, c) // the answer, until EOF or a reset
	seen.Received, seen.ReadErr = int(n), readErr
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the raw-socket server did not return")
	}
	return rc.Result("raw-socket server", seen)
}

// runTLS runs a TLS server on a conn whose TLS client peer pipelines
// application data after the handshake and reads until EOF. Only the
// private namespace's counters tell what the server's close sent: the peer
// closes its TCP conn without close_notify, after the server returned, so
// that it provokes no RST of its own.
func runTLS(t *testing.T, serve func(net.Conn, *tls.Config)) rsttest.Result {
	rc := rsttest.CountResets()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := make(chan struct{})
	peerDone := make(chan rsttest.PeerResult, 1)
	go func() {
		var seen rsttest.PeerResult
		defer func() { peerDone <- seen }()
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			seen.WriteErr = err
			return
		}
		defer c.NetConn().Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		seen.Sent, seen.WriteErr = c.Write(pipelined)
		n, err := io.Copy(io.Discard, c)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = nil // TCP's EOF without close_notify: what a server that half-closes its TCP conn sends
		}
		seen.Received, seen.ReadErr = int(n), err
		<-served
	}()
	raw, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer close(served)
		done := make(chan struct{})
		go func() { defer close(done); serve(raw, &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("the TLS server did not return")
		}
	}()
	return rc.Result("TLS server", <-peerDone)
}

// selfSigned makes a throwaway certificate for 127.0.0.1.
func selfSigned(t *testing.T) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// loadCases loads the packages of the cases module, once per process.
var loadCases = sync.OnceValues(func() ([]*packages.Package, error) {
	cfg := &packages.Config{Mode: packages.LoadAllSyntax, Dir: "..", Tests: false}
	pkgs, err := packages.Load(cfg, "rstcases/...")
	if err != nil {
		return nil, err
	}
	if packages.PrintErrors(pkgs) > 0 {
		return nil, errors.New("the test cases do not compile")
	}
	return pkgs, nil
})

// mustLoadCases loads the cases, skipping when the go command cannot run
// (no toolchain or module cache for this user: an environment problem,
// not a verdict) and failing when they do not compile.
func mustLoadCases(t *testing.T) []*packages.Package {
	t.Helper()
	pkgs, err := loadCases()
	switch {
	case err != nil && err.Error() == "the test cases do not compile":
		t.Fatal(err)
	case err != nil:
		t.Skipf("cannot load the test cases to analyze them: %v", err)
	}
	return pkgs
}

// analyze runs rstlint over the cases and returns, for each case name,
// the category of a diagnostic inside its function, or else inside a
// function it calls (transitively: the handler it starts, the helper
// that closes), or "" when there is none.
func analyze(t *testing.T) map[string]string {
	t.Helper()
	pkgs := mustLoadCases(t)
	graph, err := checker.Analyze([]*analysis.Analyzer{analyzer.Analyzer}, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := newCallGraph(pkgs)
	// diagnosed["pkg.Func"] is the category of a diagnostic inside Func.
	diagnosed := make(map[string]string)
	for act := range graph.All() {
		if !act.IsRoot || act.Analyzer != analyzer.Analyzer {
			continue
		}
		for _, d := range act.Diagnostics {
			if fn := g.enclosing(act.Package, d.Pos); fn != "" {
				diagnosed[fn] = d.Category
			}
		}
	}
	verdicts := make(map[string]string)
	for _, c := range cases {
		if !g.declared[c.name] {
			// Not loaded (the test binary runs outside testdata/proof?): a
			// verdict of "clean" would be a guess.
			t.Fatalf("case %s names no function of the loaded test cases", c.name)
		}
		verdicts[c.name] = diagnosed[c.name]
		for _, fn := range g.reach(c.name) {
			verdicts[c.name] = cmp.Or(verdicts[c.name], diagnosed[fn])
		}
	}
	return verdicts
}

// callGraph is the calls between the declared functions of the cases
// module, by "pkg.Func" and "pkg.Type.Method", read from the syntax: a
// call, a go or defer statement, or a function value.
type callGraph struct {
	declared map[string]bool
	calls    map[string][]string
	bodies   map[*ast.FuncDecl]string
}

func newCallGraph(pkgs []*packages.Package) *callGraph {
	g := &callGraph{declared: make(map[string]bool), calls: make(map[string][]string), bodies: make(map[*ast.FuncDecl]string)}
	key := func(fn *types.Func) string {
		name := fn.Pkg().Name() + "." + fn.Name()
		if recv := fn.Signature().Recv(); recv != nil {
			t := recv.Type()
			if p, ok := t.(*types.Pointer); ok {
				t = p.Elem()
			}
			if n, ok := t.(*types.Named); ok {
				name = fn.Pkg().Name() + "." + n.Obj().Name() + "." + fn.Name()
			}
		}
		return name
	}
	module := make(map[*types.Package]bool)
	for _, p := range pkgs {
		module[p.Types] = true
	}
	for _, p := range pkgs {
		for _, f := range p.Syntax {
			for _, decl := range f.Decls {
				fd, ok := decl.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				fn, ok := p.TypesInfo.Defs[fd.Name].(*types.Func)
				if !ok {
					continue
				}
				from := key(fn)
				g.declared[from] = true
				g.bodies[fd] = from
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					if id, ok := n.(*ast.Ident); ok {
						if callee, ok := p.TypesInfo.Uses[id].(*types.Func); ok && module[callee.Pkg()] {
							if orig := callee.Origin(); orig != nil {
								callee = orig
							}
							g.calls[from] = append(g.calls[from], key(callee))
						}
					}
					return true
				})
			}
		}
	}
	return g
}

// reach returns the functions name calls, directly or not, in the order
// they are first reached.
func (g *callGraph) reach(name string) []string {
	seen := map[string]bool{name: true}
	var out []string
	queue := []string{name}
	for len(queue) > 0 {
		for _, next := range g.calls[queue[0]] {
			if !seen[next] {
				seen[next] = true
				out = append(out, next)
				queue = append(queue, next)
			}
		}
		queue = queue[1:]
	}
	return out
}

// enclosing names the declared function holding pos.
func (g *callGraph) enclosing(pkg *packages.Package, pos token.Pos) string {
	for _, f := range pkg.Syntax {
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Pos() <= pos && pos < fd.End() {
				return g.bodies[fd]
			}
		}
	}
	return ""
}

// TestComplete checks that the proof table covers the rule packages:
// every exported function, and every exported method of an exported type,
// is a case, is called by one (its Closes are judged and run through it),
// or says why it is not run (//proof:skip); no case is skipped, and every
// override names a function of the test data.
func TestComplete(t *testing.T) {
	pkgs := mustLoadCases(t)
	g := newCallGraph(pkgs)
	isCase := make(map[string]bool)
	reached := make(map[string]bool)
	for _, c := range cases {
		if isCase[c.name] {
			t.Errorf("case %s is in the table twice", c.name)
		}
		isCase[c.name] = true
		for _, fn := range g.reach(c.name) {
			reached[fn] = true
		}
	}
	for name := range overrides {
		if !g.declared[name] {
			t.Errorf("override %s names no function of the test data", name)
		}
	}
	exportedFuncs(pkgs, func(p *packages.Package, name string, fd *ast.FuncDecl) {
		d, err := directivesOf(fd)
		switch {
		case err != nil:
			t.Errorf("%s: %v", name, err)
		case d.skip != "" && isCase[name]:
			t.Errorf("%s is a case and says //proof:skip %s", name, d.skip)
		case d.skip == "" && !isCase[name] && !reached[name]:
			t.Errorf("%s is neither a proof case nor called by one: give it a signature the runner drives, an override, or //proof:skip with the reason", name)
		}
	})
}
