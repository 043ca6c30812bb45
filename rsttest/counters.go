package rsttest

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
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

// counterNames are the counters rsttest reads, as "Section.Name".
var counterNames = []string{
	"Tcp.OutRsts",
	"TcpExt.TCPAbortOnClose",
	"TcpExt.TCPAbortOnData",
	"TcpExt.TCPAbortOnLinger",
	"TcpExt.TCPAbortOnMemory",
	"TcpExt.TCPAbortOnTimeout",
}

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

// parseProcNet adds to dst the counters of counterNames found in a
// /proc/net/snmp or /proc/net/netstat file: lines come in pairs, a header
// "Section: Name1 Name2 ..." followed by "Section: value1 value2 ...".
func parseProcNet(dst Counters, r io.Reader) error {
	want := map[string]bool{}
	for _, n := range counterNames {
		want[n] = true
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20) // TcpExt lines are several KiB
	var header []string
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if header == nil || header[0] != fields[0] {
			header = fields
			continue
		}
		section := strings.TrimSuffix(fields[0], ":")
		for i := 1; i < len(fields) && i < len(header); i++ {
			if !want[section+"."+header[i]] {
				continue
			}
			v, err := strconv.ParseInt(fields[i], 10, 64)
			if err != nil {
				return fmt.Errorf("rsttest: counter %s.%s: %v", section, header[i], err)
			}
			dst[header[i]] = v
		}
		header = nil
	}
	return sc.Err()
}
