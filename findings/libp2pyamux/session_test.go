package libp2pyamux

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/libp2p/go-yamux/v5"
	"github.com/rstlint/rstlint/findings/internal/findtest"
	"github.com/rstlint/rstlint/rsttest"
)

const module = "github.com/libp2p/go-yamux/v5"

// fix is the smallest fix: (*Session).close half-closes and lets recvLoop
// read until the peer's EOF before it closes the conn.
var fix = findtest.Fix{Module: module, File: "session.go", Diff: "testdata/fix.diff"}

// responseSize is one initial stream window (256 KiB): the server writes it
// all without waiting for a window update.
const responseSize = 256 << 10

// errCode is the error code of the server's GoAway.
const errCode = 42

var request = []byte("GET /blob\n")

// TestCloseWithError: a server accepts a stream, reads a request, writes a
// 256 KiB response, half-closes the stream, and closes the session with an
// error code (CloseWithError), as a connection manager trimming a
// connection does. The client reads the response more slowly than it was
// written, and sends its next message meanwhile. The message reaches a
// socket the server has closed: the kernel sends RST and discards the rest
// of the response, the stream's FIN and the GoAway. The client's stream is
// reset, and its session ends with "connection reset by peer" instead of
// the error code. With the fix the client gets the whole response, the
// stream's end, and the GoAway's code.
func TestCloseWithError(t *testing.T) {
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

// serve is the server under test: one stream, one response, then
// CloseWithError. Stream writes are queued for the session's send loop, and
// close stops that loop without sending what is still queued (a matter
// apart from the RST); so, before it closes, serve waits until the stream's
// FIN has been written to the conn: every frame is then in the kernel.
func serve(conn net.Conn, finWritten func() error) error {
	sess, err := yamux.Server(conn, config(), nil)
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
	if err := st.CloseWrite(); err != nil {
		return err
	}
	if err := finWritten(); err != nil {
		return err
	}
	return sess.CloseWithError(errCode) // session.go:319 writes the GoAway, :324 closes the TCP conn
}

// isFIN reports whether b is one frame: a window update with the FIN flag.
func isFIN(b []byte) bool {
	const typeWindowUpdate, flagFIN = 1, 4
	return len(b) == 12 && b[1] == typeWindowUpdate && binary.BigEndian.Uint16(b[2:4])&flagFIN != 0
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
		fin := c.(*findtest.ServerConn).Watch(isFIN)
		served <- serve(c, func() error {
			select {
			case <-fin:
				return nil
			case <-time.After(findtest.Wait):
				return fmt.Errorf("the stream's FIN not written within %v", findtest.Wait)
			}
		})
	}()

	c := findtest.DialSlow(t, ln.Addr().String())
	cs, err := yamux.Client(c, config(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), findtest.Wait)
	defer cancel()
	st, err := cs.OpenStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write(request); err != nil {
		t.Fatalf("client write: %v", err)
	}
	sc := ln.Next(t)
	sc.WaitStopped(t) // the server's session is closing its conn
	// Meanwhile the client sends its next message on the (bidirectional)
	// stream: one frame, which reaches the server's socket while the end
	// of the response is still queued there.
	const headerSize = 12
	before := c.Sent()
	if _, err := st.Write(request); err != nil {
		t.Fatalf("client write: %v", err)
	}
	c.WaitSent(t, before+headerSize+int64(len(request)))
	c.Release()
	st.SetReadDeadline(time.Now().Add(findtest.Wait))
	n, readErr := readAll(st)
	select {
	case <-cs.CloseChan():
	case <-time.After(findtest.Wait):
		t.Fatalf("client session: not closed within %v", findtest.Wait)
	}
	_, sessErr := cs.OpenStream(ctx) // the error the session ended with
	cs.Close()
	sc.WaitClosed(t)
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("server: %v", err)
		}
	case <-time.After(findtest.Wait):
		t.Fatalf("server: not done within %v", findtest.Wait)
	}
	var ga *yamux.GoAwayError
	gotCode := errors.As(sessErr, &ga) && ga.Remote && ga.ErrorCode == errCode
	end := "io.EOF"
	if readErr != nil {
		end = readErr.Error()
	}
	return findtest.Outcome{
		Result:   rc.Result("github.com/libp2p/go-yamux/v5.(*Session).close", c.Peer()),
		Written:  sc.Written(),
		Received: c.Received(),
		Complete: n == responseSize && readErr == nil && gotCode,
		Detail: fmt.Sprintf("the client's Stream.Read returned %d of %d bytes, then %s; its session ended with %q",
			n, responseSize, end, sessErr),
	}
}

// readAll reads r to its end and returns the bytes read and the error that
// ended it (nil at EOF). A read that returns data with an error is not the
// end: once the session has ended, a Stream.Read that also sends a window
// update returns the session's error with its data, while more data is
// still buffered (a quirk apart from the RST).
func readAll(r io.Reader) (int64, error) {
	var total int64
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		total += int64(n)
		switch {
		case err == io.EOF:
			return total, nil
		case err != nil && n == 0:
			return total, err
		}
	}
}
