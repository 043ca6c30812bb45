// Package rsttest observes, on loopback, whether closing a connection makes
// the kernel send RST instead of FIN, so that a test can prove what rstlint
// warns about, and so that users' tests can catch resetting closes.
//
// Linux sends RST from close(2) when input is still unread in the socket's
// receive queue, or when SO_LINGER is on with 0 seconds; the peer then loses
// data it was sent and sees "connection reset by peer". For a unix stream
// socket the same close makes the peer's read fail with ECONNRESET.
//
// # Proving a warning
//
// Suppose rstlint reports, for a server's handle(c net.Conn):
//
//	srv.go:31:2: conn c is closed with input read in part: RST may destroy our reply (unread-close)
//
// A table-driven test confirms it, and the fix, on the real kernel:
//
//	func TestHandleClose(t *testing.T) {
//		// A request, and the next ones pipelined: more than the handler's
//		// bufio.Reader takes in one read (see "What stays queued" below).
//		peer := rsttest.ClientPeer{Send: bytes.Repeat([]byte("PING\r\n"), 2048)}
//		for _, tc := range []struct {
//			name    string
//			handler func(net.Conn)
//			want    rsttest.Verdict
//		}{
//			{"warned", handle, rsttest.RST},
//			{"fixed", handleGraceful, rsttest.FIN},
//		} {
//			t.Run(tc.name, func(t *testing.T) {
//				if !rsttest.EnterNetns(t) {
//					return // ran in a private network namespace; its outcome is reported here
//				}
//				res := rsttest.RunServer(t, rsttest.ServerScenario{Peer: peer}, tc.handler)
//				res.Expect(t, tc.want) // logs "kernel=RST evidence=...", skips when Unknown
//			})
//		}
//	}
//
// RunClient does the same for a client func(addr string) error against a
// scripted server peer (ServerPeer): one that greets, echoes, answers at
// the client's EOF, or streams a feed until the client's Close cuts it (a
// Close that races its own goroutines meets the feed's bytes every time).
//
// # What stays queued
//
// Only bytes left in the kernel's receive queue at Close make it send RST.
// A handler that reads through a bufio.Reader, a bufio.Scanner or a
// decoder pulls up to its buffer (4096 bytes for bufio's default) into
// user space with its first read, whatever it then parses: a peer that
// pipelines less than that leaves nothing queued, the close sends FIN,
// and the scenario says FIN for code that resets on a real client that
// sends more. So send more than the reader's buffer (as above), or make
// sure the bytes arrive after the handler's last read: SendPending writes
// a request that is still queued when the server closes, and
// WaitDelivered waits until the kernel has delivered it.
//
// # Evidence
//
// A Result's verdict rests on what the kernel did, strongest first:
//
//   - In a private network namespace (EnterNetns), the deltas of Tcp OutRsts
//     and the TcpExt TCPAbortOnClose/OnData/OnLinger counters belong to the
//     scenario alone: OutRsts+1 proves RST, OutRsts+0 proves FIN.
//   - ECONNRESET or EPIPE at the peer, the peer's TCP socket in state CLOSE,
//     or its pending SO_ERROR prove RST. Their absence does not prove FIN: an
//     RST that follows a FIN is invisible to the peer's reads.
//   - Outside a namespace, FIN is inferred from the close itself: 0 bytes
//     unread (ioctl SIOCINQ) and no SO_LINGER 0 at Close, and EOF at the peer.
//     Result.Inferred says so.
//   - Otherwise the verdict is Unknown, and Evidence says why.
//
// # Watching a user's test
//
// A Watcher wraps listeners and conns, measures each Close, and fails the test
// for each one that resets the connection, with its stack:
//
//	var w rsttest.Watcher
//	t.Cleanup(func() { w.Verify(t) }) // runs after the server's cleanup below
//	srv := httptest.NewUnstartedServer(handler)
//	srv.Listener = w.Listener(srv.Listener)
//	srv.Start()
//	t.Cleanup(srv.Close)
//
// A wrapper cannot be asserted to *net.TCPConn. Code that does needs no
// wrapping: CountResets counts the test's RSTs in its private network
// namespace instead, without stacks.
//
// Clients are watched through their dial function (Watcher.Dial,
// Watcher.DialContext), and NewServer starts an httptest.Server whose
// server and client conns are both watched. WaitDelivered lets a test make
// sure its request sits in the server's receive queue before the server
// closes, without sleeping.
//
// # Recording for rstlint
//
// With RSTTEST_TRACE=path in the environment, Watcher.Verify and
// Watcher.Record append each resetting Close to path, one JSON line each
// (its call stack, the conn's origin, the unread bytes, the test's name),
// safely from parallel tests and test binaries; ResetCounter.Verify
// appends the test's count. "rstlint -trace=path ./..." then marks each
// diagnostic whose Close reset as confirmed, and reports the resets it did
// not predict (runtime-only):
//
//	RSTTEST_TRACE=$PWD/rst.trace go test ./...
//	rstlint -trace=$PWD/rst.trace ./...
//
// # Other systems
//
// The probes (SIOCINQ, SO_LINGER, TCP_INFO, /proc/net counters, namespaces) are
// Linux's. Elsewhere the package builds and runs scenarios, a peer's
// ECONNRESET still proves RST, and everything else is Unknown with the reason.
package rsttest
