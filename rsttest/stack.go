package rsttest

import (
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"

	"github.com/rstlint/rstlint/internal/trace"
)

// ownPrefix is this package's path with a dot: frames of rsttest itself are
// left out of recorded stacks (rsttest_test's frames are kept).
var ownPrefix = reflect.TypeFor[Watcher]().PkgPath() + "."

// callers returns the call stack above rsttest's own frames, outermost
// last.
func callers() []runtime.Frame {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var out []runtime.Frame
	for {
		f, more := frames.Next()
		if f.Function != "" && !strings.HasPrefix(f.Function, ownPrefix) {
			out = append(out, f)
		}
		if !more {
			return out
		}
	}
}

// formatStack formats frames as runtime/debug.Stack does.
func formatStack(frames []runtime.Frame) string {
	var b strings.Builder
	for _, f := range frames {
		fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Function, f.File, f.Line)
	}
	return b.String()
}

// userFrames keeps the frames of the program under test: not the standard
// library's (nor the testing package's), at most trace.MaxFrames of them.
// They are what rstlint matches its diagnostics against.
func userFrames(frames []runtime.Frame) []trace.Frame {
	var out []trace.Frame
	for _, f := range frames {
		if len(out) == trace.MaxFrames {
			break
		}
		if !inStd(f.File) {
			out = append(out, trace.Frame{Func: f.Function, File: f.File, Line: f.Line})
		}
	}
	return out
}

// goroot is where the standard library's sources were when this binary was
// built, as its frames name them: the directory above src/runtime in the
// file of runtime.Callers' own frame ("" under -trimpath).
var goroot = func() string {
	pcs := make([]uintptr, 1)
	runtime.Callers(0, pcs)
	f, _ := runtime.CallersFrames(pcs).Next()
	dir := filepath.ToSlash(filepath.Dir(f.File))
	if root, ok := strings.CutSuffix(dir, "/src/runtime"); ok && filepath.IsAbs(f.File) {
		return root
	}
	return ""
}()

// inStd reports whether a frame's file is the standard library's. Under
// -trimpath the file names have no GOROOT: a standard package's then starts
// with a path element without a dot ("net/http/server.go"), a module's with
// its domain ("example.com/m@v1.2.0/x.go").
func inStd(file string) bool {
	file = filepath.ToSlash(file)
	if goroot != "" && strings.HasPrefix(file, goroot+"/src/") {
		return true
	}
	if filepath.IsAbs(file) || strings.HasPrefix(file, "/") {
		return false
	}
	first, _, _ := strings.Cut(file, "/")
	return !strings.Contains(first, ".")
}
