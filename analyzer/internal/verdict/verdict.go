// Package verdict is the last stage of rstlint's analysis: the verdicts
// on the Closes the dataflow saw (judge.go, and the proxy rules,
// proxy.go), one diagnostic per position (diagnostics.go) in the words of
// messages.go, without those the options turn off (categories.go) or a
// directive suppresses (directive.go), with the fix (fix.go), and, given
// a trace of the resets the tests saw (trace.go), confirmed or reported
// as runtime-only (confirm.go, with the source index of places.go).
package verdict

import (
	"slices"

	"github.com/rstlint/rstlint/analyzer/internal/dataflow"
)

// Candidates returns the candidates of the package's analyzed functions:
// their Closes that reset, and the proxies' early closes and lost EOFs.
func Candidates(analyses []*dataflow.Analysis) []Candidate {
	var cands []Candidate
	read := readSources(analyses)
	handed := handedOnLaunches(analyses)
	for _, fa := range analyses {
		cands = append(cands, judge(fa, read, handed[fa.Fn])...)
		cands = append(cands, proxyCandidates(fa)...)
	}
	// A conn dialed on a network the caller names may be a datagram
	// conn: the dial helper's callers judge it, where they pass "tcp".
	// SetLinger(0) is the exception: only a TCP conn has it.
	//
	// A proxy's end that no known origin made may be a mux stream or a
	// pipe: only the cut of a copy direction, which loses data on any
	// stream, is reported for it.
	return slices.DeleteFunc(cands, func(c Candidate) bool {
		return c.conn.CallerNetwork && c.verdict != LingerZero ||
			c.conn.ProxyEnd && c.verdict != ProxyEarly && c.verdict != ProxyCut ||
			c.conn.DatagramPeer // a UDP relay's end: no stream, no RST
	})
}
