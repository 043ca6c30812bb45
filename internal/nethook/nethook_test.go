package nethook_test

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rstlint/rstlint/internal/nethook"
	"github.com/rstlint/rstlint/internal/trace"
)

// The hook file is Go source kept under another name: hold it to gofmt.
func TestHookFormatted(t *testing.T) {
	src, err := os.ReadFile("hook.go.in")
	if err != nil {
		t.Fatal(err)
	}
	got, err := format.Source(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, src) {
		t.Error("hook.go.in is not gofmt'ed")
	}
}

// fakeRoot writes a GOROOT whose net has net.go and fd_posix.go as given.
func fakeRoot(t *testing.T, netGo, fdPosix string) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "src", "net")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "net.go"), []byte(netGo), 0o644)
	os.WriteFile(filepath.Join(dir, "fd_posix.go"), []byte(fdPosix), 0o644)
	return root
}

const goodNet = `package net

func (c *conn) Close() error {
	if !c.ok() {
		return syscall.EINVAL
	}
	err := c.fd.Close()
	return err
}
`

const goodFD = `package net

func (fd *netFD) setAddr(laddr, raddr Addr) {
	fd.laddr = laddr
	fd.raddr = raddr
}
`

// A toolchain whose Close differs is refused, and the message names its
// version and what differs.
func TestPrepareRefusesOtherShapes(t *testing.T) {
	for name, netGo := range map[string]string{
		"no Close":       "package net\n",
		"other body":     strings.Replace(goodNet, "err := c.fd.Close()", "err := c.fd.closeWith(nil)", 1),
		"renamed recv":   strings.Replace(goodNet, "(c *conn)", "(cn *conn)", 1),
		"two Closes":     goodNet + goodNet[len("package net\n"):],
		"file too short": "package net\n\nfunc (c *conn) Close() error {\n\tif !c.ok() {\n",
	} {
		t.Run(name, func(t *testing.T) {
			root := fakeRoot(t, netGo, goodFD)
			_, err := nethook.Prepare(root, "go1.99.1", t.TempDir(), nil)
			if !errors.Is(err, nethook.ErrShape) {
				t.Fatalf("err = %v, want ErrShape", err)
			}
			if !strings.Contains(err.Error(), "go1.99.1") || !strings.Contains(err.Error(), "Close") {
				t.Errorf("message %q names neither the version nor the function", err)
			}
		})
	}
	root := fakeRoot(t, goodNet, strings.Replace(goodFD, "fd.laddr = laddr", "fd.laddr, fd.raddr = laddr, raddr", 1))
	if _, err := nethook.Prepare(root, "go1.99.1", t.TempDir(), nil); !errors.Is(err, nethook.ErrShape) || !strings.Contains(err.Error(), "setAddr") {
		t.Errorf("setAddr of another shape: err = %v", err)
	}
}

// The patch adds the calls on existing lines: every line of the
// standard library keeps its number, so std's frames stay exact. The
// overlay lives in the cache directory and is reused; GOROOT is not
// written.
func TestPrepare(t *testing.T) {
	root := fakeRoot(t, goodNet, goodFD)
	cache := t.TempDir()
	ov, err := nethook.Prepare(root, "go1.99.1", cache, map[string]string{"/x/y.go": "/z/y.go"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ov.File, cache) {
		t.Errorf("overlay %s is not under the cache %s", ov.File, cache)
	}
	repl, err := nethook.ReadOverlay(ov.File)
	if err != nil {
		t.Fatal(err)
	}
	if repl["/x/y.go"] != "/z/y.go" {
		t.Errorf("the user's replacement is lost: %v", repl)
	}
	for orig, wantCall := range map[string]string{"net.go": "\trstlintClose(c); err := c.fd.Close()\n", "fd_posix.go": "\trstlintOrigin(fd, raddr); fd.laddr = laddr\n"} {
		from := filepath.Join(root, "src", "net", orig)
		patched, err := os.ReadFile(repl[from])
		if err != nil {
			t.Fatal(err)
		}
		src, _ := os.ReadFile(from)
		if bytes.Count(patched, []byte("\n")) != bytes.Count(src, []byte("\n")) {
			t.Errorf("%s: the patch changed the number of lines", orig)
		}
		if !strings.Contains(string(patched), wantCall) {
			t.Errorf("%s: no line %q in\n%s", orig, wantCall, patched)
		}
		if strings.Contains(string(src), "rstlint") {
			t.Errorf("GOROOT's %s was written", orig)
		}
	}
	if _, ok := repl[filepath.Join(root, "src", "net", nethook.HookFile)]; !ok {
		t.Errorf("no hook file in %v", repl)
	}
	again, err := nethook.Prepare(root, "go1.99.1", cache, map[string]string{"/x/y.go": "/z/y.go"})
	if err != nil || again.File != ov.File {
		t.Errorf("second Prepare: %v, %v; want the same overlay %s", again, err, ov.File)
	}
	if _, err := nethook.Prepare(root, "go1.99.1", cache, map[string]string{filepath.Join(root, "src", "net", "net.go"): "/mine.go"}); err == nil {
		t.Error("a user overlay of net.go was accepted")
	}
}

// realOverlay prepares the overlay of the toolchain running the test.
func realOverlay(t *testing.T) *nethook.Overlay {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the hook is Linux's")
	}
	goroot := strings.TrimSpace(goEnv(t, "GOROOT"))
	ov, err := nethook.Prepare(goroot, runtime.Version(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ov
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// build builds the exchange program, with the overlay if one is given.
func build(t *testing.T, ov *nethook.Overlay, out string) {
	t.Helper()
	args := []string{"build", "-o", out}
	if ov != nil {
		args = append(args, "-overlay="+ov.File)
	}
	cmd := exec.Command("go", append(args, "./testdata/exchange")...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
}

// exchange runs a build of the exchange program with the given trace
// variable ("" for none) and returns its output.
func exchange(t *testing.T, bin, tracePath string) string {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = os.Environ()
	if tracePath != "" {
		cmd.Env = append(cmd.Env, nethook.EnvVar+"="+tracePath)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, out)
	}
	return string(out)
}

// The hook changes nothing the program can observe: a server/client
// exchange per way a Close ends a conn (FIN; RST for unread input; RST
// for SO_LINGER 0; ECONNRESET on a unix socket) gives the same bytes and
// errors built without the hook, with it recording, with it off, and with
// its trace unwritable (silent). And what it records is one trace entry
// per resetting Close, as internal/trace reads it.
func TestBehaviourIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("builds package net with the overlay")
	}
	ov := realOverlay(t)
	dir := t.TempDir()
	plain, hooked := filepath.Join(dir, "plain"), filepath.Join(dir, "hooked")
	build(t, nil, plain)
	build(t, ov, hooked)

	tracePath := filepath.Join(dir, "rst.trace")
	want := exchange(t, plain, tracePath)
	for _, run := range []struct{ name, bin, trace string }{
		{"hooked, recording", hooked, tracePath},
		{"hooked, off", hooked, ""},
		{"hooked, trace unwritable", hooked, filepath.Join(dir, "no such dir", "rst.trace")},
	} {
		if got := exchange(t, run.bin, run.trace); got != want {
			t.Errorf("%s: output\n%s\nwant (without the hook)\n%s", run.name, got, want)
		}
	}
	for _, line := range []string{`unread: read="ok" err=ECONNRESET`, `linger: read="bye" err=ECONNRESET`, `graceful: read="reply to request" err=none`, `unix: read="" err=ECONNRESET`} {
		if !strings.Contains(want, line) {
			t.Errorf("the exchange is not what the test expects: no %q in\n%s", line, want)
		}
	}

	entries, err := trace.Read(tracePath)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		origin := "none"
		if e.Origin != nil {
			origin = e.Origin.Func
		}
		got = append(got, fmt.Sprintf("%s %s unread=%d linger0=%v test=%s origin=%s", e.Frames[0].Func, e.Network, e.Unread, e.LingerZero, e.Test, origin))
	}
	wantEntries := []string{
		"main.unread tcp unread=60 linger0=false test=hooked origin=main.pair",
		"main.linger tcp unread=0 linger0=true test=hooked origin=main.pair",
		"main.unixUnread unix unread=10 linger0=false test=hooked origin=main.pair",
	}
	if strings.Join(got, "\n") != strings.Join(wantEntries, "\n") {
		t.Errorf("trace entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantEntries, "\n"))
	}
}

// Many processes append to one trace at once: no line is lost or torn.
func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds package net with the overlay")
	}
	ov := realOverlay(t)
	dir := t.TempDir()
	hooked := filepath.Join(dir, "hooked")
	build(t, ov, hooked)
	tracePath := filepath.Join(dir, "rst.trace")
	const procs = 8
	var wg sync.WaitGroup
	errs := make(chan error, procs)
	for range procs {
		wg.Go(func() {
			cmd := exec.Command(hooked)
			cmd.Env = append(os.Environ(), nethook.EnvVar+"="+tracePath)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("%v\n%s", err, out)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	entries, err := trace.Read(tracePath)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3*procs {
		t.Errorf("%d entries, want %d", len(entries), 3*procs)
	}
}

// TestConnCost measures what the hook adds to one conn that does not
// reset (its dial, accept and two Closes): the exchange program's loop of
// short graceful exchanges, built with and without the hook, in
// alternating runs; medians of ns per exchange. Run by bench/nethook.sh
// (RSTLINT_NETHOOK_COST=1); the test suite skips it.
func TestConnCost(t *testing.T) {
	if os.Getenv("RSTLINT_NETHOOK_COST") == "" {
		t.Skip("a measurement: RSTLINT_NETHOOK_COST=1 go test -run TestConnCost -v ./internal/nethook")
	}
	ov := realOverlay(t)
	dir := t.TempDir()
	plain, hooked := filepath.Join(dir, "plain"), filepath.Join(dir, "hooked")
	build(t, nil, plain)
	build(t, ov, hooked)
	tracePath := filepath.Join(dir, "rst.trace")
	run := func(bin string) float64 {
		cmd := exec.Command(bin, "-loop", "20000")
		cmd.Env = append(os.Environ(), nethook.EnvVar+"="+tracePath)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", bin, err)
		}
		var ns float64
		fmt.Sscan(string(out), &ns)
		return ns
	}
	var p, h []float64
	for range 7 {
		h = append(h, run(hooked))
		p = append(p, run(plain))
	}
	slices.Sort(p)
	slices.Sort(h)
	mp, mh := p[len(p)/2], h[len(h)/2]
	t.Logf("per graceful exchange (dial, accept, 16 bytes each way, two Closes): hooked %.0f ns, plain %.0f ns: +%.0f ns (%.3fx), medians of 7", mh, mp, mh-mp, mh/mp)
	if _, err := os.Stat(tracePath); err == nil {
		if entries, err := trace.Read(tracePath); err == nil && len(entries) > 0 {
			t.Errorf("a graceful exchange was recorded as a reset: %v", entries[0])
		}
	}
}
