package analyzer

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// This file judges one analysed function: which of its Closes it answers
// for (connections it creates, parameters it owns, and the Closes of the
// goroutine literals it starts), and the verdict on each. It turns the
// dataflow's observations into candidates; report.go words them.

// candidate is a diagnostic before deduplication and suppression.
type candidate struct {
	pos      token.Pos
	verdict  verdict
	conn     *conn
	fnName   string // the function whose parameter conn is, if it is one
	lastIO   ioSite
	lingerAt token.Pos
	via      string
	proxy    *proxyDetail // for verdictProxyEarly
	// leavesAt is set for a linger-zero candidate at a SetLinger(0) whose
	// conn leaves the function there, linger still zero.
	leavesAt token.Pos
	// abort is set for a proxy cut by a deadline in the past, not a Close.
	abort bool
}

// proxyDetail is the proxy rule's account of the goroutines, for the
// message.
type proxyDetail struct {
	pipe   ioSite      // the call of a pipe helper that returned at its first direction
	gos    []token.Pos // the go statements of the copy directions
	waits  int         // how many of them the function waits for
	signal string      // what it waits on: "channel errc", "WaitGroup wg"
}

// funcAnalysis is everything the stages computed for one function.
type funcAnalysis struct {
	fn     *ssa.Function
	g      *cfg
	tr     *tracking
	ev     *eventTable
	flow   *flowResult
	groups []*copyGroup
	sum    *funcSummary
}

// judge returns the candidates of one function: Closes of connections it
// creates or owns, and those in the goroutines it starts. readSources are
// the sources of owning fields (origin calls, storing parameters) that
// some function of the package reads: a dialed conn kept in a field that
// nothing reads is one-way, and owes no reply.
func judge(fa *funcAnalysis, readSources map[ssa.Value]bool) []candidate {
	var out []candidate
	add := func(pos token.Pos, k int, m mask, lastIO ioSite, lingerAt token.Pos, via string) {
		v := verdictOf(m)
		if v == verdictClean || !pos.IsValid() {
			return
		}
		if c := fa.tr.conns[k]; c.field != nil && c.client && !anyRead(readSources, c.field.sources) &&
			(v == verdictUnread || v == verdictHalfCloseUndrained) {
			return
		}
		out = append(out, candidate{pos: pos, verdict: v, conn: fa.tr.conns[k], fnName: fa.fn.Name(),
			lastIO: lastIO, lingerAt: lingerAt, via: via})
	}
	for _, o := range fa.flow.closes {
		if o.judged && fa.answersFor(o.conn) {
			add(o.pos, o.conn, o.states, o.lastIO, o.lingerAt, o.via)
		}
	}
	// A conn that leaves with SO_LINGER at zero resets wherever it is
	// closed: report it at the SetLinger(0) this function made.
	if body := fa.fn.Syntax(); body != nil {
		for _, l := range fa.flow.lingerLeaks {
			if c := fa.tr.conns[l.conn]; !c.conflicted && body.Pos() <= l.lingerAt && l.lingerAt < body.End() {
				out = append(out, candidate{pos: l.lingerAt, verdict: verdictLingerZero, conn: c, fnName: fa.fn.Name(),
					lingerAt: l.lingerAt, leavesAt: l.pos})
			}
		}
	}
	// A connection handed to several goroutines has no single owner: one
	// may close while another still reads to EOF. Say nothing about it.
	launched := make(map[int]int)
	for _, l := range fa.flow.launches {
		launched[l.ev.conn]++
	}
	for _, l := range fa.flow.launches {
		k := l.ev.conn
		c := fa.tr.conns[k]
		if c.conflicted || c.freeVar >= 0 || launched[k] > 1 || c.param >= 0 && !c.definite {
			continue // a captured connection's goroutines are judged by the launcher
		}
		judgeLaunch(l.ev.root, l.states, l.lastIO, 0, func(pos token.Pos, m mask, lastIO ioSite, lingerAt token.Pos, via string) {
			add(pos, k, m, lastIO, lingerAt, via)
		})
	}
	return out
}

// answersFor decides whether this function judges the Closes of conn k:
// connections it creates, and parameters of functions that own them.
func (fa *funcAnalysis) answersFor(k int) bool {
	c := fa.tr.conns[k]
	if c.conflicted || c.freeVar >= 0 {
		return false
	}
	if c.param < 0 {
		return true
	}
	rs := fa.sum.params[c.key()]
	return c.definite && rs != nil && rs.effect.Uses && !rs.effect.Escapes && !calledInline(fa.fn)
}

// calledInline reports whether fn is a function literal that is only
// called where it is written: its parameters are judged by its caller.
func calledInline(fn *ssa.Function) bool {
	if fn.Parent() == nil {
		return false
	}
	if len(fn.FreeVars) == 0 {
		return onlyCalled(fn, false)
	}
	for _, b := range fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			if mc, ok := instr.(*ssa.MakeClosure); ok && mc.Fn == fn {
				return onlyCalled(mc, false)
			}
		}
	}
	return false
}

// judgeLaunch judges the Closes in a goroutine literal started in the
// states m, and in the goroutines it starts in turn.
func judgeLaunch(rs *rootSummary, m mask, lastIO ioSite, depth int, add func(token.Pos, mask, ioSite, token.Pos, string)) {
	if rs == nil || rs.effect.Escapes && len(rs.launches) == 0 || depth > 8 {
		return
	}
	for _, site := range rs.sites {
		io := lastIO
		if site.lastIO.pos != token.NoPos {
			io = site.lastIO
		}
		add(site.pos, compose(m, site.rel), io, site.lingerAt, site.via)
	}
	for _, l := range rs.launches {
		judgeLaunch(l.root, compose(m, l.rel), lastIO, depth+1, add)
	}
}

// readSources returns the sources of owning fields that some analysed
// function reads: through a field root, or as the origin conn before it
// was stored.
func readSources(analysed []*funcAnalysis) map[ssa.Value]bool {
	read := make(map[ssa.Value]bool)
	for _, fa := range analysed {
		origins := make(map[int]ssa.Value, len(fa.tr.originAt))
		for call, k := range fa.tr.originAt {
			origins[k] = call
		}
		for k, c := range fa.tr.conns {
			if !fa.ev.read[k] {
				continue
			}
			if c.field != nil {
				for _, src := range c.field.sources {
					read[src] = true
				}
			} else if call, ok := origins[k]; ok {
				read[call] = true
			} else if c.param >= 0 {
				read[fa.fn.Params[c.param]] = true
			}
		}
	}
	return read
}

func anyRead(read map[ssa.Value]bool, sources []ssa.Value) bool {
	for _, src := range sources {
		if read[src] {
			return true
		}
	}
	return false
}
