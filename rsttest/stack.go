package rsttest

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// ownPrefix is this package's path with a dot: frames of rsttest itself are
// left out of recorded stacks (rsttest_test's frames are kept).
var ownPrefix = reflect.TypeFor[Watcher]().PkgPath() + "."

// callerStack formats the stack of the goroutine calling Close, from the
// caller of the wrapper's Close down to the goroutine's start.
func callerStack() string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var b strings.Builder
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, ownPrefix) && f.Function != "" {
			fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Function, f.File, f.Line)
		}
		if !more {
			break
		}
	}
	return b.String()
}
