// Command rstlint reports code paths that close a TCP or unix stream
// connection while the peer's input may still be unread, so that Linux
// answers with RST instead of FIN.
//
// Usage:
//
//	rstlint [flags] ./...
//	go vet -vettool=$(which rstlint) ./...
//	rstlint -explain unread-close
//
// Each line of its output ends with the diagnostic's category, e.g.
// "(unread-close)": "rstlint -explain unread-close" prints that rule's
// page (the kernel's side, a bad and a good example, the fix, how to
// suppress it), and "rstlint -fix ./..." applies the suggested fixes.
// Run "rstlint -help" for the flags. "rstlint -V=full" prints the module
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
// Under go vet, name the trace in the environment instead:
//
//	RSTLINT_TRACE=$PWD/rst.trace go vet -vettool=$(which rstlint) ./...
//
// go vet caches each package's result, keyed by the tool's -V=full answer,
// its flags and the package's inputs: a trace named by a flag is none of
// them, so a changed trace would give the cached verdicts of the old one.
// rstlint puts the content of the trace RSTLINT_TRACE names into its
// -V=full answer, so a changed trace runs the analysis again; -tracefile
// without RSTLINT_TRACE is refused under go vet. A trace that cannot be
// read (missing, empty, truncated, not rsttest's) is an error naming the
// file and line: standalone, the diagnostics are then reported as without
// it; under go vet, nothing runs.
package main

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/rstlint/rstlint/analyzer"
	"github.com/rstlint/rstlint/docs/rules"
)

// traceEnv names the trace under go vet (and, without -trace, standalone).
const traceEnv = "RSTLINT_TRACE"

func main() {
	args := os.Args[1:]
	for i, arg := range args {
		switch arg {
		case "-V=full", "--V=full", "-V", "--V":
			fmt.Println(versionLine())
			return
		case "-explain", "--explain":
			os.Exit(explain(os.Stdout, os.Stderr, args[i+1:]))
		}
	}
	var path string
	var err error
	if os.Args, path, err = traceArgs(os.Args, os.Getenv(traceEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "rstlint:", err)
		os.Exit(1)
	}
	if path != "" {
		if err := analyzer.CheckTrace(path); err != nil {
			if vetRun(os.Args) {
				// go vet would cache the verdicts of a run without it.
				fmt.Fprintf(os.Stderr, "rstlint: %s: %v\n", traceEnv, err)
				os.Exit(1)
			}
			fmt.Fprintf(os.Stderr, "rstlint: -trace: %v (reporting without the trace)\n", err)
		}
	}
	// One process, one type-checked universe: the passes can share the
	// SSA of the packages they import.
	analyzer.ShareSSA()
	filterHelp()
	// Under go vet the go command asks for JSON and prints the text
	// itself, from the message: the category goes there too.
	singlechecker.Main(withCategories(analyzer.Analyzer, vetRun(os.Args) || !jsonOutput(os.Args[1:])))
}

// explain prints the rule pages of the categories named, or lists them.
func explain(stdout, stderr io.Writer, categories []string) int {
	if len(categories) == 0 {
		fmt.Fprintf(stderr, "usage: rstlint -explain CATEGORY...\ncategories: %s\n", strings.Join(rules.Categories(), ", "))
		return 2
	}
	for i, c := range categories {
		page, ok := rules.Page(c)
		if !ok {
			fmt.Fprintf(stderr, "rstlint: no category %q; categories: %s\n", c, strings.Join(rules.Categories(), ", "))
			return 2
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprint(stdout, page)
	}
	return 0
}

// withCategories returns a copy of a whose diagnostics end with their
// category, as staticcheck ends its own with "(SA4006)": the name -explain
// takes, the page its URL gives. The command's own JSON output keeps the
// message as is (the category is a field of its own); go vet asks every
// tool for JSON and prints its text from the message, so there the
// message carries it.
func withCategories(a *analysis.Analyzer, on bool) *analysis.Analyzer {
	if !on {
		return a
	}
	b := *a
	b.Run = func(pass *analysis.Pass) (any, error) {
		report := pass.Report
		p := *pass
		p.Report = func(d analysis.Diagnostic) {
			if d.Category != "" {
				d.Message += " (" + d.Category + ")"
			}
			report(d)
		}
		return a.Run(&p)
	}
	return &b
}

// jsonOutput reports whether the flags, before the first argument that is
// not a flag, ask for JSON (-json, as go vet -json passes it on too).
func jsonOutput(args []string) bool {
	for _, arg := range args {
		if arg == "--" || !strings.HasPrefix(arg, "-") {
			return false
		}
		name, value, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if name == "json" && value != "false" {
			return true
		}
	}
	return false
}

// vetRun reports whether the arguments are those go vet gives a tool: the
// flags, then one .cfg file naming the package's files.
func vetRun(args []string) bool {
	return len(args) > 1 && strings.HasSuffix(args[len(args)-1], ".cfg")
}

// traceArgs rewrites -trace (and --trace), before the first argument
// that is not a flag, as the analyzer's -tracefile, and returns the
// rewritten arguments and the trace's path. Standalone, RSTLINT_TRACE (env)
// stands for -trace when no flag names a trace. Under go vet the trace
// must come from RSTLINT_TRACE, whose content -V=full hashes (see
// versionLine): a -tracefile naming another file is an error.
func traceArgs(args []string, env string) ([]string, string, error) {
	out := []string{args[0]}
	flagged := ""
	i := 1
	for ; i < len(args); i++ {
		arg := args[i]
		if arg == "--" || !strings.HasPrefix(arg, "-") {
			break
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
		flagged = value
	}
	path := cmp.Or(flagged, env)
	if vetRun(args) {
		if flagged != "" && flagged != env {
			return nil, "", fmt.Errorf("under go vet, name the trace in the environment, %s=%s, not with -tracefile: "+
				"go vet caches each package's result by the tool's version and flags, not the trace's content, "+
				"and rstlint puts the content of the trace %s names into its version", traceEnv, flagged, traceEnv)
		}
		path = env
	}
	if path != "" {
		out = append(out, "-tracefile="+path)
	}
	return append(out, args[i:]...), path, nil
}

// versionLine is the answer to -V=full, in the form the go command parses
// to key its vet cache on the tool: "rstlint version devel ... buildID=X"
// for a development build (the go command keys on X), "rstlint version
// v1.2.3 ... buildID=X" for a release (it keys on the whole line). X is
// the SHA-256 of the executable and, when RSTLINT_TRACE names a trace, of
// that trace's content: a rebuilt tool or a changed trace is a new key.
// Between them: the module version and the VCS revision, so that a bug
// report names its build.
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
	id := executableHash()
	if path := os.Getenv(traceEnv); path != "" {
		extra = append(extra, traceEnv+"="+path)
		id = fmt.Sprintf("%x", sha256.Sum256([]byte(id+"\x00"+fileHash(path))))
	}
	return fmt.Sprintf("rstlint version %s %s buildID=%s", version, strings.Join(extra, " "), id)
}

// executableHash is the SHA-256 of the running executable, as the
// go/analysis drivers report it: a rebuilt tool is a new cache key.
func executableHash() string {
	name, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	return fileHash(name)
}

// fileHash is the SHA-256 of a file's content, or the error that kept it
// from being read (so that a trace that appears later is a new key too).
func fileHash(name string) string {
	f, err := os.Open(name)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unreadable: " + err.Error()
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}
