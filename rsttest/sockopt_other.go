//go:build !linux

package rsttest

// On other systems the probes report errUnsupported: the scenario runner still
// runs and a peer's ECONNRESET still proves RST, but nothing proves FIN.

func inqFD(uintptr) (int, error)         { return 0, errUnsupported }
func outqFD(uintptr) (int, error)        { return 0, errUnsupported }
func lingerZeroFD(uintptr) (bool, error) { return false, errUnsupported }
func tcpStateFD(uintptr) (string, error) { return "", errUnsupported }
func soErrorFD(uintptr) (error, error)   { return nil, errUnsupported }
