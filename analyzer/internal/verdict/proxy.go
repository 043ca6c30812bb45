package verdict

import (
	"go/token"
	"maps"
	"slices"
	"sort"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/dataflow"
	"github.com/rstlint/rstlint/analyzer/internal/lattice"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
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
func proxyCandidates(fa *dataflow.Analysis) []Candidate {
	var out []Candidate
	groups := fa.Groups
	for _, g := range groups {
		if !g.Unfinished() {
			continue
		}
		detail := &proxyDetail{waits: g.Waits}
		if g.Signal != nil {
			detail.signal = dataflow.SignalName(g.Signal)
		}
		drained := make(map[int]bool)
		for _, l := range g.Launches {
			detail.gos = append(detail.gos, l.GS.Instr.Pos())
			for _, k := range l.GS.Drains() {
				drained[k] = true
			}
		}
		verdict := ProxyEarly
		if len(g.Launches) == 1 {
			verdict = ReaderActive
			if ic, ok := inlineAfter(fa, g.Launches[0].GS.Instr); ok {
				// The function's own copy is the other direction: its
				// end, then the Close, cuts the goroutine's copy short.
				verdict = ProxyCut
				detail.gos = []token.Pos{ic.Instr.Pos(), g.Launches[0].GS.Instr.Pos()}
			} else if other, ok := otherDirection(groups, g); ok {
				// Another copy goroutine, which signals apart (through a
				// method of the owner, a field's channel): when it ends
				// the Close cuts this one short.
				verdict = ProxyCut
				detail.gos = []token.Pos{other.Pos(), g.Launches[0].GS.Instr.Pos()}
			}
		}
		first := fa.Events.GoIndex[g.Launches[0].GS.Instr]
		for _, k := range slices.Sorted(maps.Keys(drained)) {
			var closes []token.Pos
			for _, o := range fa.Flow.Closes {
				if o.Conn == k && o.AfterGo.Has(first) {
					closes = append(closes, o.Pos)
				}
			}
			sort.Slice(closes, func(i, j int) bool { return closes[i] < closes[j] })
			for _, pos := range closes {
				out = append(out, Candidate{pos: pos, verdict: verdict, conn: fa.Track.Conns[k],
					fnName: fa.Fn.Name(), proxy: detail})
			}
		}
	}
	out = append(out, cutsAndLostEOFs(fa, groups)...)
	// A Close after a pipe helper returned at its first finished
	// direction, with the other copy still reading the conn.
	for _, o := range fa.Flow.Closes {
		if o.LiveReader.Pos.IsValid() {
			out = append(out, Candidate{pos: o.Pos, verdict: ProxyEarly, conn: fa.Track.Conns[o.Conn],
				fnName: fa.Fn.Name(), via: o.Via, proxy: &proxyDetail{pipe: o.LiveReader}})
		}
	}
	return out
}

// cutsAndLostEOFs checks each pair of directions of the function: copy
// goroutines, goroutines that pump into a conn until their source ends
// (a loop that receives a stream's messages and writes them), and the
// copies the function runs itself after starting them.
func cutsAndLostEOFs(fa *dataflow.Analysis, groups []*dataflow.CopyGroup) []Candidate {
	var all []dataflow.GoStmt
	copies := make(map[ssa.CallInstruction]bool)
	tearsDown := make(map[ssa.CallInstruction]bool) // launches of a group the function does not wait for in full
	for _, g := range groups {
		for _, l := range g.Launches {
			all = append(all, l.GS)
			copies[l.GS.Instr] = true
			tearsDown[l.GS.Instr] = g.Unfinished()
		}
	}
	for _, gs := range fa.Events.Gos() {
		if !copies[gs.Instr] && pumps(gs) {
			all = append(all, gs)
		}
	}
	inline := fa.InlineCopies()
	var out []Candidate
	for i, l := range all {
		for _, k := range sortedHanded(l.Handed) {
			rs := l.Handed[k]
			if rs == nil {
				continue
			}
			// The other directions using k while l runs: the other
			// goroutines, and the copies run inline after l started.
			type user struct {
				pos    token.Pos
				rs     *summary.Root
				inline bool
			}
			var users []user
			for j, other := range all {
				if ors := other.Handed[k]; i != j && ors != nil && dataflow.MayRunTogether(l.Instr, other.Instr) {
					users = append(users, user{other.Instr.Pos(), ors, false})
				}
			}
			for _, ic := range inline {
				if ors := ic.Uses[k]; ors != nil && ic.After(fa.Events, l.Instr) {
					users = append(users, user{ic.Instr.Pos(), ors, true})
				}
			}
			for _, other := range users {
				ors := other.rs
				if !ors.Effect.Reads && !ors.Effect.Writes && !ors.Effect.Drains {
					continue
				}
				detail := &proxyDetail{gos: []token.Pos{l.Instr.Pos(), other.pos}}
				// The cut: l closes or aborts k, which other still uses.
				for _, site := range rs.Sites {
					if site.Broken {
						continue // an abort after a failed copy, as rs.Aborts are
					}
					out = append(out, Candidate{pos: site.Pos, verdict: ProxyCut, conn: fa.Track.Conns[k],
						fnName: fa.Fn.Name(), via: site.Via, proxy: detail})
				}
				aborts := rs.Aborts
				if ors.Effect.Reads || ors.Effect.Drains {
					aborts = append(slices.Clone(aborts), rs.ReadAborts...)
				}
				for _, pos := range aborts {
					out = append(out, Candidate{pos: pos, verdict: ProxyCut, conn: fa.Track.Conns[k],
						fnName: fa.Fn.Name(), proxy: detail, abort: true})
				}
				// The lost EOF: l copies into k and leaves it open, not
				// half-closed, while other reads k to EOF. A reader the
				// function runs itself waits for that EOF whatever else
				// the function waits for.
				writes := rs.Effect.Pumps || copies[l.Instr] && rs.Effect.Writes
				if writes && ors.Effect.Drains && eofLost(lattice.Mask(rs.Effect.AtReturn)) &&
					(other.inline || !tearsDown[l.Instr]) && !closesLive(rs) && len(aborts) == 0 {
					out = append(out, Candidate{pos: l.Instr.Pos(), verdict: EOFLost, conn: fa.Track.Conns[k],
						fnName: fa.Fn.Name(), proxy: detail})
				}
			}
		}
	}
	return append(out, inlineLostEOFs(fa, all, tearsDown, inline)...)
}

// inlineLostEOFs are the EOFs an inline copy loses: the function copies
// into conn k itself (io.Copy(k, src), a pump helper) while a goroutine it
// started before reads k to EOF and is waited for, and nothing half-closes
// k: that goroutine, and the function waiting for it, wait for an EOF
// that never comes.
func inlineLostEOFs(fa *dataflow.Analysis, all []dataflow.GoStmt, tearsDown map[ssa.CallInstruction]bool, inline []dataflow.InlineCopy) []Candidate {
	var out []Candidate
	for _, ic := range inline {
		for _, k := range sortedHanded(ic.Uses) {
			if rs := ic.Uses[k]; !rs.Effect.Pumps || fa.HalfCloses(k) {
				continue
			}
			for _, other := range all {
				ors := other.Handed[k]
				if ors == nil || !ors.Effect.Drains || tearsDown[other.Instr] || !ic.After(fa.Events, other.Instr) {
					continue
				}
				out = append(out, Candidate{pos: ic.Instr.Pos(), verdict: EOFLost, conn: fa.Track.Conns[k],
					fnName: fa.Fn.Name(), proxy: &proxyDetail{gos: []token.Pos{ic.Instr.Pos(), other.Instr.Pos()}}})
				break
			}
		}
	}
	return out
}

// closesLive reports whether a goroutine closes the conn on a path where
// the session is not broken (summary.CloseSite.Broken).
func closesLive(rs *summary.Root) bool {
	return slices.ContainsFunc(rs.Sites, func(site summary.CloseSite) bool { return !site.Broken })
}

// pumps reports whether a goroutine copies into some conn until its
// source ends.
func pumps(gs dataflow.GoStmt) bool {
	for _, rs := range gs.Handed {
		if rs != nil && rs.Effect.Pumps {
			return true
		}
	}
	return false
}

// eofLost reports whether a copy goroutine can return having written its
// destination, without error, and left it open without half-closing it:
// a live state that is still unread (no failed read or write ended the
// conversation) and not half-closed.
func eofLost(atReturn lattice.Mask) bool {
	lost := false
	atReturn.Each(func(s lattice.State) {
		if s.Status() == lattice.Unread && s.Written() && !s.HalfClosed() {
			lost = true
		}
	})
	return lost
}

func sortedHanded(m map[int]*summary.Root) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// inlineAfter returns the copy direction the function runs itself after
// the go statement gs, if there is one.
func inlineAfter(fa *dataflow.Analysis, gs ssa.CallInstruction) (dataflow.InlineCopy, bool) {
	for _, ic := range fa.InlineCopies() {
		if ic.After(fa.Events, gs) {
			return ic, true
		}
	}
	return dataflow.InlineCopy{}, false
}

// otherDirection returns a copy goroutine of another group than g that
// may run together with g's.
func otherDirection(groups []*dataflow.CopyGroup, g *dataflow.CopyGroup) (ssa.CallInstruction, bool) {
	for _, o := range groups {
		if o == g {
			continue
		}
		for _, l := range o.Launches {
			if dataflow.MayRunTogether(l.GS.Instr, g.Launches[0].GS.Instr) {
				return l.GS.Instr, true
			}
		}
	}
	return nil, false
}
