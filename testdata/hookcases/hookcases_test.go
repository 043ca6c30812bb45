package hookcases

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serveOne runs handler on one accepted conn whose client sent 64 bytes
// before the Accept, so they are in the server's receive queue.
func serveOne(t *testing.T, handler func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := client.Write(bytes.Repeat([]byte("r"), 64)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // loopback delivers at once; be generous
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	handler(c)
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, _ := io.ReadAll(client) // "ok\n", then EOF or connection reset
	return string(got)
}

func TestConfirmed(t *testing.T) {
	if got := serveOne(t, Confirmed); got != "ok\n" {
		t.Errorf("client read %q, want ok", got)
	}
}

func TestRuntimeOnly(t *testing.T) {
	if got := serveOne(t, RuntimeOnly); got != "ok\n" {
		t.Errorf("client read %q, want ok", got)
	}
}

// TestHangUp closes, in the test itself, a conn whose greeting it never
// read.
func TestHangUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			_, err = c.Write([]byte("hello\n"))
			io.Copy(io.Discard, c)
			c.Close()
		}
		done <- err
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	c.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestBadRequest sends net/http's server a malformed request followed by
// more than its read buffer holds: the server answers 400 and closes with
// the rest unread, inside the standard library.
func TestBadRequest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler()}
	go srv.Serve(ln)
	defer srv.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("NOT A REQUEST\r\n" + strings.Repeat("x", 32<<10)))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(got), "HTTP/1.1 400") {
		t.Errorf("got %q, want a 400", got)
	}
}

// TestLateData closes, in the test's server, a conn whose request was read
// in full, so the Close sends FIN; the client then sends more, which the
// closed socket answers with RST. The queue was empty at the Close: the
// hook cannot see it, a private network namespace's counters can
// (rstlint-test -rstlint.netns).
func TestLateData(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		io.ReadFull(c, make([]byte, 5))
		c.Write([]byte("bye"))
		c.Close() // want `conn accepted at hookcases_test\.go:\d+ is closed with input read in part: RST may destroy our reply`
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close() // want `the dialed conn is closed with the reply unread: RST may cut our last write short`
	c.Write([]byte("hello"))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if got, err := io.ReadAll(c); string(got) != "bye" || err != nil {
		t.Fatalf("read %q, %v", got, err)
	}
	c.Write([]byte("late")) // lands at the closed socket: RST
	time.Sleep(20 * time.Millisecond)
}
