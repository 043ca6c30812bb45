package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/rstlint/rstlint/internal/trace"
)

func TestSplitArgs(t *testing.T) {
	opts, rest, err := splitArgs([]string{"-rstlint.trace=a.trace", "-v", "--rstlint.sites", "3", "-run", "TestX", "./...", "--", "-rstlint.trace=b"})
	if err != nil {
		t.Fatal(err)
	}
	if opts.trace != "a.trace" || opts.sites != 3 {
		t.Errorf("options %+v", opts)
	}
	if want := []string{"-v", "-run", "TestX", "./...", "--", "-rstlint.trace=b"}; !reflect.DeepEqual(rest, want) {
		t.Errorf("go test's args %q, want %q", rest, want)
	}
	for _, bad := range [][]string{{"-rstlint.nope=1"}, {"-rstlint.sites=x"}, {"-rstlint.trace"}} {
		if _, _, err := splitArgs(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestGoTestArgs(t *testing.T) {
	for _, c := range []struct {
		in, want []string
		overlay  string
	}{
		{[]string{"./..."}, []string{"-count=1", "./..."}, ""},
		{[]string{"-count=3", "./..."}, []string{"-count=3", "./..."}, ""},
		{[]string{"-v", "-overlay", "o.json", "./x"}, []string{"-count=1", "-v", "./x"}, "o.json"},
		{[]string{"-overlay=o.json", "./x", "-args", "-count=2"}, []string{"-count=1", "./x", "-args", "-count=2"}, "o.json"},
	} {
		got, overlay, _ := goTestArgs(c.in)
		if !reflect.DeepEqual(got, c.want) || overlay != c.overlay {
			t.Errorf("goTestArgs(%q) = %q, %q; want %q, %q", c.in, got, overlay, c.want, c.overlay)
		}
	}
}

// A cached result ran nothing: it is named, in plain and -json output.
func TestCachedPackages(t *testing.T) {
	out := "ok  \texample.com/a\t0.01s\nok  \texample.com/b\t(cached)\n" +
		`{"Action":"output","Package":"example.com/c","Output":"ok  \texample.com/c\t(cached)\n"}` + "\n" +
		"--- FAIL: TestX\nFAIL\texample.com/d\t0.1s\n"
	var w bytes.Buffer
	res := copyOutput(&w, strings.NewReader(out))
	cached := res.cached
	if want := []string{"example.com/b", "example.com/c"}; !reflect.DeepEqual(cached, want) {
		t.Errorf("cached %q, want %q", cached, want)
	}
	if want := map[string]bool{"example.com/a": true, "example.com/b": true, "example.com/c": true, "example.com/d": true}; !reflect.DeepEqual(res.tested, want) {
		t.Errorf("tested %v, want %v", res.tested, want)
	}
	if w.String() != out {
		t.Errorf("output not copied unchanged:\n%s", w.String())
	}
	var sum bytes.Buffer
	(&summary{version: "go1.26", cached: cached}).write(&sum, 10)
	if !strings.Contains(sum.String(), "2 packages came from go test's cache and ran nothing, so recorded nothing: example.com/b, example.com/c") {
		t.Errorf("summary does not name the cached packages:\n%s", sum.String())
	}
}

func TestSummary(t *testing.T) {
	goroot := "/go"
	f := func(fn, file string, line int) trace.Frame { return trace.Frame{Func: fn, File: file, Line: line} }
	prog := f("example.com/m/srv.(*server).handle", "/src/m/srv/srv.go", 40)
	std := f("net/http.(*conn).close", "/go/src/net/http/server.go", 1746)
	entries := []trace.Entry{
		{Test: "TestA", Frames: []trace.Frame{prog}, Unread: 10},
		{Test: "TestB", Frames: []trace.Frame{prog}, Unread: 30, Origin: &trace.Frame{Func: "x", File: "/src/m/srv/srv.go", Line: 20}},
		{Test: "TestA", Frames: []trace.Frame{f("example.com/m/srv.TestA", "/src/m/srv/srv_test.go", 9)}, LingerZero: true},
		{Test: "srv.test", Frames: []trace.Frame{std, f("net/http.(*conn).serve", "/go/src/net/http/server.go", 2113)}, Unread: 5},
		{Test: "TestC", Frames: []trace.Frame{std, f("example.com/m/srv.TestC", "/src/m/srv/srv_test.go", 77)}, Unread: 5},
		{Test: "TestC", Resets: 3}, // a count without frames: not a site
	}
	s := summarize(entries, goroot, "go1.26.8", nil)
	var w bytes.Buffer
	s.write(&w, 10)
	out := w.String()
	for _, want := range []string{
		"5 Closes reset their connection",
		"closed by the program: 2 at 1 site",
		"2× /src/m/srv/srv.go:40  srv.(*server).handle",
		"10 to 30 bytes unread; in TestA and 1 more; conn from /src/m/srv/srv.go:20",
		"closed by the test files: 1 at 1 site",
		"SO_LINGER 0 (1×); in TestA",
		"closed inside the standard library: 2 at 2 sites",
		"net/http/server.go:1746  http.(*conn).close",
		"on a goroutine of the standard library's own",
		"nearest program frame: /src/m/srv/srv_test.go:77  srv.TestC",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the summary:\n%s", want, out)
		}
	}
	if p, t2, s2 := strings.Index(out, "by the program"), strings.Index(out, "by the test files"), strings.Index(out, "inside the standard"); !(p < t2 && t2 < s2) {
		t.Errorf("groups out of order:\n%s", out)
	}
	// Testing std: the package under test is the program.
	w.Reset()
	summarize(entries, goroot, "go1.26.8", map[string]bool{"net/http": true}).write(&w, 10)
	if !strings.Contains(w.String(), "closed by the program: 4 at 2 sites") {
		t.Errorf("net/http under test is not the program:\n%s", w.String())
	}

	w.Reset()
	s.write(&w, 1)
	if !strings.Contains(w.String(), "... and 1 more sites") {
		t.Errorf("-rstlint.sites=1 lists all:\n%s", w.String())
	}
}

// The whole command, on a module that has never heard of rstlint (the
// hookcases package of the cases module, copied): it runs the tests,
// passes their result on, prints the resetting Closes grouped, and
// writes a trace internal/trace reads.
func TestFreshModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds package net and net/http with the overlay")
	}
	if runtime.GOOS != "linux" {
		t.Skip("Linux only")
	}
	dir := freshModule(t)
	t.Chdir(dir)

	var stdout, stderr bytes.Buffer
	if code := run([]string{"-rstlint.trace=rst.trace", "-v", "./..."}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	out := stderr.String()
	for _, want := range []string{
		"4 Closes reset their connection",
		"closed by the program: 2 at 2 sites",
		"hookcases.go:25  fresh.Confirmed",
		"60 bytes unread; in TestConfirmed; conn from hookcases_test.go:31",
		"closed by the test files: 1 at 1 site",
		"hookcases_test.go:76  fresh.TestHangUp",
		"closed inside the standard library: 1 at 1 site",
		"http.(*conn).close",
		"in fresh.test",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the summary:\n%s", want, out)
		}
	}
	if !strings.Contains(stdout.String(), "--- PASS: TestBadRequest") {
		t.Errorf("go test's output not passed on:\n%s", stdout.String())
	}
	entries, err := trace.Read(filepath.Join(dir, "rst.trace"))
	if err != nil || len(entries) != 4 {
		t.Errorf("trace: %d entries, %v", len(entries), err)
	}

	// go test's exit code is the command's.
	stdout.Reset()
	stderr.Reset()
	code := run([]string{"-rstlint.trace=rst.trace", "-run", "TestHangUp", "./nosuchpkg"}, &stdout, &stderr)
	goCode := 0
	if err := exec.Command("go", "test", "./nosuchpkg").Run(); err != nil {
		goCode = err.(*exec.ExitError).ExitCode()
	}
	if code != goCode || code == 0 {
		t.Errorf("exit %d, go test's %d", code, goCode)
	}
	if !strings.Contains(stderr.String(), "no Close reset a connection") {
		t.Errorf("a run with no reset says:\n%s", stderr.String())
	}
}

func TestUnderDir(t *testing.T) {
	for _, c := range []struct {
		path, dir string
		want      bool
	}{
		{"/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.27.4.linux-amd64", "/root/go/pkg/mod", true},
		{"/root/go/pkg/mod", "/root/go/pkg/mod", true},
		{"/usr/local/go", "/root/go/pkg/mod", false},
		{"/root/go/pkg/mod2", "/root/go/pkg/mod", false},
		{"/x", "", false},
	} {
		if got := underDir(c.path, c.dir); got != c.want {
			t.Errorf("underDir(%q, %q) = %v", c.path, c.dir, got)
		}
	}
}

// -rstlint.netns: each test binary in a private network namespace, whose
// counters show the reset the hook cannot see (TestLateData's data after
// our FIN), while the hook's entries stay as without it.
func TestNetns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds package net and net/http with the overlay")
	}
	if runtime.GOOS != "linux" {
		t.Skip("Linux only")
	}
	// The -exec program is the command itself: build it.
	bin := filepath.Join(t.TempDir(), "rstlint-test")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := freshModule(t)
	cmd := exec.Command(bin, "-rstlint.netns", "-rstlint.trace=rst.trace", "./...")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	out := stderr.String()
	if strings.Contains(out, "ran in place, uncounted") {
		t.Skipf("no private network namespace here:\n%s", out)
	}
	for _, want := range []string{
		"4 Closes reset their connection",
		"network namespaces: 1 of 1 test binary ran in a private one",
		"     1 after our FIN",
		"     0 Closes with unread input outside package net",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the summary:\n%s", want, out)
		}
	}
	entries, err := trace.Read(filepath.Join(dir, "rst.trace"))
	if err != nil {
		t.Fatal(err)
	}
	var placed, counted int64
	for _, e := range entries {
		if len(e.Frames) > 0 {
			placed++
		} else {
			counted += e.Resets
		}
	}
	if placed != 4 || counted != 1 {
		t.Errorf("trace: %d placed entries and %d counted resets, want 4 and 1", placed, counted)
	}
}

// freshModule copies the hookcases package into a module that has never
// heard of rstlint, and returns its directory.
func freshModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src, _ := filepath.Glob("../../testdata/hookcases/*.go")
	if len(src) != 2 {
		t.Fatalf("hookcases files: %q", src)
	}
	for _, f := range src {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/fresh\n\ngo 1.26\n"), 0o644)
	return dir
}
