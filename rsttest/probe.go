package rsttest

import (
	"fmt"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// errUnsupported is what the probes return where they are not implemented.
var errUnsupported = fmt.Errorf("rsttest: SIOCINQ, SO_LINGER and TCP_INFO probes need Linux; this is %s", runtime.GOOS)

// closeMeasure is what a conn's socket looked like just before its Close.
type closeMeasure struct {
	err        error // the socket could not be probed (already closed, not Linux)
	unread     int   // bytes in the receive queue (SIOCINQ)
	lingerZero bool  // SO_LINGER on with 0 s (tcp only: linger means nothing to unix sockets)
}

// resets reports whether this close makes Linux send RST (tcp) or set
// ECONNRESET on the peer (unix).
func (m closeMeasure) resets() bool { return m.err == nil && (m.unread > 0 || m.lingerZero) }

// measure probes c just before it is closed.
func measure(c syscall.Conn, network string) closeMeasure {
	var m closeMeasure
	m.err = control(c, func(fd uintptr) error {
		n, err := inqFD(fd)
		if err != nil {
			return err
		}
		m.unread = n
		if network == "tcp" {
			m.lingerZero, err = lingerZeroFD(fd)
		}
		return err
	})
	return m
}

// control runs f on c's file descriptor. It fails when c is already closed.
func control(c syscall.Conn, f func(fd uintptr) error) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(fd) }); err != nil {
		return err
	}
	return ferr
}

// isClosed reports whether c has been closed (its descriptor is gone).
func isClosed(c syscall.Conn) bool {
	return control(c, func(uintptr) error { return nil }) != nil
}

// inq returns the bytes queued unread on c, or -1 when it cannot tell.
func inq(c syscall.Conn) int {
	n := -1
	if err := control(c, func(fd uintptr) error {
		v, err := inqFD(fd)
		if err == nil {
			n = v
		}
		return err
	}); err != nil {
		return -1
	}
	return n
}

// tcpState returns the TCP state of c, or "" when it cannot tell.
func tcpState(c syscall.Conn) string {
	var s string
	_ = control(c, func(fd uintptr) (err error) {
		s, err = tcpStateFD(fd)
		return err
	})
	return s
}

// waitQueued polls SIOCINQ on c until at least want bytes are queued or until
// the deadline, and returns the last count (-1: cannot tell). Polling is the
// only way to know: the peer's write returning does not promise that
// loopback's softirq has already queued the bytes at this end. The retry is
// bounded in count and time, with a backoff from 50µs to 5ms.
func waitQueued(c syscall.Conn, want int, deadline time.Time) int {
	wait := 50 * time.Microsecond
	n := inq(c)
	for i := 0; i < 1000 && n >= 0 && n < want && time.Now().Before(deadline); i++ {
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Millisecond)
		n = inq(c)
	}
	return n
}

// soError returns c's pending socket error (nil: none or cannot tell).
func soError(c syscall.Conn) error {
	var soErr error
	_ = control(c, func(fd uintptr) (err error) {
		soErr, err = soErrorFD(fd)
		return err
	})
	return soErr
}

// WaitDelivered waits until the peer's kernel has acknowledged every byte
// written to c (its send queue, ioctl SIOCOUTQ, is empty): the bytes are
// then in the peer's receive queue, and a Close there that does not read
// them resets. It is how a test makes sure a request is queued before the
// server under test closes, without sleeping. It polls, at most 1000 times
// within timeout, and says why it could not tell (not Linux, not a
// socket, the timeout). On a unix stream socket a Write puts the bytes in
// the peer's receive queue itself: it returns at once.
func WaitDelivered(c net.Conn, timeout time.Duration) error {
	if _, ok := c.LocalAddr().(*net.UnixAddr); ok {
		return nil
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return fmt.Errorf("rsttest: WaitDelivered: a %T has no socket to ask", c)
	}
	deadline := time.Now().Add(timeout)
	wait := 50 * time.Microsecond
	for i := 0; ; i++ {
		var n int
		if err := control(sc, func(fd uintptr) (err error) { n, err = outqFD(fd); return err }); err != nil {
			return fmt.Errorf("rsttest: WaitDelivered: SIOCOUTQ: %w", err)
		}
		if n == 0 {
			return nil
		}
		if i == 1000 || time.Now().After(deadline) {
			return fmt.Errorf("rsttest: WaitDelivered: %d bytes still unacknowledged after %v", n, timeout)
		}
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Millisecond)
	}
}

// SendPending dials ln, sends request, and returns the client's conn once
// the request sits in the server's receive queue (WaitDelivered): the
// server under test then accepts a conn with input pending, the state in
// which a Close that does not read it resets. The conn is closed when t
// ends. Where that cannot be told (not Linux), t is skipped with the
// reason.
func SendPending(t testing.TB, ln net.Listener, request []byte) net.Conn {
	t.Helper()
	client, err := net.Dial(ln.Addr().Network(), ln.Addr().String())
	if err != nil {
		t.Fatalf("rsttest: SendPending: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	if _, err := client.Write(request); err != nil {
		t.Fatalf("rsttest: SendPending: writing the request: %v", err)
	}
	if err := WaitDelivered(client, 2*time.Second); err != nil {
		t.Skipf("cannot tell that the request reached the server before it closes: %v", err)
	}
	return client
}
