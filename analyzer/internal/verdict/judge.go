package verdict

import (
	"go/token"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/dataflow"
	"github.com/rstlint/rstlint/analyzer/internal/lattice"
	"github.com/rstlint/rstlint/analyzer/internal/ownership"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file judges one analysed function: which of its Closes it answers
// for (connections it creates, parameters it owns, and the Closes of the
// goroutine literals it starts), and the verdict on each. It turns the
// dataflow's observations into candidates; messages.go words them.

// Candidate is a diagnostic before deduplication and suppression.
type Candidate struct {
	pos      token.Pos
	verdict  Verdict
	conn     *ownership.Conn
	fnName   string // the function whose parameter conn is, if it is one
	lastIO   summary.IOSite
	lingerAt token.Pos
	via      string
	proxy    *proxyDetail // for ProxyEarly
	// leavesAt is set for a linger-zero Candidate at a SetLinger(0) whose
	// conn leaves the function there, linger still zero.
	leavesAt token.Pos
	// abort is set for a proxy cut by a deadline in the past, not a Close.
	abort bool
	// rejected: on a path to the Close, a read failed on what the peer
	// sent (a parser or a check rejected it), and the rest is unread.
	rejected bool
	// beside: an unread-close on the paths where no copy uses the conn,
	// reported beside the cut of a copy at the same Close (Diagnostics
	// keeps it only there).
	beside bool
	// paths are, for a deferred Close, the returns of the paths the
	// verdict is about (the first few).
	paths []token.Pos
	// states are, for a reject, the states of the paths it is about: a
	// Close that rejects after a failed parse on some paths and after our
	// own failure on others has one reject for each.
	states lattice.Mask
}

// proxyDetail is the proxy rule's account of the goroutines, for the
// message.
type proxyDetail struct {
	pipe   summary.IOSite // the call of a pipe helper that returned at its first direction
	gos    []token.Pos    // the go statements of the copy directions
	waits  int            // how many of them the function waits for
	signal string         // what it waits on: "channel errc", "WaitGroup wg"
}

// judge returns the candidates of one function: Closes of connections it
// creates or owns, and those in the goroutines it starts. readSources are
// the sources of owning fields (origin calls, storing parameters) that
// some function of the package reads: a dialed conn kept in a field that
// nothing reads is one-way, and owes no reply.
func judge(fa *dataflow.Analysis, readSources map[ssa.Value]bool, handedOn map[int]bool) []Candidate {
	var out []Candidate
	add := func(pos token.Pos, k int, m lattice.Mask, lastIO summary.IOSite, lingerAt token.Pos, via string) {
		v := Of(m)
		if v == Clean || !pos.IsValid() {
			return
		}
		if c := fa.Track.Conns[k]; c.Field != nil && c.Client && !anyRead(readSources, c.Field.Sources) &&
			(v == Unread || v == HalfCloseUndrained) {
			return
		}
		reject := func(r lattice.Mask) {
			// A reject after a read that failed on what the peer sent (a
			// probe fingerprints it) and one after our own failure (a dial)
			// are two problems, with two drains to add: each is reported,
			// naming its own paths.
			rj, other := splitRejected(r)
			for _, part := range []lattice.Mask{rj, other} {
				if part != 0 {
					out = append(out, Candidate{pos: pos, verdict: Reject, conn: fa.Track.Conns[k], fnName: fa.Fn.Name(),
						lastIO: lastIO, lingerAt: lingerAt, via: via, rejected: part == rj, states: part})
				}
			}
		}
		if v == Reject {
			reject(m)
			return
		}
		out = append(out, Candidate{pos: pos, verdict: v, conn: fa.Track.Conns[k], fnName: fa.Fn.Name(),
			lastIO: lastIO, lingerAt: lingerAt, via: via, rejected: rejectedIn(m)})
		if r := rejectStates(m); v != LingerZero && r != 0 {
			// A reject on other paths than the worst one's (nothing
			// written there): reported beside it.
			reject(r)
		}
	}
	for _, o := range fa.Flow.Closes {
		c := fa.Track.Conns[o.Conn]
		if c.Param >= 0 && c.Field == nil && handedOn[c.Param] {
			continue // a goroutine given a conn its launcher had handed on
		}
		if o.Judged && ownership.AnswersFor(fa.Fn, c, fa.Summary.Params[c.Key()]) {
			n := len(out)
			add(o.Pos, o.Conn, o.States, o.LastIO, o.LingerAt, o.Via)
			// add appends the worst verdict's candidate, then a reject
			// beside it, if any: each names the paths that have its own.
			for i := n; i < len(out); i++ {
				if out[i].verdict == Reject {
					out[i].paths = pathsIn(o.Exits, out[i].states)
				} else {
					out[i].paths = pathsOf(o.Exits, out[i].verdict)
				}
			}
			if Of(o.Quiet) == Unread && o.Pos.IsValid() {
				// Our reply destroyed on a path with no copy running:
				// its own problem, whatever the Close cuts elsewhere.
				quiet := make([]dataflow.Exit, len(o.Exits))
				for i, e := range o.Exits {
					quiet[i] = dataflow.Exit{Pos: e.Pos, States: e.Quiet}
				}
				out = append(out, Candidate{pos: o.Pos, verdict: Unread, conn: c, fnName: fa.Fn.Name(),
					lastIO: o.LastIO, via: o.Via, rejected: rejectedIn(o.Quiet), beside: true,
					paths: pathsOf(quiet, Unread)})
			}
		}
	}
	// A conn that leaves with SO_LINGER at zero resets wherever it is
	// closed: report it at the SetLinger(0) this function made.
	if body := fa.Fn.Syntax(); body != nil {
		for _, l := range fa.Flow.LingerLeaks {
			if c := fa.Track.Conns[l.Conn]; !c.Conflicted && body.Pos() <= l.LingerAt && l.LingerAt < body.End() {
				out = append(out, Candidate{pos: l.LingerAt, verdict: LingerZero, conn: c, fnName: fa.Fn.Name(),
					lingerAt: l.LingerAt, leavesAt: l.Pos})
			}
		}
	}
	// A connection handed to several goroutines has no single owner: one
	// may close while another still reads to EOF. Say nothing about it.
	launched := make(map[int]int)
	for _, l := range fa.Flow.Launches {
		launched[l.Conn]++
	}
	for _, l := range fa.Flow.Launches {
		k := l.Conn
		c := fa.Track.Conns[k]
		if c.Conflicted || c.FreeVar >= 0 || launched[k] > 1 || c.Param >= 0 && !c.Definite {
			continue // a captured connection's goroutines are judged by the launcher
		}
		judgeLaunch(l.Root, l.States, l.LastIO, 0, func(pos token.Pos, m lattice.Mask, lastIO summary.IOSite, lingerAt token.Pos, via string) {
			add(pos, k, m, lastIO, lingerAt, via)
		})
	}
	return out
}

// maxPaths bounds the returns a report names.
const maxPaths = 3

// pathsOf returns the returns at which a deferred Close runs in states
// that give verdict v on their own: the paths a report is about, when the
// Close is reached by several (a reject's are pathsIn its states).
func pathsOf(exits []dataflow.Exit, v Verdict) []token.Pos {
	var out []token.Pos
	for _, e := range exits {
		if len(out) == maxPaths {
			break
		}
		if Of(e.States) == v {
			out = append(out, e.Pos)
		}
	}
	return out
}

// judgeLaunch judges the Closes in a goroutine literal started in the
// states m, and in the goroutines it starts in turn.
func judgeLaunch(rs *summary.Root, m lattice.Mask, lastIO summary.IOSite, depth int, add func(token.Pos, lattice.Mask, summary.IOSite, token.Pos, string)) {
	if rs == nil || depth > 8 {
		return
	}
	for _, site := range rs.Sites {
		io := lastIO
		if site.LastIO.Pos != token.NoPos {
			io = site.LastIO
		}
		add(site.Pos, lattice.Compose(m, site.Rel), io, site.LingerAt, site.Via)
	}
	for _, l := range rs.Launches {
		judgeLaunch(l.Root, lattice.Compose(m, l.Rel), lastIO, depth+1, add)
	}
}

// handedOnLaunches returns, by literal, the parameters that every go
// statement starting it gives a conn its launcher had already handed on
// or closed (dataflow.LaunchObs.HandedOn): those conns are not the
// goroutine's, and its Closes of them are not judged there.
func handedOnLaunches(analysed []*dataflow.Analysis) map[*ssa.Function]map[int]bool {
	handed := make(map[*ssa.Function]map[int]bool)
	live := make(map[*ssa.Function]map[int]bool)
	for _, fa := range analysed {
		for _, l := range fa.Flow.Launches {
			lit, param, ok := l.HandedOn()
			if lit == nil {
				continue
			}
			m := handed
			if !ok {
				m = live
			}
			if m[lit] == nil {
				m[lit] = make(map[int]bool)
			}
			m[lit][param] = true
		}
	}
	for lit, params := range live {
		for p := range params {
			delete(handed[lit], p)
		}
	}
	return handed
}

// readSources returns the sources of owning fields that some analysed
// function reads: through a field root, or as the origin conn before it
// was stored.
func readSources(analysed []*dataflow.Analysis) map[ssa.Value]bool {
	read := make(map[ssa.Value]bool)
	for _, fa := range analysed {
		origins := make(map[int]ssa.Value, len(fa.Track.OriginAt))
		for call, k := range fa.Track.OriginAt {
			origins[k] = call
		}
		for k, c := range fa.Track.Conns {
			if !fa.Events.Read[k] {
				continue
			}
			if c.Field != nil {
				for _, src := range c.Field.Sources {
					read[src] = true
				}
			} else if call, ok := origins[k]; ok {
				read[call] = true
			} else if c.Param >= 0 {
				read[fa.Fn.Params[c.Param]] = true
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

// rejectStates are the states of m in which a Close rejects: input
// unread, nothing written, no half-close, no zero linger.
func rejectStates(m lattice.Mask) lattice.Mask {
	var r lattice.Mask
	m.Each(func(s lattice.State) {
		if s.Status() == lattice.Unread && !s.Written() && !s.HalfClosed() && !s.LingerZero() {
			r |= 1 << s
		}
	})
	return r
}

// splitRejected splits the unread states of m into those after a read
// that failed on what the peer sent and the others.
func splitRejected(m lattice.Mask) (rejected, other lattice.Mask) {
	m.Each(func(s lattice.State) {
		switch {
		case s.Status() != lattice.Unread:
		case s.Rejected():
			rejected |= 1 << s
		default:
			other |= 1 << s
		}
	})
	return rejected, other
}

// pathsIn returns the returns at which a deferred Close runs in some of
// the states m (the first few).
func pathsIn(exits []dataflow.Exit, m lattice.Mask) []token.Pos {
	var out []token.Pos
	for _, e := range exits {
		if len(out) == maxPaths {
			break
		}
		if e.States&m != 0 {
			out = append(out, e.Pos)
		}
	}
	return out
}

// rejectedIn reports whether every state of m that the verdict counts
// (unread, owned) followed a read that failed on what the peer sent: the
// words then say the program rejected the peer's input.
func rejectedIn(m lattice.Mask) bool {
	some, all := false, true
	m.Each(func(s lattice.State) {
		if s.Status() == lattice.Unread {
			some = true
			all = all && s.Rejected()
		}
	})
	return some && all
}

// Verdict is what a Close does given the states that may hold there, in
// increasing order of what it can cost.
type Verdict int

const (
	Clean Verdict = iota
	Reject
	HalfCloseUndrained
	Unread
	LingerZero
	ProxyEarly   // set by the proxy rule, never by Of
	ReaderActive // likewise: a Close while a reader goroutine may still read
	ProxyCut     // likewise: a copy goroutine closes a conn another one uses
	EOFLost      // likewise: a copy direction ends without half-closing its destination
)

// IsProxy reports whether the verdict is the proxy rule's: a copy cut or
// an end of stream not passed on.
func (v Verdict) IsProxy() bool { return v == ProxyEarly || v == ProxyCut || v == EOFLost }

// Of decides what to report for a Close reached in the states m. Only the
// paths on which the function still owns the connection count: a go
// statement, a send, a store or an unknown call that took it ended the
// obligation on the paths through it (Escaped), and on no other path.
func Of(m lattice.Mask) Verdict {
	v := Clean
	m.Each(func(s lattice.State) {
		st := s.Status()
		if st != lattice.Unread && st != lattice.Done {
			return
		}
		switch {
		case s.LingerZero():
			v = max(v, LingerZero)
		case st == lattice.Unread && s.HalfClosed():
			v = max(v, HalfCloseUndrained)
		case st == lattice.Unread && s.Written():
			v = max(v, Unread)
		case st == lattice.Unread:
			v = max(v, Reject)
		}
	})
	return v
}
