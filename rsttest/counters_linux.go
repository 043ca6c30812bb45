//go:build linux

package rsttest

import (
	"fmt"

	"github.com/rstlint/rstlint/internal/netns"
)

// readCounters reads the RST counters of the calling process's network
// namespace (/proc/self/net is the namespace of the process, not of the host).
func readCounters() (Counters, error) {
	c, err := netns.Read()
	if err != nil {
		return nil, fmt.Errorf("rsttest: %v", err)
	}
	return c, nil
}
