//go:build !plan9

package rsttest

import (
	"errors"
	"syscall"
)

// isReset reports whether err is the peer-visible trace of an RST.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// errText is the errno's text when there is one ("connection reset by
// peer"), else the whole error.
func errText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return err.Error()
}
