package rsttest

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rstlint/rstlint/internal/netns"
)

// Counters holds kernel TCP counters by name ("OutRsts", "TCPAbortOnClose",
// ...), or their deltas over an interval.
//
// Tcp OutRsts (/proc/net/snmp) counts every RST sent; the TcpExt counters
// (/proc/net/netstat) say why: TCPAbortOnClose (close with unread input),
// TCPAbortOnData (SetLinger(0), or data arriving after close),
// TCPAbortOnLinger, TCPAbortOnMemory, TCPAbortOnTimeout.
// They are per network namespace and only mean something in a private one.
type Counters map[string]int64

// Resets returns the number of RSTs sent (OutRsts).
func (c Counters) Resets() int64 { return c["OutRsts"] }

// String lists the counters as "OutRsts+1 TCPAbortOnClose+1 ...", OutRsts
// first, then the non-zero others by name.
func (c Counters) String() string {
	parts := []string{fmt.Sprintf("OutRsts%+d", c["OutRsts"])}
	var rest []string
	for k, v := range c {
		if k != "OutRsts" && v != 0 {
			rest = append(rest, fmt.Sprintf("%s%+d", k, v))
		}
	}
	sort.Strings(rest)
	if len(rest) == 0 {
		rest = []string{"TCPAbortOn*+0"}
	}
	return strings.Join(append(parts, rest...), " ")
}

// zero reports whether every counter is 0: no RST sent, no abort counted.
func (c Counters) zero() bool {
	for _, v := range c {
		if v != 0 {
			return false
		}
	}
	return true
}

// sub returns c - before, counter by counter.
func (c Counters) sub(before Counters) Counters {
	d := Counters{}
	for k, v := range c {
		d[k] = v - before[k]
	}
	return d
}

// parseProcNet adds to dst the counters found in a /proc/net/snmp or
// /proc/net/netstat file (netns.Parse).
func parseProcNet(dst Counters, r io.Reader) error {
	if err := netns.Parse(dst, r); err != nil {
		return fmt.Errorf("rsttest: %v", err)
	}
	return nil
}
