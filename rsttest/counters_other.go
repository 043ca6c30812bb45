//go:build !linux

package rsttest

// readCounters is unsupported: the counters read are Linux's /proc/net ones.
func readCounters() (Counters, error) { return nil, errUnsupported }
