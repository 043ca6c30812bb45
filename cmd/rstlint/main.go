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
	singlechecker.Main(analyzer.Analyzer)
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
