//go:build !linux

package netns

import (
	"errors"
	"runtime"
	"syscall"
)

var errUnsupported = errors.New("network namespaces and their counters need Linux; this is " + runtime.GOOS)

// Read is unsupported: the counters read are Linux's /proc/net ones.
func Read() (map[string]int64, error) { return nil, errUnsupported }

// Attr is one way to start a process in a new network namespace.
type Attr struct {
	How  string
	Attr *syscall.SysProcAttr
}

// Attrs lists no way: namespaces are Linux's.
func Attrs() []Attr { return nil }

// Setup fails: namespaces are Linux's.
func Setup() error { return errUnsupported }
