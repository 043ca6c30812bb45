// Command rstlint reports code paths that close a TCP or unix stream
// connection while the peer's input may still be unread, so that Linux
// answers with RST instead of FIN.
//
// Usage:
//
//	rstlint [flags] ./...
//	go vet -vettool=$(which rstlint) ./...
//
// Run "rstlint -help" for the flags and "go doc github.com/rstlint/rstlint/analyzer"
// for what each diagnostic means. "rstlint -V=full" prints the module
// version and VCS revision the binary was built from.
//
// With a trace that tests recorded (go doc github.com/rstlint/rstlint/rsttest.Watcher),
// rstlint marks each diagnostic whose Close reset while the tests ran as
// confirmed, and reports the resets it did not predict as runtime-only:
//
//	RSTTEST_TRACE=$PWD/rst.trace go test ./...
//	rstlint -trace=$PWD/rst.trace ./...
//
// -trace is the analyzer's -tracefile flag: the go/analysis drivers' own
// -trace (an execution trace of the linter) is not available in rstlint.
// Under go vet, which passes on only the flags a tool lists, spell it
// -tracefile: go vet -vettool=$(which rstlint) -tracefile=$PWD/rst.trace ./...
// A trace that cannot be read (missing, empty, truncated, not rsttest's)
// is an error on stderr naming the file and line; the diagnostics are then
// reported as without it.
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/rstlint/rstlint/analyzer"
)

func main() {
	for _, arg := range os.Args[1:] {
		if arg == "-V=full" || arg == "--V=full" || arg == "-V" || arg == "--V" {
			fmt.Println(versionLine())
			return
		}
	}
	var path string
	os.Args, path = traceFlag(os.Args)
	if path != "" {
		if err := analyzer.CheckTrace(path); err != nil {
			fmt.Fprintf(os.Stderr, "rstlint: -trace: %v (reporting without the trace)\n", err)
		}
	}
	// One process, one type-checked universe: the passes can share the
	// SSA of the packages they import.
	analyzer.ShareSSA()
	singlechecker.Main(analyzer.Analyzer)
}

// traceFlag rewrites -trace (and --trace), before the first argument that
// is not a flag, as the analyzer's -tracefile, and returns the rewritten
// arguments and the trace's path (also of a -tracefile given as such).
func traceFlag(args []string) ([]string, string) {
	out := []string{args[0]}
	path := ""
	for i := 1; i < len(args); i++ {
		arg := args[i]
		if arg == "--" || !strings.HasPrefix(arg, "-") {
			return append(out, args[i:]...), path
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if name != "trace" && name != "tracefile" {
			out = append(out, arg)
			continue
		}
		if !hasValue && i+1 < len(args) {
			i++
			value = args[i]
		}
		path = value
		out = append(out, "-tracefile="+value)
	}
	return out, path
}

// versionLine is the answer to -V=full, in the form the go command parses
// to key its vet cache on the tool: "rstlint version devel ... buildID=X"
// for a development build (the go command keys on X, the executable's
// hash), "rstlint version v1.2.3 ..." for a release (it keys on the whole
// line, which ends with the hash too). Between them: the module version
// and the VCS revision, so that a bug report names its build.
func versionLine() string {
	version, extra := "devel", []string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			version = v
		} else {
			extra = append(extra, "module="+bi.Main.Path+"@(devel)")
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				extra = append(extra, "vcs.revision="+s.Value)
			case "vcs.time":
				extra = append(extra, "vcs.time="+s.Value)
			case "vcs.modified":
				if s.Value == "true" {
					extra = append(extra, "vcs.modified=true")
				}
			}
		}
		extra = append(extra, bi.GoVersion)
	}
	return fmt.Sprintf("rstlint version %s %s buildID=%s", version, strings.Join(extra, " "), executableHash())
}

// executableHash is the SHA-256 of the running executable, as the
// go/analysis drivers report it: a rebuilt tool is a new cache key.
func executableHash() string {
	name, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	f, err := os.Open(name)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}
