package hashicorpyamux

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/yamux"
	"github.com/rstlint/rstlint/findings/internal/findtest"
	"github.com/rstlint/rstlint/rsttest"
)

const module = "github.com/hashicorp/yamux"

// fix is the smallest fix: (*Session).Close half-closes and lets recvLoop
// read until the peer's EOF before it closes the conn.
var fix = findtest.Fix{Module: module, File: "session.go", Diff: "testdata/fix.diff"}

// responseSize is one stream window (256 KiB): the server writes it all
// without waiting for a window update.
const responseSize = 256 << 10

var request = []byte("GET /blob\n")

// TestSessionClose: a server accepts a stream, reads a request, writes a
// 256 KiB response, closes the stream and then the session, as a one-shot
// RPC server or a server shutting down does. The client reads the response
// more slowly than it was written; as it reads, its yamux sends window
// updates. They reach a socket the server has closed: the kernel sends RST
// and discards the rest of the response and the stream's FIN. The client's
// Stream.Read then returns io.EOF early: the truncation is silent. With the
// fix the client gets the whole response and the stream's end.
func TestSessionClose(t *testing.T) {
	t.Run("upstream", func(t *testing.T) { scenario(t, false) })
	t.Run("fixed", func(t *testing.T) {
		if !findtest.Fixed() {
			fix.Run(t)
			return
		}
		scenario(t, true)
	})
}

func config() *yamux.Config {
	cfg := yamux.DefaultConfig()
	cfg.LogOutput = io.Discard
	return cfg
}

func scenario(t *testing.T, fixed bool) {
	if !rsttest.EnterNetns(t) {
		return // ran in a private network namespace; its outcome is reported here
	}
	t.Logf("%s %s, fixed=%v", module, findtest.ModuleVersion(t, module), fixed)
	ln := findtest.Listen(t)
	tally := findtest.Tally{Fixed: fixed}
	for range findtest.Trials(t) {
		tally.Add(t, trial(t, ln))
		if t.Failed() {
			break
		}
	}
	tally.Report(t)
}

// serve is the server under test: one stream, one response, then Close.
func serve(conn net.Conn) error {
	sess, err := yamux.Server(conn, config())
	if err != nil {
		return err
	}
	st, err := sess.AcceptStream()
	if err != nil {
		return err
	}
	if _, err := io.ReadFull(st, make([]byte, len(request))); err != nil {
		return err
	}
	if _, err := st.Write(bytes.Repeat([]byte("y"), responseSize)); err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	return sess.Close() // session.go:289 closes the TCP conn
}

func trial(t *testing.T, ln *findtest.Listener) findtest.Outcome {
	rc := rsttest.CountResets()
	served := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		served <- serve(c)
	}()

	c := findtest.DialSlow(t, ln.Addr().String())
	cs, err := yamux.Client(c, config())
	if err != nil {
		t.Fatal(err)
	}
	st, err := cs.OpenStream()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write(request); err != nil {
		t.Fatalf("client write: %v", err)
	}
	sc := ln.Next(t)
	sc.WaitStopped(t) // the server's session is closing its conn
	// Meanwhile the client's session sends a keepalive ping, as it does
	// every KeepAliveInterval (30 s by default; here at the moment that
	// matters): a frame that reaches the server's socket while the end of
	// the response is still queued there.
	const pingSize = 12 // one frame header
	before := c.Sent()
	pinged := make(chan error, 1)
	go func() { _, err := cs.Ping(); pinged <- err }()
	c.WaitSent(t, before+pingSize)
	c.Release()
	st.SetReadDeadline(time.Now().Add(findtest.Wait))
	n, readErr := io.Copy(io.Discard, st)
	cs.Close()
	<-pinged // the ping ends with the session, at the latest
	sc.WaitClosed(t)
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("server: %v", err)
		}
	case <-time.After(findtest.Wait):
		t.Fatalf("server: not done within %v", findtest.Wait)
	}
	end := "io.EOF"
	if readErr != nil {
		end = readErr.Error()
	}
	peer := c.Peer()
	return findtest.Outcome{
		Result:   rc.Result("github.com/hashicorp/yamux.(*Session).Close", peer),
		Written:  sc.Written(),
		Received: c.Received(),
		Complete: n == responseSize && readErr == nil,
		Detail: fmt.Sprintf("the client's Stream.Read returned %d of %d bytes, then %s; its conn's reads ended with %s",
			n, responseSize, end, connEnd(peer.ReadErr)),
	}
}

func connEnd(err error) string {
	if err == nil {
		return "EOF"
	}
	return err.Error()
}
