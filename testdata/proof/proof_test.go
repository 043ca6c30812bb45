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

	"rstcases/client"
	"rstcases/crosspkg/app"
	"rstcases/defers"
	"rstcases/dialers"
	"rstcases/errpath"
	"rstcases/fields"
	"rstcases/fix"
	"rstcases/fixed"
	"rstcases/goroutine"
	"rstcases/halfclose"
	"rstcases/handler"
	"rstcases/helpers"
	"rstcases/hijack"
	"rstcases/linger"
	"rstcases/origins"
	"rstcases/packet"
	"rstcases/protocol"
	"rstcases/proxy"
	"rstcases/rawfd"
	"rstcases/reader"
	"rstcases/readloop"
	"rstcases/realworld"
	"rstcases/seed"
	"rstcases/usegraceful"
	"rstcases/wrappers"
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
)

// pattern is one runnable case of the rule packages and how the peer
// talks to it.
type pattern struct {
	name string   // package.Function: the function whose diagnostics count
	also []string // other functions of the package whose diagnostics count (the handler it starts...)

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

var cases = []pattern{
	{name: "seed.Bad", server: fromListener(seed.Bad)},
	{name: "seed.Good", server: fromListener(seed.Good), raw: true},
	{name: "seed.GoodReadAll", server: fromListener(seed.GoodReadAll), eof: true},

	{name: "handler.BadLine", server: handler.BadLine},
	{name: "handler.GoodLine", server: handler.GoodLine},
	{name: "handler.GoodEcho", server: handler.GoodEcho, eof: true},
	{name: "handler.BadUpper", server: handler.BadUpper},
	{name: "handler.GoodUpper", server: handler.GoodUpper, eof: true},
	{name: "handler.GoodCloseWriteInterface", server: handler.GoodCloseWriteInterface},
	{name: "handler.GoodWriteToDiscard", server: asTCP(handler.GoodWriteToDiscard), raw: true},

	{name: "errpath.BadAuth", server: errpath.BadAuth, send: append([]byte("AUTH wrong\r\n"), pipelined...)},
	{name: "errpath.GoodAuth", server: errpath.GoodAuth, raw: true, send: append([]byte("AUTH wrong\r\n"), pipelined...)},
	{name: "errpath.GoodReadError", server: errpath.GoodReadError, send: []byte("abcdefgh"), eof: true},
	{name: "errpath.GoodHeaderError", server: errpath.GoodHeaderError, send: []byte("RST1head and a body"), eof: true},
	{name: "errpath.BadMagic", server: errpath.BadMagic, send: []byte("XXXXhead and a body")},

	{name: "readloop.GoodLoop", server: readloop.GoodLoop, eof: true},
	{name: "readloop.BadLoop", server: readloop.BadLoop, send: bigInput},
	{name: "readloop.GoodLoopErrVar", server: readloop.GoodLoopErrVar, eof: true},
	{name: "readloop.GoodZeroRead", server: readloop.GoodZeroRead, eof: true},

	{name: "defers.BadDeferredClosure", server: fromListener(defers.BadDeferredClosure)},
	{name: "defers.GoodDeferredGraceful", server: fromListener(defers.GoodDeferredGraceful), raw: true},
	{name: "defers.BadEarlyReturn", server: func(c net.Conn) { defers.BadEarlyReturn(c, true) }},
	{name: "defers.GoodExplicitThenDeferred", server: defers.GoodExplicitThenDeferred, eof: true},
	{name: "defers.GoodDeferAfterDrain", server: defers.GoodDeferAfterDrain, eof: true},
	{name: "defers.GoodFailedAccept", server: fromListener(func(ln net.Listener) { defers.GoodFailedAccept(ln) }), eof: true},

	{name: "goroutine.BadServe", server: fromListener(goroutine.BadServe)},
	{name: "goroutine.GoodServe", server: fromListener(goroutine.GoodServe), eof: true},
	{name: "goroutine.GoodServeDrainedBefore", server: fromListener(goroutine.GoodServeDrainedBefore), eof: true},
	{name: "goroutine.BadGoNamed", also: []string{"handle"}, server: fromListener(goroutine.BadGoNamed)},

	{name: "helpers.BadHangUp", server: helpers.BadHangUp},
	{name: "helpers.GoodDrainThenHangUp", server: helpers.GoodDrainThenHangUp},
	{name: "helpers.GoodGraceful", server: helpers.GoodGraceful},
	{name: "helpers.GracefulClose", server: helpers.GracefulClose},
	{name: "helpers.GoodDeferredGraceful", server: fromListener(helpers.GoodDeferredGraceful)},
	{name: "helpers.BadDeferredHangUp", server: fromListener(helpers.BadDeferredHangUp)},
	{name: "helpers.BadGoClose", server: helpers.BadGoClose},
	{name: "helpers.BadGoCloseDirect", server: helpers.BadGoCloseDirect},

	{name: "app.Bad", server: fromListener(app.Bad)},
	{name: "app.Good", server: fromListener(app.Good)},

	{name: "halfclose.BadCloseWriteOnly", server: asTCP(halfclose.BadCloseWriteOnly), raw: true},
	{name: "halfclose.BadCloseWriteAndWait", server: halfclose.BadCloseWriteAndWait},
	{name: "halfclose.GoodCloseWriteDrain", server: asTCP(halfclose.GoodCloseWriteDrain), raw: true},
	{name: "halfclose.BadCloseRead", server: asTCP(halfclose.BadCloseRead), raw: true},
	{name: "halfclose.BadTLSCloseWrite", tlsSrv: halfclose.BadTLSCloseWrite},
	{name: "halfclose.GoodTLSNetConn", tlsSrv: halfclose.GoodTLSNetConn},
	{name: "halfclose.BadUnixHalfClose", server: asUnix(halfclose.BadUnixHalfClose), raw: true, network: "unix"},
	{name: "halfclose.GoodUnixHalfClose", server: asUnix(halfclose.GoodUnixHalfClose), raw: true, network: "unix"},
	{name: "halfclose.GoodCloseWriteError", server: asTCP(func(c *net.TCPConn) { halfclose.GoodCloseWriteError(c) }), raw: true},
	{name: "halfclose.BadDialHalfClose", client: halfclose.BadDialHalfClose},

	{name: "linger.BadLingerZero", server: asTCP(linger.BadLingerZero), raw: true, eof: true},
	{name: "linger.GoodLingerPositive", server: asTCP(linger.GoodLingerPositive), raw: true, eof: true},
	{name: "linger.GoodLingerRestored", server: asTCP(linger.GoodLingerRestored), raw: true, eof: true},
	{name: "linger.BadDialLinger", client: linger.BadDialLinger},
	{name: "linger.BadLingerHelper", server: asTCP(linger.BadLingerHelper), raw: true, eof: true},
	{name: "linger.GoodLingerHelperPositive", server: asTCP(linger.GoodLingerHelperPositive), raw: true, eof: true},
	{name: "linger.BadLingerLeaves", server: fromListener(func(ln net.Listener) {
		if c, err := linger.BadLingerLeaves(ln); err == nil {
			io.Copy(c, c) // a caller that echoes to EOF: its Close still resets
			c.Close()
		}
	}), eof: true},
	{name: "linger.BadLingerGo", server: fromListener(linger.BadLingerGo), raw: true, eof: true},
	{name: "linger.GoodLingerGo", server: fromListener(linger.GoodLingerGo), eof: true},

	{name: "rawfd.Bad", rawFD: rawfd.Bad},
	{name: "rawfd.Good", rawFD: rawfd.Good},
	{name: "rawfd.BadShutdownOnly", rawFD: rawfd.BadShutdownOnly},
	{name: "rawfd.BadLinger", rawFD: rawfd.BadLinger, eof: true},
	{name: "rawfd.BadHelper", rawFD: rawfd.BadHelper},
	{name: "rawfd.BadClient", client: withPort(rawfd.BadClient)},
	{name: "rawfd.GoodClient", client: withPort(rawfd.GoodClient)},

	{name: "client.GoodPush", client: client.GoodPush, peer: &sink},
	{name: "client.BadNoReadAfterAnswer", client: client.BadNoReadAfterAnswer},
	{name: "client.GoodReadReply", client: client.GoodReadReply},
	{name: "client.GoodPortCheck", client: client.GoodPortCheck},
	{name: "client.BadQuit", client: client.BadQuit},
	{name: "client.GoodWriteError", client: client.GoodWriteError},

	{name: "packet.BadStreamAnswer", server: packet.BadStreamAnswer},

	{name: "dialers.BadDialField", client: dialers.BadDialField},
	{name: "dialers.GoodDialField", client: dialers.GoodDialField},
	{name: "dialers.BadContextDialer", also: []string{"viaContextDialer"}, client: dialers.BadContextDialer},
	{name: "dialers.BadNetworkVariable", also: []string{"dialNetwork"}, client: dialers.BadNetworkVariable},

	{name: "reader.BadReaderCut", server: reader.BadReaderCut},
	{name: "reader.GoodReaderWait", server: asTCP(reader.GoodReaderWait), raw: true, eof: true},
	{name: "reader.GoodReaderBounded", server: asTCP(reader.GoodReaderBounded), raw: true, eof: true},
	{name: "reader.GoodReaderDeferredSend", server: asTCP(reader.GoodReaderDeferredSend), raw: true, eof: true},
	{name: "reader.GoodReaderWaitGroup", server: asTCP(reader.GoodReaderWaitGroup), raw: true, eof: true},

	{name: "origins.BadLimited", server: fromListener(origins.BadLimited)},
	{name: "origins.BadDialHelper", client: origins.BadDialHelper},
	{name: "origins.GoodDialHelper", client: origins.GoodDialHelper},

	{name: "wrappers.BadMetered", server: wrappers.BadMetered},
	{name: "wrappers.GoodMetered", server: wrappers.GoodMetered, eof: true},
	{name: "wrappers.BadCounting", server: wrappers.BadCounting},
	{name: "wrappers.GoodCounting", server: wrappers.GoodCounting, raw: true},
	{name: "wrappers.BadCrossPackage", server: wrappers.BadCrossPackage},
	{name: "wrappers.GoodCrossPackage", server: wrappers.GoodCrossPackage, eof: true},

	{name: "fields.AcceptBad", also: []string{"serveLine"}, server: fromListener(fields.AcceptBad)},
	{name: "fields.AcceptGood", also: []string{"serve"}, server: fromListener(fields.AcceptGood), eof: true},
	{name: "fields.ServeHangUp", also: []string{"answer"}, server: fields.ServeHangUp},
	{name: "fields.AcceptGoLiteral", also: []string{"start"}, server: fromListener(fields.AcceptGoLiteral)},
	{name: "fields.BadClientQuit", also: []string{"Quit"}, client: fields.BadClientQuit},
	{name: "fields.GoodClientQuit", also: []string{"QuitGood"}, client: fields.GoodClientQuit},
	{name: "fields.Push", also: []string{"send"}, client: fields.Push, peer: &sink},

	{name: "protocol.GoodPreface", server: protocol.GoodPreface, send: withPreface("data after the preface\n"), eof: true},
	{name: "protocol.GoodPrefaceBytes", server: protocol.GoodPrefaceBytes, send: withPreface("data after the preface\n"), eof: true},
	{name: "protocol.BadAfterPreface", server: protocol.BadAfterPreface, send: withPreface(string(pipelined))},
	{name: "protocol.BadPassword", server: protocol.BadPassword, send: append([]byte("PASS wrong\r\n"), pipelined...)},
	{name: "protocol.GoodEarlyData", server: httpServe(protocol.GoodEarlyData), send: upgradeRequest, eof: true},
	{name: "protocol.BadBufferedAfterAnswer", server: httpServe(protocol.BadBufferedAfterAnswer), send: httpRequestWithBody},

	{name: "hijack.Bad", server: httpServe(hijack.Bad), send: httpRequestWithBody},
	{name: "hijack.Good", server: httpServe(hijack.Good), send: httpRequestWithBody},

	{name: "usegraceful.Good", server: usegraceful.Good},
	{name: "usegraceful.GoodDeferred", server: fromListener(usegraceful.GoodDeferred)},
	{name: "usegraceful.Bad", server: usegraceful.Bad},

	{name: "proxy.BadFirstFinisher", peer: &upstream, client: viaProxy(proxy.BadFirstFinisher)},
	{name: "proxy.GoodBothDirections", peer: &upstream, client: viaProxy(proxy.GoodBothDirections)},
	{name: "proxy.GoodWaitGroup", peer: &upstream, client: viaProxy(proxy.GoodWaitGroup)},
	{name: "proxy.BadHelper", peer: &upstream, client: viaProxyPair(proxy.BadHelper)},
	{name: "proxy.BadCopyAndClose", also: []string{"copyAndClose"}, peer: &upstream, client: viaProxyPair(proxy.BadCopyAndClose)},
	{name: "proxy.GoodCopyHalf", peer: &upstream, client: viaProxyPair(proxy.GoodCopyHalf)},
	{name: "proxy.BadAbort", also: []string{"abortBoth"}, peer: &upstream, client: viaProxyPair(proxy.BadAbort)},
	{name: "proxy.BadLostEOF", peer: &upstream, client: viaProxyPair(proxy.BadLostEOF)},
	{name: "proxy.BadRelay", also: []string{"relay"}, peer: &upstream, client: viaProxyPair(proxy.BadRelay)},
	{name: "proxy.GoodRelayAll", peer: &upstream, client: viaProxyPair(proxy.GoodRelayAll)},
	{name: "proxy.GoodAssertedCloseWrite", also: []string{"copyPassEOF"}, peer: &upstream, client: viaProxyPair(proxy.GoodAssertedCloseWrite)},
	{name: "proxy.GoodTCPAssertedCloseWrite", also: []string{"copyPassTCPEOF"}, peer: &upstream, client: viaProxyPair(proxy.GoodTCPAssertedCloseWrite)},
	{name: "proxy.BadWrongEnd", also: []string{"copyWrongEnd"}, peer: &upstream, client: viaProxyPair(func(c, s net.Conn) {
		proxy.BadWrongEnd(c.(*net.TCPConn), s.(*net.TCPConn))
	})},
	{name: "proxy.GoodDialerValue", peer: &upstream, client: viaProxy(proxy.GoodDialerValue)},
	{name: "proxy.BadDialerValue", peer: &upstream, client: viaProxy(proxy.BadDialerValue)},
	{name: "proxy.GoodLoop", peer: &upstream, client: viaProxyPair(func(c, s net.Conn) {
		proxy.GoodLoop(c.(*net.TCPConn), s.(*net.TCPConn))
	})},

	{name: "realworld.GoodFrameLoop", server: realworld.GoodFrameLoop, send: []byte("\x00\x03abc\x00\x02de"), eof: true},
	{name: "realworld.GoodStrictFrameLoop", server: realworld.GoodStrictFrameLoop, send: []byte("\x00\x00\x00\x00\x00\x00\x00\x03abc"), eof: true},
	{name: "realworld.BadReject", server: fromListener(func(ln net.Listener) { realworld.BadReject(ln) })},
	{name: "realworld.BadTooMany", server: realworld.BadTooMany},
	{name: "realworld.BadConnectRefused", server: httpServe(realworld.BadConnectRefused), send: connectWithTunnelData},
	{name: "realworld.BadFixedHeader", server: fromListener(realworld.BadFixedHeader)},

	// Before and after rstlint -fix.
	{name: "fix.Interface", server: fix.Interface},
	{name: "fixed.Interface", server: fixed.Interface},
	{name: "fix.Deferred", server: asTCP(fix.Deferred), raw: true},
	{name: "fixed.Deferred", server: asTCP(fixed.Deferred), raw: true},
	{name: "fix.HalfClosed", server: asTCP(fix.HalfClosed), raw: true},
	{name: "fixed.HalfClosed", server: asTCP(fixed.HalfClosed), raw: true},
	{name: "fix.Dialed", client: fix.Dialed},
	{name: "fixed.Dialed", client: fixed.Dialed},
}

// notRun lists the exported functions of the rule packages that are not
// run, and why: ownership cases, packet sockets, suppressed or flag cases,
// helpers run only through the patterns that call them. A key "pkg.*"
// covers the whole package. TestComplete checks that every exported
// function is a case or listed here, and that nothing here is stale.
var notRun = map[string]string{
	"escape.*":                     "the conn leaves the function: rstlint is silent by design, whatever the kernel does",
	"packet.*":                     "packet sockets and net.Pipe have no RST",
	"generic.*":                    "generic code: no connection of a known kind",
	"ignore.*":                     "suppression cases",
	"flags.*":                      "flag cases: the same code as other rows, under other flags",
	"flagsoff.*":                   "flag cases: the same code as other rows, under other flags",
	"connutil.*":                   "helpers of another package, run through app.Bad and app.Good",
	"noreturn.Fatal":               "exits the process",
	"seed.BadTCP":                  "needs a *net.TCPListener (seed.Bad runs the same close)",
	"halfclose.BadUnixCloseWrite":  "needs a *net.UnixListener (halfclose.BadUnixHalfClose runs the same close)",
	"halfclose.BadTLSListener":     "needs a TLS listener (halfclose.BadTLSCloseWrite runs the same close)",
	"linger.IgnoredLinger":         "suppressed on purpose: the RST is wanted",
	"app.Kept":                     "the conn is kept elsewhere: silence by design",
	"origins.GoodMuxStream":        "an in-memory stream (net.Pipe) behind a listener-like Accept: no socket, no RST",
	"dialers.GoodUnknownNetwork":   "a network variable nothing proves a stream: silence by design, whatever the kernel does",
	"wrapconn.Wrap":                "a wrapper of another package, run through wrappers.BadCrossPackage and wrappers.GoodCrossPackage",
	"wrappers.NotAWrapper":         "its Close keeps the conn open: the conn escapes into it, silence by design",
	"fields.Dial":                  "a constructor, run through fields.BadClientQuit and fields.GoodClientQuit",
	"fields.Redial":                "a field stored from two functions: ownership is unclear, silence by design",
	"rawfd.Listener":               "a listening socket",
	"rawfd.Datagram":               "a datagram socket",
	"realworld.GoodKeepAliveError": "SetKeepAlive fails only on a broken socket, which a peer cannot arrange",
	"realworld.Relay":              "a datagram socket",
	"tracecases.*":                 "runtime-trace cases: their own tests run them on the kernel with rsttest and record the resets",
	"traceforms.*":                 "runtime-trace cases: their own tests run them on the kernel with rsttest and record the resets",
	"hookcases.*":                  "rstlint-test's proof: their own plain tests run them on the kernel, recorded by the net hook (integration/nethook.sh)",
	"closer.*":                     "a helper of another package, run through traceforms.CrossPackage",
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

// analyze runs rstlint over the cases and returns, for each case name, the
// category of a diagnostic inside its function (or the functions it names
// in also), or "" when there is none.
func analyze(t *testing.T) map[string]string {
	t.Helper()
	pkgs := mustLoadCases(t)
	graph, err := checker.Analyze([]*analysis.Analyzer{analyzer.Analyzer}, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	// diagnosed["pkg.Func"] is the category of a diagnostic inside Func.
	diagnosed := make(map[string]string)
	for act := range graph.All() {
		if !act.IsRoot || act.Analyzer != analyzer.Analyzer {
			continue
		}
		for _, d := range act.Diagnostics {
			if fn := enclosingFunc(act.Package, d.Pos); fn != "" {
				diagnosed[act.Package.Types.Name()+"."+fn] = d.Category
			}
		}
	}
	analyzed := make(map[string]bool)
	for _, p := range pkgs {
		analyzed[p.Types.Name()] = true
	}
	verdicts := make(map[string]string)
	for _, c := range cases {
		pkg := c.name[:strings.IndexByte(c.name, '.')]
		if !analyzed[pkg] {
			// Not loaded (the test binary runs outside testdata/proof?): a
			// verdict of "clean" would be a guess.
			t.Fatalf("package %s of case %s was not analyzed", pkg, c.name)
		}
		verdicts[c.name] = diagnosed[c.name]
		for _, fn := range c.also {
			verdicts[c.name] = cmp.Or(verdicts[c.name], diagnosed[pkg+"."+fn])
		}
	}
	return verdicts
}

// TestComplete checks that the proof table covers the rule packages: every
// exported function is a case or in notRun with its reason, no case is
// also in notRun, and neither names a function that does not exist.
func TestComplete(t *testing.T) {
	exported := make(map[string]bool) // "pkg.Func"
	for _, p := range mustLoadCases(t) {
		if p.Types.Name() == "proof" {
			continue
		}
		for _, f := range p.Syntax {
			for _, decl := range f.Decls {
				if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
					exported[p.Types.Name()+"."+fd.Name.Name] = true
				}
			}
		}
	}
	covered := func(name string) (key string, ok bool) {
		if _, ok := notRun[name]; ok {
			return name, true
		}
		key = name[:strings.IndexByte(name, '.')] + ".*"
		_, ok = notRun[key]
		return key, ok
	}
	isCase := make(map[string]bool)
	for _, c := range cases {
		if isCase[c.name] {
			t.Errorf("case %s is in the table twice", c.name)
		}
		isCase[c.name] = true
		if !exported[c.name] {
			t.Errorf("case %s names no exported function of the rule packages", c.name)
		}
		if key, ok := covered(c.name); ok && key == c.name {
			t.Errorf("%s is both a case and in notRun (%q)", c.name, notRun[key])
		}
	}
	used := make(map[string]bool)
	for _, name := range slices.Sorted(maps.Keys(exported)) {
		if isCase[name] {
			continue
		}
		key, ok := covered(name)
		if !ok {
			t.Errorf("%s is neither a proof case nor in notRun: run it on the kernel, or say why not", name)
		}
		used[key] = true
	}
	for key := range notRun {
		if !used[key] {
			t.Errorf("notRun entry %s covers no exported function that is not a case: remove it", key)
		}
	}
}

// enclosingFunc names the top-level function declaration holding pos.
func enclosingFunc(pkg *packages.Package, pos token.Pos) string {
	for _, f := range pkg.Syntax {
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Pos() <= pos && pos < fd.End() {
				return fd.Name.Name
			}
		}
	}
	return ""
}
