package rsttest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// fakeTB records what rsttest reports instead of failing the real test. Its
// embedded testing.TB is nil: a call rsttest should not make panics.
type fakeTB struct {
	testing.TB
	name string

	mu                  sync.Mutex
	errors, logs, skips []string
}

func (f *fakeTB) Helper()      {}
func (f *fakeTB) Name() string { return f.name }

func (f *fakeTB) Errorf(format string, args ...any) { f.add(&f.errors, format, args) }
func (f *fakeTB) Logf(format string, args ...any)   { f.add(&f.logs, format, args) }

// Skipf records the skip; unlike testing's it returns, so the caller goes on.
func (f *fakeTB) Skipf(format string, args ...any) { f.add(&f.skips, format, args) }

func (f *fakeTB) add(list *[]string, format string, args []any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	*list = append(*list, fmt.Sprintf(format, args...))
}

func (f *fakeTB) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprintf("errors:\n%s\nlogs:\n%s\nskips:\n%s", strings.Join(f.errors, "\n"),
		strings.Join(f.logs, "\n"), strings.Join(f.skips, "\n"))
}
