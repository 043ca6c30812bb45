package verdict

import (
	"os"
	"sync"

	"github.com/rstlint/rstlint/internal/trace"
)

// This file reads the trace of the resets the tests saw (rsttest,
// RSTTEST_TRACE), once per process and content.

// CheckTrace reads the trace at path and returns why it cannot be used:
// missing, empty, truncated or not rsttest's. Drivers call it before
// analysing (rstlint -trace, the golangci-lint plugin) to report a bad
// trace; the analyzer itself reports without a trace it cannot read.
func CheckTrace(path string) error {
	return LoadTrace(path).err
}

// Trace is a trace read once per process, however many packages
// are analysed.
type Trace struct {
	entries []trace.Entry // those that name frames of the program
	err     error
}

var traceCache struct {
	sync.Mutex
	m map[traceKey]*Trace
}

// traceKey identifies a trace file's content well enough to re-read it
// when a long-lived driver (gopls) sees it rewritten.
type traceKey struct {
	path string
	size int64
	mod  int64
}

func LoadTrace(p string) *Trace {
	key := traceKey{path: p}
	if fi, err := os.Stat(p); err == nil {
		key.size, key.mod = fi.Size(), fi.ModTime().UnixNano()
	}
	traceCache.Lock()
	defer traceCache.Unlock()
	if lt, ok := traceCache.m[key]; ok {
		return lt
	}
	lt := new(Trace)
	entries, err := trace.Read(p)
	if err != nil {
		lt.err = err
	} else {
		for _, e := range entries {
			if len(e.Frames) > 0 {
				lt.entries = append(lt.entries, e)
			}
		}
	}
	if traceCache.m == nil {
		traceCache.m = make(map[traceKey]*Trace)
	}
	traceCache.m[key] = lt
	return lt
}
