//go:build linux

package rsttest_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rstlint/rstlint/internal/trace"
	"github.com/rstlint/rstlint/rsttest"
)

// markedLine is the line of this package's file that ends with the comment
// "// marker", so that tests name lines without counting them.
func markedLine(t *testing.T, file, marker string) int {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(src), "\n") {
		if strings.HasSuffix(line, "// "+marker) {
			return i + 1
		}
	}
	t.Fatalf("no line of %s ends with // %s", file, marker)
	return 0
}

// thisDir is the directory of this package's sources, as frames name it.
func thisDir(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller")
	}
	return filepath.Dir(file)
}

func readTrace(t *testing.T, path string) []trace.Entry {
	t.Helper()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return nil
	}
	es, err := trace.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestWatcherTrace: with RSTTEST_TRACE set, Verify appends the seed's
// resetting Close to the trace once, naming the Close's line, the Accept's
// line, the unread bytes and the test; a graceful server appends nothing.
func TestWatcherTrace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rst.trace")
	t.Setenv(trace.EnvVar, path)

	ft := &fakeTB{name: "TestUser/seed"}
	userTest(t, ft, serveSeed)
	es := readTrace(t, path)
	if len(es) != 1 {
		t.Fatalf("trace has %d entries, want 1: %+v", len(es), es)
	}
	e := es[0]
	file := filepath.Join(thisDir(t), "watcher_test.go")
	if e.Test != "TestUser/seed" || e.Unread != 18 || e.LingerZero || e.Verdict != "RST" || e.Network != "tcp" {
		t.Errorf("entry %+v", e)
	}
	if len(e.Frames) == 0 || e.Frames[0].File != file || e.Frames[0].Line != markedLine(t, file, "seed: close") ||
		!strings.HasSuffix(e.Frames[0].Func, "rsttest_test.serveSeed") {
		t.Errorf("frames %+v, want the seed's Close first", e.Frames)
	}
	for _, f := range e.Frames {
		if strings.HasPrefix(f.Func, "testing.") || strings.HasPrefix(f.Func, "runtime.") || strings.Contains(f.Func, "rstlint/rsttest.") {
			t.Errorf("frame %+v is the standard library's or rsttest's", f)
		}
	}
	if e.Origin == nil || e.Origin.File != file || e.Origin.Line != markedLine(t, file, "seed: accept") {
		t.Errorf("origin %+v, want the seed's Accept", e.Origin)
	}

	userTest(t, &fakeTB{name: "TestUser/graceful"}, serveGraceful)
	if es := readTrace(t, path); len(es) != 1 {
		t.Errorf("after a graceful server the trace has %d entries, want still 1", len(es))
	}
}

// TestWatcherDialTrace: a conn from w.Dial is watched, with the dial as its
// origin; Record writes each reset once however often it is called.
func TestWatcherDialTrace(t *testing.T) {
	checkLeaks(t)
	path := filepath.Join(t.TempDir(), "rst.trace")
	t.Setenv(trace.EnvVar, path)
	ln, done := answerHundred(t, 1)
	var w rsttest.Watcher
	c, err := w.Dial(nil)("tcp", ln.Addr().String()) // dial: origin
	if err != nil {
		t.Fatal(err)
	}
	io.ReadFull(c, make([]byte, 4)) // the 100 bytes came in one segment: 96 stay queued
	c.Close()                       // dial: close
	<-done
	w.Record(t)
	w.Record(t)
	es := readTrace(t, path)
	file := filepath.Join(thisDir(t), "trace_test.go")
	if len(es) != 1 || es[0].Unread != 96 || es[0].Test != t.Name() ||
		es[0].Frames[0].Line != markedLine(t, file, "dial: close") || es[0].Origin == nil ||
		es[0].Origin.Line != markedLine(t, file, "dial: origin") {
		t.Fatalf("trace %+v", es)
	}
}

// TestNewServer: a handler that hijacks its conn and closes it with the
// client's next bytes queued is recorded when the test ends, without
// failing it; the server's client dials through the Watcher too.
func TestNewServer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rst.trace")
	t.Setenv(trace.EnvVar, path)
	sent := make(chan struct{})
	t.Run("server", func(t *testing.T) {
		srv, w := rsttest.NewServer(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/hijack" {
				io.WriteString(rw, "ok")
				return
			}
			c, _, err := http.NewResponseController(rw).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
			select {
			case <-sent:
			case <-time.After(5 * time.Second):
			}
			c.Close() // server: close
		}))
		resp, err := srv.Client().Get(srv.URL + "/plain")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()

		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /hijack HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		if resp, err := http.ReadResponse(br, nil); err != nil {
			t.Fatal(err)
		} else {
			resp.Body.Close()
		}
		io.WriteString(c, "MORE")
		waitAcked(t, c)
		close(sent)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.Copy(io.Discard, br) // the hijacked conn's close ends this (EOF or reset)
		if n := len(w.Resets()); n != 1 {
			t.Errorf("%d resets recorded, want the hijacked conn's", n)
		}
	})
	es := readTrace(t, path)
	file := filepath.Join(thisDir(t), "trace_test.go")
	if len(es) != 1 || es[0].Unread != 4 || es[0].Test != "TestNewServer/server" || es[0].Frames[0].Line != markedLine(t, file, "server: close") {
		t.Fatalf("trace %+v", es)
	}
}
