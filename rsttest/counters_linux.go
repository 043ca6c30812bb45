//go:build linux

package rsttest

import (
	"fmt"
	"os"
)

// readCounters reads the RST counters of the calling process's network
// namespace (/proc/self/net is the namespace of the process, not of the host).
func readCounters() (Counters, error) {
	c := Counters{}
	for _, name := range []string{"/proc/self/net/snmp", "/proc/self/net/netstat"} {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("rsttest: reading counters: %v", err)
		}
		err = parseProcNet(c, f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	if _, ok := c["OutRsts"]; !ok {
		return nil, fmt.Errorf("rsttest: no Tcp OutRsts in /proc/self/net/snmp")
	}
	return c, nil
}
