// Package analyzer defines rstlint, an analyzer that finds the code paths
// on which a program closes a stream connection in a way that makes Linux
// answer with RST instead of FIN.
//
// # Analyzer rstlint
//
// rstlint: report closes of stream connections that make Linux send RST
//
// When a TCP socket is closed while bytes the peer sent are still unread
// in the kernel's receive queue, Linux does not send FIN: it sends RST
// (tcp_close: data_was_unread) and discards whatever it had not yet sent.
// The peer's next read or write fails with "connection reset by peer", and
// the end of our response can be lost. Unix stream sockets behave alike.
//
// rstlint follows each connection (from net.Listener.Accept, net.Dial and
// friends, http.Hijacker.Hijack, raw SOCK_STREAM descriptors from
// syscall/x/sys/unix Socket and Accept, and connection parameters of the
// functions that own them) along every path to its Close, including
// deferred Closes and Closes in goroutines and helper functions, and
// reports:
//
//   - unread-close: Close with peer input possibly unread after we wrote
//     something: the connection was neither read to EOF nor half-closed
//     on this path, and what we wrote can be lost. For a connection we
//     dialed, this means we wrote a request and closed without reading
//     the reply (only when the program reads that connection somewhere:
//     one it never reads is one-way, and owes no reply).
//   - reject-unread: the same, but nothing was written on this path (a
//     client rejected right after Accept): the peer sees a reset instead
//     of EOF, and nothing of ours is lost. Turn off with -reject=false.
//   - halfclose-undrained: Close after CloseWrite (or shutdown(SHUT_WR))
//     without reading to EOF. The FIN goes first, but queued input still
//     makes Close send RST and drop unsent data. Turn off with -halfclose=false.
//   - proxy-early-close: a function starts goroutines that read
//     connections to EOF (a proxy's two io.Copy directions), waits for
//     fewer of them than it started, and closes a connection an unfinished
//     direction still reads. Turn off with -proxy=false.
//   - proxy-eof-lost: a proxy direction copies into a connection and ends
//     without CloseWrite: the far peer never sees the end of the input,
//     and the other direction waits until a timeout or a reset. Turn off
//     with -eoflost=false.
//   - linger-zero: Close after SetLinger(0) (or SO_LINGER with l_onoff=1,
//     l_linger=0): the RST is certain. Sometimes deliberate; suppress with
//     a directive. Turn off with -linger=false.
//
// Paths on which a read or write of the connection failed, paths ending in
// panic or os.Exit, packet sockets (UDP, IP, unixgram, net.Pipe), and
// connections that leave the function (returned, stored, sent on a
// channel, given to a function we cannot see) are not reported.
//
// Each diagnostic names its category, whose page explains it (the
// diagnostic's URL; the rstlint command prints it with -explain CATEGORY).
// The fix is the graceful close, which -fix writes in place of a plain
// Close statement:
//
//	_ = tc.CloseWrite()                                  // FIN after our data
//	_ = tc.SetReadDeadline(time.Now().Add(time.Second))
//	_, _ = io.Copy(io.Discard, io.LimitReader(tc, 1<<20)) // read to EOF, bounded
//	_ = tc.Close()
//
// A diagnostic is suppressed by a comment on its line or the line above:
//
//	//rstlint:ignore <reason>
//
// A directive without a reason is itself reported.
//
// With -tracefile=path (the rstlint command spells it -trace), the trace
// of the Closes that reset while tests ran (package rsttest, recorded with
// RSTTEST_TRACE=path go test ./...), each diagnostic whose Close reset is
// marked "confirmed: reset seen in TestX (N bytes unread)", and each reset
// no diagnostic predicted is reported:
//
//   - runtime-only: a Close reset at runtime on a path rstlint did not
//     predict, reported at the Close (or at the call of the helper that
//     closes). Fix it, suppress it with a reason, or send us the shape.
package analyzer
