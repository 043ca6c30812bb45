//go:build linux

package rsttest_test

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/rstlint/rstlint/rsttest"
)

// serveSeed is the seed's server: it accepts and closes without reading.
func serveSeed(ln net.Listener) {
	for {
		c, err := ln.Accept() // seed: accept
		if err != nil {
			return
		}
		c.Write([]byte("hello\n"))
		c.Close() // seed: close
	}
}

// serveGraceful answers, then half-closes, drains with a deadline, and closes.
func serveGraceful(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write([]byte("hello\n"))
		c.(interface{ CloseWrite() error }).CloseWrite()
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, io.LimitReader(c, 1<<20))
		c.Close()
	}
}

// userTest is a test as a user writes it around a Watcher: start the server
// on a watched listener, send a request, read the answer, shut down, verify.
// The request is sent, and waited for until the server's kernel acknowledged
// it, before the server accepts: the seed's server reads nothing, so only
// then is the request sure to be queued at its Close.
func userTest(t *testing.T, tb testing.TB, serve func(net.Listener)) (readErr error) {
	var w rsttest.Watcher
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	waitAcked(t, c)

	done := make(chan struct{})
	go func() { defer close(done); serve(w.Listener(ln)) }()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, readErr = io.ReadAll(c)
	c.Close()
	ln.Close()
	<-done
	w.Verify(tb)
	return readErr
}

// TestWatcherSeedBug: the Watcher fails the test once, with the Close's stack.
func TestWatcherSeedBug(t *testing.T) {
	checkLeaks(t)
	ft := &fakeTB{name: t.Name()}
	readErr := userTest(t, ft, serveSeed)
	if !errors.Is(readErr, syscall.ECONNRESET) {
		t.Errorf("client read: %v, want ECONNRESET", readErr)
	}
	if len(ft.errors) != 1 {
		t.Fatalf("Verify reported %d errors, want 1:\n%v", len(ft.errors), ft)
	}
	msg := ft.errors[0]
	for _, want := range []string{"18 bytes unread (SIOCINQ)", "Linux sends RST", "rsttest_test.serveSeed", "watcher_test.go:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Verify's message lacks %q:\n%s", want, msg)
		}
	}
	t.Logf("what the user sees:\n%s", msg)
}

// TestWatcherGraceful: the Watcher stays silent for the graceful server.
func TestWatcherGraceful(t *testing.T) {
	checkLeaks(t)
	ft := &fakeTB{name: t.Name()}
	if readErr := userTest(t, ft, serveGraceful); readErr != nil {
		t.Errorf("client read: %v, want EOF", readErr)
	}
	if len(ft.errors) != 0 || len(ft.logs) != 0 {
		t.Errorf("Verify reported something for a graceful server:\n%v", ft)
	}
}

// TestWatcherConnLingerAndClient watches client-side conns: a client that
// reads a header and closes with the rest unread, and one with SO_LINGER 0.
func TestWatcherConnLingerAndClient(t *testing.T) {
	checkLeaks(t)
	ln, done := answerHundred(t, 2)
	var w rsttest.Watcher
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return w.Conn(c)
	}
	c := dial()
	io.ReadFull(c, make([]byte, 4)) // the 100 bytes came in one segment: 96 stay queued
	c.Close()
	c = dial()
	io.ReadFull(c, make([]byte, 100))
	c.(interface{ SetLinger(int) error }).SetLinger(0)
	c.Close()
	<-done

	rs := w.Resets()
	if len(rs) != 2 || rs[0].Unread != 96 || rs[0].LingerZero || rs[1].Unread != 0 || !rs[1].LingerZero {
		t.Fatalf("Resets() = %+v, want 96 unread, then SO_LINGER 0", rs)
	}
	if !strings.Contains(rs[1].Stack, "TestWatcherConnLingerAndClient") || strings.Contains(rs[1].Stack, "rsttest.(*") {
		t.Errorf("stack should start in the test, without rsttest's frames:\n%s", rs[1].Stack)
	}
	if !strings.Contains(rs[1].String(), "SO_LINGER 0") {
		t.Errorf("String() = %q", rs[1].String())
	}
}

// answerHundred listens and serves n clients, one after another: it
// answers each 100 bytes in one write, then waits for its EOF (bounded).
// done is closed when the n clients are served.
func answerHundred(t *testing.T, n int) (ln net.Listener, done <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	served := make(chan struct{})
	go func() {
		defer close(served)
		for i := 0; i < n; i++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write(make([]byte, 100))
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.Copy(io.Discard, c)
			c.Close()
		}
	}()
	return ln, served
}

// waitAcked waits until the kernel at the other end has acknowledged all
// that c sent (SIOCOUTQ == 0), i.e. the bytes are in the peer's receive
// queue. Bounded: at most 200 polls over at most 2s.
func waitAcked(t *testing.T, c net.Conn) {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	wait := 50 * time.Microsecond
	deadline := time.Now().Add(2 * time.Second)
	for i := 0; i < 200 && time.Now().Before(deadline); i++ {
		var n int32
		var errno syscall.Errno
		rc.Control(func(fd uintptr) {
			_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&n)))
		})
		if errno != 0 {
			t.Fatalf("SIOCOUTQ: %v", errno)
		}
		if n == 0 {
			return
		}
		time.Sleep(wait)
		wait = min(2*wait, 10*time.Millisecond)
	}
	t.Fatal("the peer's kernel did not acknowledge the request within 2s")
}
