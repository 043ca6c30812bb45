package main_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rstlint is the command built once for all tests.
var rstlint string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rstlint-cmd")
	if err != nil {
		panic(err)
	}
	rstlint = filepath.Join(dir, "rstlint")
	// -buildvcs=true: stamp the VCS revision, as a release build does
	// (some environments set -buildvcs=false in GOFLAGS).
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", rstlint, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs a command in the repository root and returns its exit code.
func run(t *testing.T, name string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = "../.."
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("%s: %v", name, err)
	}
	return o.String(), e.String(), code
}

const seedBug = "example/seed/main.go:64:9: conn accepted at main.go:59 is closed with input never read: RST may destroy our reply (unread-close)"

func TestStandalone(t *testing.T) {
	_, stderr, code := run(t, rstlint, "./example/...")
	if code != 3 {
		t.Errorf("exit code %d, want 3 (diagnostics found); stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, seedBug) {
		t.Errorf("stderr lacks the seed's bug %q:\n%s", seedBug, stderr)
	}
	// Each text diagnostic ends with its category, the name -explain takes.
	for _, line := range diagLines(stderr) {
		if !strings.HasPrefix(line, "\t") && strings.Contains(line, ": conn") && !strings.HasSuffix(line, " (unread-close)") {
			t.Errorf("diagnostic without its category: %s", line)
		}
	}
}

func TestVetTool(t *testing.T) {
	stdout, stderr, code := run(t, "go", "vet", "-vettool="+rstlint, "./example/...")
	if code != 1 {
		t.Errorf("go vet exit code %d, want 1; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, seedBug) {
		t.Errorf("go vet output lacks the seed's bug %q:\n%s", seedBug, stderr)
	}
	if stdout != "" {
		t.Errorf("go vet printed on stdout:\n%s", stdout)
	}
}

func TestVetToolJSON(t *testing.T) {
	// With -json, vet prints the diagnostics as JSON on stdout and exits 0.
	stdout, stderr, code := run(t, "go", "vet", "-json", "-vettool="+rstlint, "./example/...")
	if code != 0 {
		t.Errorf("go vet -json exit code %d, want 0; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{`"rstlint"`, `"category": "unread-close"`, `is closed with input never read: RST may destroy our reply (unread-close)"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("go vet -json output lacks %s:\n%s", want, stdout)
		}
	}
}

func TestClean(t *testing.T) {
	// The analyzer's own code has no sockets: nothing to say, exit 0.
	_, stderr, code := run(t, rstlint, "./analyzer/")
	if code != 0 || stderr != "" {
		t.Errorf("exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
}

func TestHelp(t *testing.T) {
	_, stderr, _ := run(t, rstlint, "-help")
	for _, flag := range []string{"-halfclose", "-linger", "-drain", "-gracefulclose", "-proxy", "unread-close", "-explain", "-fix"} {
		if !strings.Contains(stderr, flag) {
			t.Errorf("rstlint -help does not mention %s:\n%s", flag, stderr)
		}
	}
	// One trace flag, with one meaning: the command reads -trace as the
	// analyzer's -tracefile, so the driver's own -trace is not listed.
	if strings.Contains(stderr, "write trace log") || strings.Count(stderr, "  -trace") != 1 ||
		!strings.Contains(stderr, "  -trace, -tracefile string\n") {
		t.Errorf("rstlint -help should list -trace once, as -tracefile:\n%s", stderr)
	}
}

// TestExplain: the category a text diagnostic ends with names the page
// -explain prints.
func TestExplain(t *testing.T) {
	stdout, stderr, code := run(t, rstlint, "-explain", "unread-close")
	if code != 0 || !strings.HasPrefix(stdout, "# unread-close\n") {
		t.Errorf("rstlint -explain unread-close: exit %d, stdout %.80q, stderr %q", code, stdout, stderr)
	}
	_, stderr, code = run(t, rstlint, "-explain", "no-such-rule")
	if code != 2 || !strings.Contains(stderr, "unread-close") {
		t.Errorf("rstlint -explain no-such-rule: exit %d, want 2 and the list of categories:\n%s", code, stderr)
	}
}

// TestFix applies the suggested fix to a copy of the example, standalone
// and through go vet, and checks that rstlint is then silent.
func TestFix(t *testing.T) {
	src, err := os.ReadFile("../../example/seed/main.go")
	if err != nil {
		t.Fatal(err)
	}
	for name, tool := range map[string][]string{
		"rstlint -fix": {rstlint, "-fix"},
		"go vet -fix":  {"go", "vet", "-fix", "-vettool=" + rstlint},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module fixme\n\ngo 1.26\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
				t.Fatal(err)
			}
			runIn := func(args ...string) (string, int) {
				cmd := exec.Command(args[0], args[1:]...)
				cmd.Dir = dir
				out, err := cmd.CombinedOutput()
				var exit *exec.ExitError
				if err != nil && !errors.As(err, &exit) {
					t.Fatal(err)
				}
				return string(out), cmd.ProcessState.ExitCode()
			}
			if out, code := runIn(append(tool, "./...")...); code != 0 {
				t.Fatalf("%v: exit %d:\n%s", tool, code, out)
			}
			fixed, _ := os.ReadFile(filepath.Join(dir, "main.go"))
			if !strings.Contains(string(fixed), "io.Copy(io.Discard, io.LimitReader(c, 1<<20))") {
				t.Errorf("fix not applied:\n%s", fixed)
			}
			if out, code := runIn(rstlint, "./..."); code != 0 {
				t.Errorf("rstlint on the fixed example: exit %d:\n%s", code, out)
			}
			// The fixed program on the kernel: its client now reads the
			// whole answer and EOF, where the original got a reset.
			if out, code := runIn("go", "run", "."); code != 0 || !strings.Contains(out, "error: <nil>") {
				t.Errorf("the fixed example still resets (exit %d):\n%s", code, out)
			}
		})
	}
}

// TestBadInput: a package that does not compile gets the type checker's
// error and exit status 1, never a panic.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module bad\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.go"), []byte("package bad\n\nimport \"net\"\n\nfunc F(c net.Conn) { c.Close(undefined) }\n"), 0o644)
	cmd := exec.Command(rstlint, "./...")
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
	if !strings.Contains(string(out), "undefined") || strings.Contains(string(out), "panic") {
		t.Errorf("want the type error and no panic:\n%s", out)
	}
}

// TestVersion checks -V=full: the form the go command parses to key its
// vet cache on the tool, with the module version and VCS revision.
func TestVersion(t *testing.T) {
	stdout, stderr, code := run(t, rstlint, "-V=full")
	if code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	f := strings.Fields(stdout)
	if len(f) < 4 || f[0] != "rstlint" || f[1] != "version" || !strings.HasPrefix(f[len(f)-1], "buildID=") {
		t.Fatalf("-V=full printed %q, want \"rstlint version <version> ... buildID=<hash>\"", stdout)
	}
	if f[2] == "devel" && !strings.Contains(stdout, "module=github.com/rstlint/rstlint@(devel)") {
		t.Errorf("-V=full printed %q, want the module path in a development build", stdout)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git: no revision to compare with")
	}
	head, _, gitCode := run(t, "git", "rev-parse", "HEAD")
	if gitCode != 0 || strings.TrimSpace(head) == "" {
		t.Skip("not a git checkout: no revision to compare with")
	}
	if want := "vcs.revision=" + strings.TrimSpace(head); !strings.Contains(stdout, want) {
		t.Errorf("-V=full printed %q, want %s", stdout, want)
	}
}

// diagLines are the diagnostic lines of rstlint's output: those that
// start with the example's path.
func diagLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "example/seed/") {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestTrace is the README's worked example: the example's tests record
// the seed's reset, and rstlint -trace marks the diagnostic confirmed.
// A trace it cannot use is an error naming the file and line, and leaves
// the diagnostics as they are without it.
func TestTrace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rst.trace")
	cmd := exec.Command("go", "test", "-count=1", "-run=TestServeRecorded", "./example/seed")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "RSTTEST_TRACE="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test ./example/seed: %v\n%s", err, out)
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the example's test recorded nothing (it skips where it cannot observe the kernel): %v", err)
	}
	_, plain, _ := run(t, rstlint, "./example/...")
	_, stderr, code := run(t, rstlint, "-trace="+path, "./example/...")
	if want := seedBug + "\n"; code != 3 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "main.go:64:2: \tconfirmed: reset seen in TestServeRecorded (1024 bytes unread)\n") {
		t.Errorf("rstlint -trace: exit %d, want 3 and %q in:\n%s", code, want, stderr)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("vet", func(t *testing.T) { vetTrace(t, path, good) })
	for name, tc := range map[string]struct{ content, want string }{
		"missing":   {"", "no such file or directory"},
		"empty":     {"", ": no entries"},
		"truncated": {string(good) + string(good[:len(good)/2]), ":2: not an rsttest trace entry"},
		"foreign":   {`{"Time":"2026-12-02T10:00:00Z","Action":"run","Package":"x"}` + "\n", ":1: not an rsttest trace entry"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bad := filepath.Join(dir, name)
			if name != "missing" {
				if err := os.WriteFile(bad, []byte(tc.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, stderr, code := run(t, rstlint, "-trace="+bad, "./example/...")
			if !strings.Contains(stderr, "rstlint: -trace: ") || !strings.Contains(stderr, bad) || !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not name the bad trace %s and %q:\n%s", bad, tc.want, stderr)
			}
			if got, want := diagLines(stderr), diagLines(plain); code != 3 || strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("exit %d; diagnostics\n%s\nwant those without a trace (exit 3):\n%s", code, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// vetTrace: under go vet the trace comes from RSTLINT_TRACE, whose content
// is part of the tool's ID (-V=full), so that go vet's cache of each
// package's result does not outlive a change of the trace; -tracefile is
// refused there, and a trace that cannot be used stops the run.
func vetTrace(t *testing.T, path string, good []byte) {
	vet := func(env ...string) (string, int) {
		t.Helper()
		cmd := exec.Command("go", "vet", "-vettool="+rstlint, "./example/...")
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), env...)
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	trace := filepath.Join(t.TempDir(), "vet.trace")
	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(trace, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(string(good))
	out, _ := vet("RSTLINT_TRACE=" + trace)
	if !strings.Contains(out, "confirmed: reset seen in TestServeRecorded") {
		t.Fatalf("RSTLINT_TRACE=... go vet: no confirmation in:\n%s", out)
	}
	// The same trace, its test renamed: a new verdict, not go vet's
	// cached one.
	write(strings.ReplaceAll(string(good), "TestServeRecorded", "TestRenamedSince"))
	out, _ = vet("RSTLINT_TRACE=" + trace)
	if !strings.Contains(out, "confirmed: reset seen in TestRenamedSince") {
		t.Errorf("after the trace changed, go vet still says:\n%s", out)
	}
	write("")
	if out, code := vet("RSTLINT_TRACE=" + trace); code == 0 || !strings.Contains(out, "RSTLINT_TRACE: ") || !strings.Contains(out, "no entries") {
		t.Errorf("an empty trace under go vet: exit %d, want an error naming it:\n%s", code, out)
	}
	_, stderr, code := run(t, "go", "vet", "-vettool="+rstlint, "-tracefile="+path, "./example/...")
	if code == 0 || !strings.Contains(stderr, "under go vet, name the trace in the environment, RSTLINT_TRACE=") {
		t.Errorf("go vet -tracefile: exit %d, want it refused with the way to do it:\n%s", code, stderr)
	}
}
