package analyzer

import (
	"go/token"
	"sort"

	"golang.org/x/tools/go/ssa"
)

// This file is the proxy rule: a function starts goroutines that each
// read a connection to EOF (the two io.Copy directions of a proxy), waits
// for fewer of them than it started (one receive from an error channel),
// and then closes a connection that an unfinished direction still reads.
// Its input may be queued unread, so the Close sends RST. It reads the
// event table (which goroutines drain what) and the dataflow's Closes
// (which run after a go statement); it walks no graph of its own.

// proxyCandidates finds the proxy shapes in one function:
//
//   - the first finisher: a group of copy goroutines, fewer of which the
//     function waits for than it started, and a Close after them of a conn
//     an unfinished one still reads (proxy-early-close); with one reader,
//     a Close that cuts it short (unread-close);
//   - the cut: a copy goroutine that, when its own direction ends, closes
//     or aborts (a deadline in the past) a conn another copy goroutine
//     still reads or writes (proxy-early-close);
//   - the lost EOF: a copy goroutine whose direction ends without error
//     and without half-closing (or closing) its destination, while
//     another direction still reads that destination: the far peer never
//     sees the end of the request (proxy-eof-lost). Only where nothing
//     else ends the session then: a proxy that tears down at its first
//     finished direction (it waits for fewer directions than it started,
//     or the goroutine closes or aborts the destination itself) has its
//     peers see the end by that close, and its problem is the early
//     close, which the rules above report.
func proxyCandidates(fa *funcAnalysis) []candidate {
	var out []candidate
	groups := fa.groups
	for _, g := range groups {
		if !g.unfinished() {
			continue
		}
		detail := &proxyDetail{waits: g.waits}
		if g.signal != nil {
			detail.signal = signalName(g.signal)
		}
		drained := make(map[int]bool)
		for _, l := range g.launches {
			detail.gos = append(detail.gos, l.gs.instr.Pos())
			for _, k := range l.gs.drains() {
				drained[k] = true
			}
		}
		verdict := verdictProxyEarly
		if len(g.launches) == 1 {
			verdict = verdictReaderActive
		}
		first := fa.ev.goIndex[g.launches[0].gs.instr]
		for _, k := range sortedKeys(drained) {
			var closes []token.Pos
			for _, o := range fa.flow.closes {
				if o.conn == k && o.afterGo.has(first) {
					closes = append(closes, o.pos)
				}
			}
			sort.Slice(closes, func(i, j int) bool { return closes[i] < closes[j] })
			for _, pos := range closes {
				out = append(out, candidate{pos: pos, verdict: verdict, conn: fa.tr.conns[k],
					fnName: fa.fn.Name(), proxy: detail})
			}
		}
	}
	out = append(out, cutsAndLostEOFs(fa, groups)...)
	// A Close after a pipe helper returned at its first finished
	// direction, with the other copy still reading the conn.
	for _, o := range fa.flow.closes {
		if o.liveReader.pos.IsValid() {
			out = append(out, candidate{pos: o.pos, verdict: verdictProxyEarly, conn: fa.tr.conns[o.conn],
				fnName: fa.fn.Name(), via: o.via, proxy: &proxyDetail{pipe: o.liveReader}})
		}
	}
	return out
}

// cutsAndLostEOFs checks each pair of copy goroutines of the function.
func cutsAndLostEOFs(fa *funcAnalysis, groups []*copyGroup) []candidate {
	var all []copyLaunch
	tearsDown := make(map[*ssa.Go]bool) // launches of a group the function does not wait for in full
	for _, g := range groups {
		all = append(all, g.launches...)
		for _, l := range g.launches {
			tearsDown[l.gs.instr] = g.unfinished()
		}
	}
	var out []candidate
	for i, l := range all {
		for _, k := range sortedHanded(l.gs.handed) {
			rs := l.gs.handed[k]
			if rs == nil {
				continue
			}
			for j, other := range all {
				ors := other.gs.handed[k]
				if i == j || ors == nil || !ors.effect.Reads && !ors.effect.Writes && !ors.effect.Drains {
					continue
				}
				detail := &proxyDetail{gos: []token.Pos{l.gs.instr.Pos(), other.gs.instr.Pos()}}
				// The cut: l closes or aborts k, which other still uses.
				for _, site := range rs.sites {
					out = append(out, candidate{pos: site.pos, verdict: verdictProxyCut, conn: fa.tr.conns[k],
						fnName: fa.fn.Name(), via: site.via, proxy: detail})
				}
				for _, pos := range rs.aborts {
					out = append(out, candidate{pos: pos, verdict: verdictProxyCut, conn: fa.tr.conns[k],
						fnName: fa.fn.Name(), proxy: detail, abort: true})
				}
				// The lost EOF: l writes k and leaves it open, not
				// half-closed, while other reads k to EOF.
				if rs.effect.Writes && ors.effect.Drains && eofLost(mask(rs.effect.AtReturn)) &&
					!tearsDown[l.gs.instr] && len(rs.sites) == 0 && len(rs.aborts) == 0 {
					out = append(out, candidate{pos: l.gs.instr.Pos(), verdict: verdictEOFLost, conn: fa.tr.conns[k],
						fnName: fa.fn.Name(), proxy: detail})
				}
			}
		}
	}
	return out
}

// eofLost reports whether a copy goroutine can return having written its
// destination, without error, and left it open without half-closing it:
// a live state that is still unread (no failed read or write ended the
// conversation) and not half-closed.
func eofLost(atReturn mask) bool {
	lost := false
	atReturn.each(func(s state) {
		if s.status() == statusUnread && s.written() && !s.halfClosed() {
			lost = true
		}
	})
	return lost
}

func sortedHanded(m map[int]*rootSummary) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}
