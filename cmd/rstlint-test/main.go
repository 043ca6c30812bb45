// Command rstlint-test runs a project's own tests, in place of go test,
// and lists every Close of a TCP or unix stream conn after which Linux
// answered with RST instead of FIN: the proof at run time of what rstlint
// warns about, without a line of test code.
//
// Usage:
//
//	rstlint-test [-rstlint.trace=file] [go test flags] [packages]
//
// where you would run go test:
//
//	rstlint-test ./...
//	rstlint -trace=rstlint.trace ./...   # rstlint's warnings, confirmed or not by the run
//
// Every argument but its own flags (those spelled -rstlint.*, before the
// others) goes to go test unchanged, and its exit code is go test's. It
// adds -count=1 unless a -count is given, since a cached test result runs
// nothing and so records nothing; packages that came from the cache all
// the same are named at the end.
//
// It builds, from the user's own GOROOT, a go command overlay of package
// net (internal/nethook) whose (*conn).Close first asks the kernel how
// many received bytes are still unread (ioctl SIOCINQ) and whether
// SO_LINGER is on with 0 seconds; a Close that resets is appended to the
// trace with its stack, unread bytes, test and origin. Every stream conn
// closes through that method: *net.TCPConn, *net.UnixConn, the conn under
// a *tls.Conn, net/http's server and transport conns. The first run
// rebuilds the standard library's packages that import net (half a
// minute on 2 cores for net/http); later runs find them in the build
// cache. GOROOT is never
// written; a Go version whose net does not have the expected shape is
// refused with a message naming it.
//
// Its own flags:
//
//	-rstlint.trace=file   the trace to write (default rstlint.trace in the
//	                      current directory); it is emptied first
//	-rstlint.sites=n      the sites listed per group in the summary (default 10; 0: all)
//	-rstlint.netns        run each test binary in a private network namespace
//	                      (as root, or where user namespaces are allowed) and
//	                      count, from its kernel counters, the RSTs the hook
//	                      cannot place: data that arrived after our FIN, and
//	                      Closes outside package net (see netns.go)
//
// What it cannot see: sockets made with syscall.Socket and closed with
// syscall.Close (not a net conn), bytes that arrive after our FIN (the
// socket resets then, but its queue was empty at the Close), and the
// first Close of a descriptor dup'ed by File or FileConn (the kernel
// resets only at the last one, so that Close is reported although it
// did not reset). -rstlint.netns counts the first two, without their
// place, from the kernel counters of a private network namespace.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/rstlint/rstlint/internal/nethook"
	"github.com/rstlint/rstlint/internal/trace"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == execFlag {
		os.Exit(execMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are rstlint-test's own flags.
type options struct {
	trace string
	sites int
	netns bool
}

// usage is printed for -rstlint.help or a bad -rstlint flag.
const usage = `usage: rstlint-test [-rstlint.trace=file] [-rstlint.sites=n] [-rstlint.netns] [go test flags] [packages]

Runs go test with package net hooked, and lists every Close after which
Linux answered with RST. Every argument but -rstlint.* goes to go test.

  -rstlint.trace=file  the trace to write (default rstlint.trace); then
                       rstlint -trace=file ./... confirms rstlint's warnings
  -rstlint.sites=n     sites listed per group in the summary (default 10, 0: all)
  -rstlint.netns       run each test binary in a private network namespace and
                       count the RSTs the hook cannot place (data after our FIN)
`

// splitArgs takes rstlint-test's own flags out of args: -rstlint.name=value
// or -rstlint.name value, anywhere before a "--". The rest is go test's.
func splitArgs(args []string) (options, []string, error) {
	opts := options{trace: "rstlint.trace", sites: 10}
	var rest []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, ok := strings.CutPrefix(strings.TrimPrefix(arg, "-"), "-rstlint.")
		if !ok {
			name, ok = strings.CutPrefix(arg, "-rstlint.")
		}
		if !ok {
			rest = append(rest, arg)
			continue
		}
		name, value, hasValue := strings.Cut(name, "=")
		if name == "help" || name == "h" {
			return opts, nil, errHelp
		}
		if name == "netns" { // a boolean flag
			if !hasValue {
				value = "true"
			}
			b, err := strconv.ParseBool(value)
			if err != nil {
				return opts, nil, fmt.Errorf("-rstlint.netns=%s: want a boolean", value)
			}
			opts.netns = b
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				return opts, nil, fmt.Errorf("flag -rstlint.%s needs a value", name)
			}
			i++
			value = args[i]
		}
		switch name {
		case "trace":
			opts.trace = value
		case "sites":
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 {
				return opts, nil, fmt.Errorf("-rstlint.sites=%s: want a count", value)
			}
			opts.sites = n
		default:
			return opts, nil, fmt.Errorf("unknown flag -rstlint.%s", name)
		}
	}
	return opts, rest, nil
}

var errHelp = errors.New("help")

// goTestArgs returns go test's arguments: -count=1 added unless the user
// gave a -count, and a user's -overlay taken out (it is merged into
// ours), with its file; hasExec says whether the user gave an -exec.
func goTestArgs(args []string) (out []string, userOverlay string, hasExec bool) {
	hasCount := false
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" || arg == "-args" || arg == "--args" {
			out = append(out, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") {
			out = append(out, arg)
			continue
		}
		switch name {
		case "count", "test.count":
			hasCount = true
		case "exec":
			hasExec = true
		case "overlay":
			if !hasValue && i+1 < len(args) {
				i++
				value = args[i]
			}
			userOverlay = value
			continue
		}
		out = append(out, arg)
	}
	if !hasCount {
		out = append([]string{"-count=1"}, out...)
	}
	return out, userOverlay, hasExec
}

// goEnv returns the values of go env for names, in the current directory
// (the go command may switch toolchains there: GOTOOLCHAIN, go.mod).
func goEnv(names ...string) ([]string, error) {
	out, err := exec.Command("go", append([]string{"env"}, names...)...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("go env: %v: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return nil, fmt.Errorf("go env: %v", err)
	}
	vals := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(vals) != len(names) {
		return nil, fmt.Errorf("go env %s: %d values", strings.Join(names, " "), len(vals))
	}
	return vals, nil
}

// cacheDir is where overlays are kept: never GOROOT. Without a user
// cache directory (no $HOME nor $XDG_CACHE_HOME, as in some CI
// containers), the system's temporary directory serves.
func cacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("rstlint-cache-%d", os.Getuid()))
	}
	return filepath.Join(dir, "rstlint", "nethook"), nil
}

func run(args []string, stdout, stderr io.Writer) int {
	opts, rest, err := splitArgs(args)
	if err == errHelp {
		fmt.Fprint(stderr, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "rstlint-test: %v\n%s", err, usage)
		return 2
	}
	env, err := goEnv("GOROOT", "GOVERSION", "GOOS", "GOMODCACHE")
	if err != nil {
		fmt.Fprintf(stderr, "rstlint-test: %v\n", err)
		return 2
	}
	goroot, version, goos, modcache := env[0], env[1], env[2], env[3]
	if goos != "linux" {
		fmt.Fprintf(stderr, "rstlint-test: GOOS=%s: the hook reads Linux's socket state (SIOCINQ); run it on Linux\n", goos)
		return 2
	}
	testArgs, userOverlay, hasExec := goTestArgs(rest)
	var netnsDir string
	if opts.netns {
		if hasExec {
			fmt.Fprintf(stderr, "rstlint-test: -rstlint.netns runs the test binaries through -exec, and an -exec is given\n")
			return 2
		}
		self, err := os.Executable()
		if err == nil {
			netnsDir, err = os.MkdirTemp("", "rstlint-netns-")
		}
		if err != nil {
			fmt.Fprintf(stderr, "rstlint-test: -rstlint.netns: %v\n", err)
			return 2
		}
		defer os.RemoveAll(netnsDir)
		testArgs = append([]string{"-exec='" + self + "' " + execFlag}, testArgs...)
	}
	var extra map[string]string
	if userOverlay != "" {
		if extra, err = nethook.ReadOverlay(userOverlay); err != nil {
			fmt.Fprintf(stderr, "rstlint-test: -overlay: %v\n", err)
			return 2
		}
	}
	dir, err := cacheDir()
	if err != nil {
		fmt.Fprintf(stderr, "rstlint-test: %v\n", err)
		return 2
	}
	goCmd, goEnvExtra := "go", []string(nil)
	if underDir(goroot, modcache) {
		// A toolchain the go command downloaded (GOTOOLCHAIN, a go.mod's
		// toolchain line) lives in the module cache, beneath which the go
		// command refuses to overlay any file. The same GOROOT through a
		// symbolic link outside it is another path to the go command:
		// that toolchain's own go runs with GOROOT set to the link.
		link, err := linkGOROOT(goroot, version, dir)
		if err != nil {
			fmt.Fprintf(stderr, "rstlint-test: %v\n", err)
			return 2
		}
		goroot, goCmd = link, filepath.Join(link, "bin", "go")
		goEnvExtra = []string{"GOROOT=" + link, "GOTOOLCHAIN=local"}
	}
	ov, err := nethook.Prepare(goroot, version, dir, extra)
	if err != nil {
		fmt.Fprintf(stderr, "rstlint-test: refusing to run: %v\n", err)
		return 2
	}
	tracePath, err := filepath.Abs(opts.trace)
	if err != nil {
		fmt.Fprintf(stderr, "rstlint-test: %v\n", err)
		return 2
	}
	// A fresh trace: entries of an earlier run would be counted again.
	if err := os.WriteFile(tracePath, nil, 0o644); err != nil {
		fmt.Fprintf(stderr, "rstlint-test: the trace: %v\n", err)
		return 2
	}

	cmd := exec.Command(goCmd, append([]string{"test", "-overlay=" + ov.File}, testArgs...)...)
	cmd.Env = append(append(os.Environ(), goEnvExtra...), nethook.EnvVar+"="+tracePath)
	if netnsDir != "" {
		cmd.Env = append(cmd.Env, envNetnsDir+"="+netnsDir)
	}
	cmd.Stdin = os.Stdin
	cmd.Stderr = stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintf(stderr, "rstlint-test: %v\n", err)
		return 2
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "rstlint-test: go test: %v\n", err)
		return 2
	}
	results := copyOutput(stdout, pipe)
	code := 0
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			fmt.Fprintf(stderr, "rstlint-test: go test: %v\n", err)
			return 2
		}
		code = ee.ExitCode()
	}

	entries, err := trace.Read(tracePath)
	if err != nil && !errors.Is(err, trace.ErrEmpty) {
		fmt.Fprintf(stderr, "rstlint-test: reading the trace: %v\n", err)
	}
	s := summarize(entries, goroot, version, results.tested)
	s.cached = results.cached
	s.trace = tracePath
	s.write(stderr, opts.sites)
	if netnsDir != "" {
		writeNetns(stderr, readCounts(netnsDir))
	}
	return code
}

// resultLine is go test's line for a package's result: "ok  \tpkg\t0.1s",
// "ok  \tpkg\t(cached)", "FAIL\tpkg\t0.1s", "?   \tpkg\t[no test files]".
var resultLine = regexp.MustCompile(`^(ok|FAIL|\?)\s+(\S+)\s+(\(cached\))?`)

// testOutput is what go test's standard output says of its packages.
type testOutput struct {
	tested map[string]bool // the packages whose tests were built
	cached []string        // those whose result came from the cache
}

// copyOutput copies go test's standard output and reads in it, plain or
// -json, the packages tested and those whose result came from the cache.
func copyOutput(w io.Writer, r io.Reader) testOutput {
	out := testOutput{tested: make(map[string]bool)}
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			io.WriteString(w, line)
			text := line
			if strings.HasPrefix(line, "{") {
				var ev struct{ Package, Output string }
				if json.Unmarshal([]byte(line), &ev) == nil {
					text = ev.Output
					if ev.Package != "" {
						out.tested[ev.Package] = true
					}
				}
			}
			if m := resultLine.FindStringSubmatch(text); m != nil {
				out.tested[m[2]] = true
				if m[3] != "" {
					out.cached = append(out.cached, m[2])
				}
			}
		}
		if err != nil {
			return out
		}
	}
}

// underDir reports whether path is dir or beneath it.
func underDir(path, dir string) bool {
	if dir == "" {
		return false
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// linkGOROOT returns a symbolic link to goroot in the cache directory,
// named by the version, made or remade atomically.
func linkGOROOT(goroot, version, cache string) (string, error) {
	dir := filepath.Join(cache, "goroot")
	link := filepath.Join(dir, version)
	if target, err := os.Readlink(link); err == nil && target == goroot {
		return link, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp := fmt.Sprintf("%s.%d", link, os.Getpid())
	os.Remove(tmp)
	if err := os.Symlink(goroot, tmp); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, link); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return link, nil
}
