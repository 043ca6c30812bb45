package main

// The summary: the Closes that reset, grouped by site, in three groups
// that ask for different things of the user. A Close in the program is
// what rstlint warns about (rstlint -trace confirms it or reports it
// runtime-only); a Close in a test file is the test's own client or
// server; a Close made inside the standard library (net/http's server and
// transport) is listed with the nearest frame of the program that led to
// it, when the closing goroutine has one.

import (
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rstlint/rstlint/internal/trace"
)

// group is where a Close was made.
type group int

const (
	inProgram group = iota // the program's own code, or a dependency's
	inTests                // a _test.go file
	inStd                  // the standard library
)

var groupTitle = [...]string{
	inProgram: "closed by the program",
	inTests:   "closed by the test files",
	inStd:     "closed inside the standard library",
}

// site is one place where Closes reset.
type site struct {
	group  group
	at     trace.Frame  // the Close: the first frame (for inStd, the innermost std frame)
	user   *trace.Frame // inStd: the nearest frame outside the standard library
	count  int
	linger int // of which with SO_LINGER 0
	unread []int
	tests  []string
	origin *trace.Frame
}

// summary is what rstlint-test prints at the end.
type summary struct {
	goroot, version string
	total           int
	sites           []*site
	cached          []string
	trace           string
}

// std tells the standard library's frames from the program's.
type std struct {
	goroot string
	tested map[string]bool // packages under test: std's own, when std is tested
}

// frame reports whether f is a frame of the standard library that is not
// under test: a package of std whose tests run (go test net/http) is the
// program, and test files are always the tests'.
func (s std) frame(f trace.Frame) bool {
	if !isStd(s.goroot, f.File) || strings.HasSuffix(f.File, "_test.go") {
		return false
	}
	return !s.tested[pkgOf(f.Func)]
}

// pkgOf is the package of a function's name, a test package's as the
// package it tests: "net/http_test.TestX" is "net/http".
func pkgOf(fn string) string {
	slash := max(strings.LastIndex(fn, "/"), 0)
	if dot := strings.Index(fn[slash:], "."); dot >= 0 {
		fn = fn[:slash+dot]
	}
	return strings.TrimSuffix(fn, "_test")
}

// isStd reports whether a frame's file is the standard library's: under
// goroot/src, or, in a -trimpath build, a path whose first element has no
// dot.
func isStd(goroot, file string) bool {
	file = filepath.ToSlash(file)
	if goroot != "" && strings.HasPrefix(file, filepath.ToSlash(goroot)+"/src/") {
		return true
	}
	if strings.HasPrefix(file, "/") || filepath.IsAbs(file) {
		return false
	}
	first, _, _ := strings.Cut(file, "/")
	return first != "" && !strings.Contains(first, ".")
}

// summarize groups the entries by site; tested are the packages whose
// tests ran.
func summarize(entries []trace.Entry, goroot, version string, tested map[string]bool) *summary {
	s := &summary{goroot: goroot, version: version}
	inStdLib := std{goroot, tested}.frame
	bySite := make(map[string]*site)
	for _, e := range entries {
		if len(e.Frames) == 0 {
			continue // a count of resets without a place (rsttest.CountResets)
		}
		st := &site{at: e.Frames[0]}
		switch {
		case inStdLib(st.at):
			st.group = inStd
			for _, f := range e.Frames {
				if !inStdLib(f) {
					st.user = &f
					break
				}
			}
		case strings.HasSuffix(st.at.File, "_test.go"):
			st.group = inTests
		}
		key := fmt.Sprintf("%d %s:%d %s", st.group, st.at.File, st.at.Line, st.at.Func)
		if st.user != nil {
			key += fmt.Sprintf(" %s:%d", st.user.File, st.user.Line)
		}
		if old, ok := bySite[key]; ok {
			st = old
		} else {
			bySite[key] = st
			s.sites = append(s.sites, st)
		}
		if st.origin == nil {
			st.origin = e.Origin // the first one known
		}
		s.total++
		st.count++
		if e.LingerZero {
			st.linger++
		}
		st.unread = append(st.unread, e.Unread)
		if !slices.Contains(st.tests, e.Test) {
			st.tests = append(st.tests, e.Test)
		}
	}
	slices.SortStableFunc(s.sites, func(a, b *site) int {
		return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(b.count, a.count),
			cmp.Compare(a.at.File, b.at.File), cmp.Compare(a.at.Line, b.at.Line))
	})
	return s
}

// write prints the summary, at most max sites per group (0: all).
func (s *summary) write(w io.Writer, max int) {
	fmt.Fprintf(w, "\nrstlint-test (%s): ", s.version)
	switch s.total {
	case 0:
		fmt.Fprintf(w, "no Close reset a connection")
	case 1:
		fmt.Fprintf(w, "1 Close reset its connection")
	default:
		fmt.Fprintf(w, "%d Closes reset their connection", s.total)
	}
	fmt.Fprintf(w, " (Linux sent RST, not FIN: unread input, or SO_LINGER 0)\n")
	for g := inProgram; g <= inStd; g++ {
		var sites []*site
		n := 0
		for _, st := range s.sites {
			if st.group == g {
				sites = append(sites, st)
				n += st.count
			}
		}
		if len(sites) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s: %d at %d %s\n", groupTitle[g], n, len(sites), plural(len(sites), "site", "sites"))
		for i, st := range sites {
			if max > 0 && i == max {
				fmt.Fprintf(w, "  ... and %d more sites (-rstlint.sites=0 lists all)\n", len(sites)-max)
				break
			}
			s.writeSite(w, st)
		}
	}
	if len(s.cached) > 0 {
		fmt.Fprintf(w, "\n%d %s came from go test's cache and ran nothing, so recorded nothing: %s (drop -count to run them)\n",
			len(s.cached), plural(len(s.cached), "package", "packages"), strings.Join(s.cached, ", "))
	}
	if s.total > 0 {
		fmt.Fprintf(w, "\ntrace: %s\nrstlint -trace=%s ./...   marks rstlint's warnings whose Close reset as confirmed, and reports the others as runtime-only\n", s.trace, s.trace)
	}
}

func (s *summary) writeSite(w io.Writer, st *site) {
	fmt.Fprintf(w, "  %4d× %s:%d  %s\n", st.count, s.shortFile(st.at.File), st.at.Line, shortFunc(st.at.Func))
	var why []string
	lo, hi := slices.Min(st.unread), slices.Max(st.unread)
	switch {
	case hi == 0:
	case lo == hi:
		why = append(why, fmt.Sprintf("%d bytes unread", hi))
	default:
		why = append(why, fmt.Sprintf("%d to %d bytes unread", lo, hi))
	}
	if st.linger > 0 {
		why = append(why, fmt.Sprintf("SO_LINGER 0 (%d×)", st.linger))
	}
	tests := st.tests[0]
	if len(st.tests) > 1 {
		tests += fmt.Sprintf(" and %d more", len(st.tests)-1)
	}
	why = append(why, "in "+tests)
	if st.origin != nil {
		why = append(why, fmt.Sprintf("conn from %s:%d", s.shortFile(st.origin.File), st.origin.Line))
	}
	fmt.Fprintf(w, "        %s\n", strings.Join(why, "; "))
	if st.group == inStd {
		if st.user != nil {
			fmt.Fprintf(w, "        nearest program frame: %s:%d  %s\n", s.shortFile(st.user.File), st.user.Line, shortFunc(st.user.Func))
		} else {
			fmt.Fprintf(w, "        on a goroutine of the standard library's own\n")
		}
	}
}

// shortFile names a file relative to the current directory when it is
// under it, relative to GOROOT/src for the standard library, and as
// module@version/path for the module cache.
func (s *summary) shortFile(file string) string {
	if s.goroot != "" {
		if rel, ok := strings.CutPrefix(file, filepath.Join(s.goroot, "src")+string(filepath.Separator)); ok {
			return rel
		}
	}
	if wd, err := filepath.Abs("."); err == nil {
		if rel, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	if i := strings.Index(file, "/pkg/mod/"); i >= 0 {
		return file[i+len("/pkg/mod/"):]
	}
	return file
}

// shortFunc drops the package path's directories: "net/http.(*conn).serve"
// is "http.(*conn).serve".
func shortFunc(name string) string {
	if i := strings.LastIndex(name, "/"); i >= 0 {
		return name[i+1:]
	}
	return name
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
