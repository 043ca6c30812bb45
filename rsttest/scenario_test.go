package rsttest_test

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/rstlint/rstlint/rsttest"
)

// pipelined is what the peers send: a request and, before any answer, the
// next request, as a pipelining client does.
var pipelined = []byte("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n")

// drainTimeout bounds the graceful handlers' drain. The peer keeps its write
// side open until the scenario ends, so the drain ends at this deadline.
const drainTimeout = 100 * time.Millisecond

// acceptClose is the seed's bug: close without reading the request.
func acceptClose(c net.Conn) { c.Close() }

// graceful answers, then closes gracefully: half-close,
// drain with a deadline and a limit, close.
func graceful(c net.Conn) {
	c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
	c.(interface{ CloseWrite() error }).CloseWrite()
	c.SetReadDeadline(time.Now().Add(drainTimeout))
	io.Copy(io.Discard, io.LimitReader(c, 1<<20))
	c.Close()
}

// gracefulTCP is graceful written against the concrete type, as much real
// code is: it needs ServerScenario.Raw.
func gracefulTCP(c net.Conn) {
	tc := c.(*net.TCPConn)
	tc.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
	tc.CloseWrite()
	tc.SetReadDeadline(time.Now().Add(drainTimeout))
	io.Copy(io.Discard, io.LimitReader(tc, 1<<20))
	tc.Close()
}

// lingerZero reads the whole request, then closes with SO_LINGER 0.
func lingerZero(c net.Conn) {
	io.ReadFull(c, make([]byte, len("PING\n")))
	c.(interface{ SetLinger(int) error }).SetLinger(0)
	c.Close()
}

// closeWriteClose half-closes after answering but closes without draining.
func closeWriteClose(c net.Conn) {
	c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
	c.(interface{ CloseWrite() error }).CloseWrite()
	c.Close()
}

// pingClient returns a client that dials, sends "PING\n", then reads what
// read reads (nothing when read is nil) and closes.
func pingClient(read func(net.Conn) error) func(addr string) error {
	return func(addr string) error {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := c.Write([]byte("PING\n")); err != nil || read == nil {
			return err
		}
		return read(c)
	}
}

// readN reads exactly n bytes of the answer.
func readN(n int) func(net.Conn) error {
	return func(c net.Conn) error {
		_, err := io.ReadFull(c, make([]byte, n))
		return err
	}
}

var (
	// headerOnly reads the 4-byte header of the answer and closes with the
	// rest of it unread.
	headerOnly = pingClient(readN(4))
	// readToEOF reads the answer to its EOF before closing.
	readToEOF = pingClient(func(c net.Conn) error {
		c.SetReadDeadline(time.Now().Add(time.Second))
		_, err := io.Copy(io.Discard, c)
		return err
	})
	// writeClose sends a request and hangs up without reading the answer.
	writeClose = pingClient(nil)
	// writeReadClose reads the (echoed) answer before hanging up.
	writeReadClose = pingClient(readN(len("PING\n")))
)

// scenarioCase is one proof: code under test, the peer it meets, the verdict.
type scenarioCase struct {
	name    string
	srv     rsttest.ServerScenario
	handler func(net.Conn) // RunServer when set
	cli     rsttest.ClientScenario
	client  func(addr string) error // RunClient otherwise
	want    rsttest.Verdict
	unread  int // the Close's SIOCINQ when measured, -1 to skip the check
	// inFlight: segments already sent when the first RST left each meet
	// one of their own, so an RST verdict counts one or more.
	inFlight bool
}

// network is the case's network, whichever the runner.
func (tc scenarioCase) network() string {
	if tc.handler != nil {
		return tc.srv.Network
	}
	return tc.cli.Network
}

var proofs = []scenarioCase{
	{name: "accept-close", srv: rsttest.ServerScenario{Peer: rsttest.ClientPeer{Send: pipelined}},
		handler: acceptClose, want: rsttest.RST, unread: len(pipelined)},
	{name: "graceful", srv: rsttest.ServerScenario{Peer: rsttest.ClientPeer{Send: pipelined}},
		handler: graceful, want: rsttest.FIN, unread: 0},
	{name: "graceful-raw", srv: rsttest.ServerScenario{Peer: rsttest.ClientPeer{Send: pipelined}, Raw: true},
		handler: gracefulTCP, want: rsttest.FIN, unread: -1},
	{name: "accept-close-raw", srv: rsttest.ServerScenario{Peer: rsttest.ClientPeer{Send: pipelined}, Raw: true},
		handler: acceptClose, want: rsttest.RST, unread: -1},
	{name: "linger-zero", srv: rsttest.ServerScenario{Peer: rsttest.ClientPeer{Send: []byte("PING\n")}},
		handler: lingerZero, want: rsttest.RST, unread: 0},
	{name: "closewrite-close", srv: rsttest.ServerScenario{Peer: rsttest.ClientPeer{Send: pipelined}},
		handler: closeWriteClose, want: rsttest.RST, unread: len(pipelined)},
	{name: "half-closed-peer", srv: rsttest.ServerScenario{Peer: rsttest.ClientPeer{Send: pipelined, HalfClose: true}},
		handler: graceful, want: rsttest.FIN, unread: 0},
	{name: "unix-accept-close", srv: rsttest.ServerScenario{Network: "unix", Peer: rsttest.ClientPeer{Send: pipelined}},
		handler: acceptClose, want: rsttest.RST, unread: len(pipelined)},
	{name: "unix-graceful", srv: rsttest.ServerScenario{Network: "unix", Peer: rsttest.ClientPeer{Send: pipelined}},
		handler: graceful, want: rsttest.FIN, unread: 0},
	{name: "unix-closewrite-close", srv: rsttest.ServerScenario{Network: "unix", Peer: rsttest.ClientPeer{Send: pipelined}},
		handler: closeWriteClose, want: rsttest.RST, unread: len(pipelined)},
	{name: "client-header-only", cli: rsttest.ClientScenario{Peer: rsttest.ServerPeer{Await: 5, Send: []byte("PONG and a body the client never reads\n")}},
		client: headerOnly, want: rsttest.RST, unread: -1},
	{name: "client-read-to-eof", cli: rsttest.ClientScenario{Peer: rsttest.ServerPeer{Await: 5, Send: []byte("PONG\n"), HalfClose: true}},
		client: readToEOF, want: rsttest.FIN, unread: -1},
	{name: "client-echo-unread", cli: rsttest.ClientScenario{Peer: rsttest.ServerPeer{Echo: true}},
		client: writeClose, want: rsttest.RST, unread: -1},
	{name: "client-echo-read", cli: rsttest.ClientScenario{Peer: rsttest.ServerPeer{Echo: true}},
		client: writeReadClose, want: rsttest.FIN, unread: -1},
	// A feed never ends by itself: a client that reads part of it and
	// closes resets, however the goroutines were scheduled.
	{name: "client-stream-cut", cli: rsttest.ClientScenario{Peer: rsttest.ServerPeer{Stream: true, Send: []byte("tick\n")}},
		client: pingClient(readN(64 << 10)), want: rsttest.RST, unread: -1, inFlight: true},
}

// TestProof runs each case in its own private network namespace where one
// can be made, where kernel counters decide, and in place otherwise.
func TestProof(t *testing.T) {
	for _, tc := range proofs {
		t.Run(tc.name, func(t *testing.T) {
			if !rsttest.EnterNetns(t) {
				return
			}
			checkLeaks(t)
			res := runProof(t, tc)
			if !res.Netns {
				t.Logf("not in a private network namespace: the evidence is weaker")
			}
			res.Expect(t, tc.want)
		})
	}
}

// TestProofInPlace runs the same cases without a namespace, as where none can
// be made: RST must still be proved by the peer, and FIN only inferred or
// left Unknown (then the case skips, saying why).
func TestProofInPlace(t *testing.T) {
	t.Setenv("RSTTEST_NETNS", "off")
	for _, tc := range proofs {
		t.Run(tc.name, func(t *testing.T) {
			if !rsttest.EnterNetns(t) {
				t.Fatal("EnterNetns re-executed the test despite RSTTEST_NETNS=off")
			}
			checkLeaks(t)
			res := runProof(t, tc)
			if res.Netns || res.Counters != nil {
				t.Errorf("in place: Netns %v, Counters %v", res.Netns, res.Counters)
			}
			if res.Verdict == rsttest.FIN && tc.network() != "unix" && !res.Inferred {
				t.Errorf("FIN without counters must be marked inferred: %v", res)
			}
			res.Expect(t, tc.want)
		})
	}
}

// runProof runs tc and checks what does not depend on the namespace.
func runProof(t *testing.T, tc scenarioCase) rsttest.Result {
	t.Helper()
	var res rsttest.Result
	if tc.handler != nil {
		res = rsttest.RunServer(t, tc.srv, tc.handler)
	} else {
		res = rsttest.RunClient(t, tc.cli, tc.client)
		if res.ClientErr != nil && !errors.Is(res.ClientErr, io.EOF) {
			t.Errorf("client: %v", res.ClientErr)
		}
	}
	if tc.unread >= 0 && res.Unread >= 0 && res.Unread != tc.unread {
		t.Errorf("Unread = %d, want %d (%v)", res.Unread, tc.unread, res)
	}
	if res.Verdict == rsttest.RST && res.Netns && res.Network == "tcp" {
		want := "exactly one RST"
		if tc.inFlight {
			want = "at least one RST"
		}
		if n := res.Counters.Resets(); n == 0 || (n > 1 && !tc.inFlight) {
			t.Errorf("counters %v, want %s", res.Counters, want)
		}
	}
	return res
}
