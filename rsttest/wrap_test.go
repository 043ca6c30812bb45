package rsttest_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/rstlint/rstlint/rsttest"
)

// methods lists the exported methods of v's dynamic type.
func methods(v any) []string {
	t := reflect.TypeOf(v)
	var names []string
	for i := 0; i < t.NumMethod(); i++ {
		names = append(names, t.Method(i).Name)
	}
	sort.Strings(names)
	return names
}

// TestWrapperMethods: a watched conn or listener has exactly the methods of
// the wrapped one, so interface assertions (CloseWrite, SetLinger, ReadFrom,
// SyscallConn, ...) succeed exactly when they did; only the concrete type
// differs.
func TestWrapperMethods(t *testing.T) {
	checkLeaks(t)
	var w rsttest.Watcher
	dir := t.TempDir()
	for _, network := range []string{"tcp", "unix"} {
		addr := "127.0.0.1:0"
		if network == "unix" {
			addr = filepath.Join(dir, "sock")
		}
		ln, err := net.Listen(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		c, err := net.Dial(network, ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		wl, wc := w.Listener(ln), w.Conn(c)
		if got, want := methods(wl), methods(ln); !reflect.DeepEqual(got, want) {
			t.Errorf("%s listener: methods %v, want %v", network, got, want)
		}
		if got, want := methods(wc), methods(c); !reflect.DeepEqual(got, want) {
			t.Errorf("%s conn: methods %v, want %v", network, got, want)
		}
		if _, ok := wc.(*net.TCPConn); ok {
			t.Errorf("%s: a wrapper cannot be a *net.TCPConn", network)
		}

		// Same errors and deadlines as the wrapped conn.
		wc.SetReadDeadline(time.Now().Add(-time.Second))
		if _, err := wc.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s: read past deadline: %v", network, err)
		}
		if err := wc.Close(); err != nil {
			t.Errorf("%s: Close: %v", network, err)
		}
		if err := wc.Close(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s: second Close: %v, want net.ErrClosed", network, err)
		}
		wl.Close()
		if _, err := wl.Accept(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s: Accept after Close: %v, want net.ErrClosed", network, err)
		}
	}
	if rs := w.Resets(); len(rs) != 0 {
		t.Errorf("Resets() = %v, want none", rs)
	}
}

// TestWatcherUnwatched: a conn type a wrapper cannot mirror is returned as
// it is, and Verify says it was not watched.
func TestWatcherUnwatched(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	var w rsttest.Watcher
	if got := w.Conn(a); got != a {
		t.Errorf("Conn(net.Pipe end) = %T, want it unchanged", got)
	}
	ft := &fakeTB{name: t.Name()}
	w.Verify(ft)
	if len(ft.errors) != 0 || len(ft.logs) != 1 {
		t.Errorf("Verify: %v", ft)
	}
}
