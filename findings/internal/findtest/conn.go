package findtest

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rstlint/rstlint/rsttest"
)

// RecvBuf is the SO_RCVBUF DialSlow asks for (the kernel doubles it): small,
// so that little of what the server writes fits in the client's socket
// while its reads are held.
const RecvBuf = 4096

// SlowConn is a client conn whose reads are held until Release, with a small
// receive buffer: what the server writes beyond it stays in the server's
// send queue. It records what the client sent and received and how its
// reads ended, for rsttest's evidence rules.
type SlowConn struct {
	net.Conn // only net.Conn's methods: io.Copy must not bypass Read through WriteTo
	tcp      *net.TCPConn

	release     chan struct{}
	releaseOnce sync.Once

	sent, received atomic.Int64

	mu      sync.Mutex
	readErr error // the first error a read returned
}

// DialSlow dials addr over tcp with a small receive buffer. Its reads block
// until Release (at most Wait). The conn is closed when t ends.
func DialSlow(t testing.TB, addr string) *SlowConn {
	t.Helper()
	d := net.Dialer{
		Timeout: Wait,
		// Before connect, so that the window it advertises is small from the start.
		Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, RecvBuf)
			})
			return errors.Join(err, serr)
		},
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	sc := &SlowConn{Conn: c, tcp: c.(*net.TCPConn), release: make(chan struct{})}
	t.Cleanup(func() { sc.Release(); c.Close() })
	return sc
}

// Release lets reads proceed.
func (c *SlowConn) Release() { c.releaseOnce.Do(func() { close(c.release) }) }

// Read waits for Release, then reads.
func (c *SlowConn) Read(p []byte) (int, error) {
	select {
	case <-c.release:
	default:
		timer := time.NewTimer(Wait)
		select {
		case <-c.release:
			timer.Stop()
		case <-timer.C:
			return 0, errors.New("findtest: reads held and never released")
		}
	}
	n, err := c.Conn.Read(p)
	c.received.Add(int64(n))
	if err != nil {
		c.mu.Lock()
		if c.readErr == nil {
			c.readErr = err
		}
		c.mu.Unlock()
	}
	return n, err
}

// Write writes and counts.
func (c *SlowConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.sent.Add(int64(n))
	return n, err
}

// CloseWrite half-closes the client's side.
func (c *SlowConn) CloseWrite() error { return c.tcp.CloseWrite() }

// Received returns the bytes the client's reads returned.
func (c *SlowConn) Received() int64 { return c.received.Load() }

// Peer returns what the client saw, as rsttest's evidence rules read it:
// its first read error, nil when its reads ended at EOF.
func (c *SlowConn) Peer() rsttest.PeerResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.readErr
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return rsttest.PeerResult{Sent: int(c.sent.Load()), Received: int(c.received.Load()), ReadErr: err}
}

// Listener listens on 127.0.0.1, watched by a rsttest.Watcher (which records
// each Close that resets, with its stack), and hands each accepted conn to
// the test as a ServerConn as well.
type Listener struct {
	net.Listener
	W     *rsttest.Watcher
	conns chan *ServerConn
}

// Listen starts a Listener, closed when t ends.
func Listen(t testing.TB) *Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	w := new(rsttest.Watcher)
	l := &Listener{Listener: w.Listener(ln), W: w, conns: make(chan *ServerConn, 256)}
	t.Cleanup(func() { l.Close() })
	return l
}

// Accept accepts a conn and wraps it.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	sc := &ServerConn{Conn: c, stopped: make(chan struct{}), closed: make(chan struct{})}
	select {
	case l.conns <- sc:
	default:
		c.Close()
		return nil, errors.New("findtest: too many conns not taken by Next")
	}
	return sc, nil
}

// Next returns the next conn accepted, in order.
func (l *Listener) Next(t testing.TB) *ServerConn {
	t.Helper()
	timer := time.NewTimer(Wait)
	defer timer.Stop()
	select {
	case c := <-l.conns:
		return c
	case <-timer.C:
		t.Fatalf("no conn accepted within %v", Wait)
		return nil
	}
}

// ServerConn is an accepted conn as the code under test sees it: it
// counts what that code wrote, and says when it stopped writing (its
// CloseWrite or Close returned) and when it closed.
type ServerConn struct {
	net.Conn
	written   atomic.Int64
	stopped   chan struct{}
	closed    chan struct{}
	stopOnce  sync.Once
	closeOnce sync.Once

	mu      sync.Mutex
	watches []watch
}

type watch struct {
	match func([]byte) bool
	ch    chan struct{}
}

// Write writes and counts, and signals the watches whose write it is.
func (c *ServerConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.written.Add(int64(n))
	if err == nil {
		c.mu.Lock()
		kept := c.watches[:0]
		for _, w := range c.watches {
			if w.match(b) {
				close(w.ch)
			} else {
				kept = append(kept, w)
			}
		}
		c.watches = kept
		c.mu.Unlock()
	}
	return n, err
}

// CloseWrite half-closes the conn, for a fix that half-closes first.
func (c *ServerConn) CloseWrite() error {
	cw, ok := c.Conn.(interface{ CloseWrite() error })
	if !ok {
		return errors.New("findtest: the conn cannot half-close")
	}
	err := cw.CloseWrite()
	if err == nil {
		c.stop()
	}
	return err
}

// Close closes the conn.
func (c *ServerConn) Close() error {
	err := c.Conn.Close()
	c.stop()
	c.closeOnce.Do(func() { close(c.closed) })
	return err
}

func (c *ServerConn) stop() { c.stopOnce.Do(func() { close(c.stopped) }) }

// Written returns the bytes the code under test wrote.
func (c *ServerConn) Written() int64 { return c.written.Load() }

// WaitStopped waits until the code under test has half-closed or closed
// the conn: it will write nothing more.
func (c *ServerConn) WaitStopped(t testing.TB) {
	t.Helper()
	waitFor(t, c.stopped, "the server's CloseWrite or Close")
}

// WaitClosed waits until the code under test has closed the conn.
func (c *ServerConn) WaitClosed(t testing.TB) {
	t.Helper()
	waitFor(t, c.closed, "the server's Close")
}

// Watch returns a channel closed once the code under test has written, in
// one Write, bytes that match.
func (c *ServerConn) Watch(match func([]byte) bool) <-chan struct{} {
	ch := make(chan struct{})
	c.mu.Lock()
	c.watches = append(c.watches, watch{match, ch})
	c.mu.Unlock()
	return ch
}

// WaitFor waits for a channel from Watch.
func WaitFor(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	waitFor(t, ch, what)
}

// Sent returns the bytes the client wrote.
func (c *SlowConn) Sent() int64 { return c.sent.Load() }

// WaitSent waits until the client has written at least n bytes in all, and
// the server's kernel has acknowledged every one (the client's send queue,
// SIOCOUTQ, is empty) or has reset the connection (the client's socket is
// in state CLOSE): either way the server has received what the client
// sent. It returns too once the client's own code has closed the conn
// (after a write that failed). It polls, at most every millisecond, for at
// most Wait.
func (c *SlowConn) WaitSent(t testing.TB, n int64) {
	t.Helper()
	rc, err := c.tcp.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(Wait)
	for {
		var outq int
		var state uint8
		var serr error
		err := rc.Control(func(fd uintptr) { outq, state, serr = sendQueue(fd) })
		if errors.Is(err, net.ErrClosed) {
			// The client's own code has closed it, after a write failed:
			// the server had reset the connection.
			return
		}
		if err = errors.Join(err, serr); err != nil {
			t.Fatalf("reading the client's socket: %v", err)
		}
		sent := c.sent.Load()
		if sent >= n && (outq == 0 || state == tcpClose) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the client wrote %d of %d bytes; %d of them neither acknowledged nor reset within %v", sent, n, outq, Wait)
		}
		time.Sleep(time.Millisecond)
	}
}
