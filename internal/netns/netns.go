// Package netns holds what rsttest and rstlint-test share to count RSTs in
// a private network namespace: the kernel's counters, the ways to make the
// namespace, and bringing its lo up.
package netns

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Names are the counters read, as "Section.Name": Tcp OutRsts
// (/proc/net/snmp) counts every RST sent; the TcpExt counters
// (/proc/net/netstat) say why.
var Names = []string{
	"Tcp.OutRsts",
	"TcpExt.TCPAbortOnClose",
	"TcpExt.TCPAbortOnData",
	"TcpExt.TCPAbortOnLinger",
	"TcpExt.TCPAbortOnMemory",
	"TcpExt.TCPAbortOnTimeout",
}

// Parse adds to dst the counters of Names found in a /proc/net/snmp or
// /proc/net/netstat file: lines come in pairs, a header "Section: Name1
// Name2 ..." followed by "Section: value1 value2 ...". dst is keyed by
// the bare name ("OutRsts").
func Parse(dst map[string]int64, r io.Reader) error {
	want := map[string]bool{}
	for _, n := range Names {
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
				return fmt.Errorf("counter %s.%s: %v", section, header[i], err)
			}
			dst[header[i]] = v
		}
		header = nil
	}
	return sc.Err()
}
