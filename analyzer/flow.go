package analyzer

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// This file is the dataflow: for each tracked connection, the set of
// states that may hold at each block, iterated to a fixed point over the
// CFG in reverse postorder, with the outcomes of calls refining the edges
// of an If. It is linear in blocks × connections (times the loop depth),
// with no path enumeration. It returns what it saw: the Closes with the
// states they run in, the go statements that hand a connection on, and
// the states at return.

// flowResult is the result of this stage.
type flowResult struct {
	closes   []*closeObs  // every Close of a tracked connection, in the order first reached
	launches []*launchObs // every go statement handing a connection to a literal
	// atReturn and errReturn are, for each root connection (parameter or
	// captured variable), the states at a normal return, and at a return
	// of a non-nil error.
	atReturn, errReturn []mask
	returnsErr          bool // some return yields an error that may be non-nil
	// lingerLeaks are the conns that leave the function (returned, stored,
	// handed to a goroutine or to a callee that keeps them) with SO_LINGER
	// at zero: every Close of them, wherever it is, resets.
	lingerLeaks []lingerLeak
}

// lingerLeak is a conn leaving the function at pos with the SetLinger(0)
// at lingerAt in force.
type lingerLeak struct {
	conn          int
	lingerAt, pos token.Pos
}

// closeObs is a Close of one connection at one position: the union of
// the states it runs in on every path.
type closeObs struct {
	pos      token.Pos
	conn     int
	states   mask
	lastIO   ioSite    // the last partial read (servers) or write (clients) before it
	lingerAt token.Pos // the SetLinger(0) before it, if any
	// liveReader is the call of a pipe helper that returned while a copy
	// goroutine it started may still read the conn (ParamEffect.LeftReading).
	liveReader ioSite
	via        string // the helper that closes, when not a direct Close
	// judged is false for a Close inside a callee that owns the connection
	// (reads or writes it) or keeps it: the callee is judged itself, and
	// only the proxy rule, which asks when a Close happens, looks at it.
	judged bool
	// afterGo is the set of go statements (by eventTable.goIndex) that may
	// have run before it.
	afterGo bitset
}

// launchObs is a go statement that hands a connection to a function
// literal, with the states the goroutine starts from.
type launchObs struct {
	ev     event
	states mask
	lastIO ioSite
}

// bitset is a set of small integers.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) unionWith(o bitset) (changed bool) {
	for i := range b {
		if u := b[i] | o[i]; u != b[i] {
			b[i], changed = u, true
		}
	}
	return changed
}

// flowState is the state at one program point.
type flowState struct {
	m        []mask
	lastIO   []ioSite
	lingerAt []token.Pos
	reader   []ioSite // the pipe helper whose copy may still read the conn
	defers   bitset   // pending deferred calls, by index in eventTable.defers
	launched bitset   // go statements run so far, by eventTable.goIndex
}

func newFlowState(conns, defers, gos int) *flowState {
	return &flowState{
		m:        make([]mask, conns),
		lastIO:   make([]ioSite, conns),
		lingerAt: make([]token.Pos, conns),
		reader:   make([]ioSite, conns),
		defers:   newBitset(defers),
		launched: newBitset(gos),
	}
}

func (s *flowState) copyFrom(o *flowState) {
	copy(s.m, o.m)
	copy(s.lastIO, o.lastIO)
	copy(s.lingerAt, o.lingerAt)
	copy(s.reader, o.reader)
	copy(s.defers, o.defers)
	copy(s.launched, o.launched)
}

// mergeInto merges s into dst and reports whether dst changed.
func (s *flowState) mergeInto(dst *flowState) bool {
	changed := false
	for i := range s.m {
		if m := dst.m[i] | s.m[i]; m != dst.m[i] {
			dst.m[i], changed = m, true
		}
		if s.lastIO[i].pos > dst.lastIO[i].pos {
			dst.lastIO[i], changed = s.lastIO[i], true
		}
		if s.lingerAt[i] > dst.lingerAt[i] {
			dst.lingerAt[i], changed = s.lingerAt[i], true
		}
		if s.reader[i].pos > dst.reader[i].pos {
			dst.reader[i], changed = s.reader[i], true
		}
	}
	if dst.defers.unionWith(s.defers) {
		changed = true
	}
	if dst.launched.unionWith(s.launched) {
		changed = true
	}
	return changed
}

// solve runs the dataflow over fn to its fixed point.
func solve(fn *ssa.Function, tr *tracking, ev *eventTable, g *cfg) *flowResult {
	nc, nd, ng := len(tr.conns), len(ev.defers), len(ev.goIndex)
	sv := &solver{
		tr: tr, ev: ev,
		res: &flowResult{atReturn: make([]mask, nc), errReturn: make([]mask, nc)},
		obs: make(map[obsKey]*closeObs),
		lau: make(map[launchKey]*launchObs),
	}
	in := make([]*flowState, len(fn.Blocks))
	entry := newFlowState(nc, nd, ng)
	for k, c := range tr.conns {
		if c.isRoot() {
			entry.m[k] = maskUnread
		}
	}
	in[0] = entry
	dirty := make([]bool, len(fn.Blocks))
	dirty[0] = true
	cur, edge := newFlowState(nc, nd, ng), newFlowState(nc, nd, ng)
	for changed := true; changed; {
		changed = false
		for _, b := range g.rpo {
			if !dirty[b.Index] {
				continue
			}
			dirty[b.Index] = false
			cur.copyFrom(in[b.Index])
			if !sv.transferBlock(b, cur) {
				continue // the block ends the path (panic, os.Exit...)
			}
			for si, succ := range b.Succs {
				src := cur
				if ifInstr, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If); ok {
					edge.copyFrom(cur)
					sv.refine(edge, ifInstr.Cond, si == 0)
					src = edge
				}
				if in[succ.Index] == nil {
					in[succ.Index] = newFlowState(nc, nd, ng)
					in[succ.Index].copyFrom(src)
				} else if !src.mergeInto(in[succ.Index]) {
					continue
				}
				dirty[succ.Index] = true
				changed = true
			}
		}
	}
	return sv.res
}

// solver accumulates the result while the dataflow iterates; everything
// it records only grows, so the fixed point is the union over all paths.
type solver struct {
	tr  *tracking
	ev  *eventTable
	res *flowResult
	obs map[obsKey]*closeObs
	lau map[launchKey]*launchObs
}

type obsKey struct {
	pos    token.Pos
	conn   int
	judged bool
}

type launchKey struct {
	pos   token.Pos
	conn  int
	index int
}

// transferBlock applies the block's instructions to s. It returns false
// when the block cannot complete normally.
func (sv *solver) transferBlock(b *ssa.BasicBlock, s *flowState) bool {
	for _, instr := range b.Instrs {
		evs := sv.ev.at[instr]
		for i := range evs {
			sv.apply(s, &evs[i])
		}
		switch i := instr.(type) {
		case *ssa.Defer:
			s.defers.set(sv.ev.deferIndex[i])
		case *ssa.Go:
			s.launched.set(sv.ev.goIndex[i])
		case *ssa.RunDefers:
			for d := len(sv.ev.defers) - 1; d >= 0; d-- {
				if s.defers.has(d) {
					for j := range sv.ev.deferred[d] {
						sv.apply(s, &sv.ev.deferred[d][j])
					}
				}
			}
		case *ssa.Return:
			sv.recordReturn(i, s)
		case *ssa.Call:
			if noReturnFuncs[funcName(i.Common().StaticCallee())] {
				return false
			}
		}
	}
	return true
}

func (sv *solver) recordReturn(ret *ssa.Return, s *flowState) {
	var errVal ssa.Value
	if n := len(ret.Results); n > 0 && isErrorType(ret.Results[n-1].Type()) && !isNilConst(ret.Results[n-1]) {
		errVal = ret.Results[n-1]
		sv.res.returnsErr = true
	}
	// When the returned error is a read's or write's error (return b, err
	// after io.ReadFull), a non-nil error means that operation failed.
	var failed []outcome
	if errVal != nil {
		failed = sv.ev.outcomes.of(errVal, testNonNil, 0)
	}
	for k, c := range sv.tr.conns {
		if !c.isRoot() {
			continue
		}
		sv.res.atReturn[k] |= s.m[k]
		if errVal == nil {
			continue
		}
		m := s.m[k]
		for _, oc := range failed {
			if oc.conn == k {
				m = m.drain()
			}
		}
		sv.res.errReturn[k] |= m
	}
}

// refine applies the outcomes that hold on the edge of an If on cond
// taken when cond == branch.
func (sv *solver) refine(s *flowState, cond ssa.Value, branch bool) {
	for _, oc := range sv.ev.outcomes.onEdge(cond, branch) {
		switch oc.then {
		case over:
			s.m[oc.conn] = s.m[oc.conn].drain()
		case neverMade, brokenPeer, notStream:
			s.m[oc.conn] = 0
		case earlyInput:
			s.m[oc.conn] = s.m[oc.conn].writtenOnly()
		}
	}
}

// apply performs one event on s.
func (sv *solver) apply(s *flowState, ev *event) {
	k := ev.conn
	c := sv.tr.conns[k]
	switch ev.kind {
	case evOrigin:
		s.m[k] = maskUnread
		if c.client {
			s.m[k] = maskUnread.drain() // nothing owed before we speak
		}
		s.lastIO[k], s.lingerAt[k], s.reader[k] = ioSite{}, token.NoPos, ioSite{}
	case evEffect:
		switch ev.eff {
		case effRead:
			if c.client {
				s.m[k] = s.m[k].drain()
			}
			s.lastIO[k] = ioSite{pos: ev.pos, what: ev.what}
		case effDrain:
			s.m[k] = s.m[k].drain()
		case effWrite:
			s.m[k] = s.m[k].write()
			if sv.owesReply(k) {
				s.m[k] = pending(s.m[k])
				s.lastIO[k] = ioSite{pos: ev.pos, what: ev.what, write: true}
			}
		case effHalfClose:
			s.m[k] = s.m[k].halfClose()
		case effLingerZero:
			s.m[k] = s.m[k].setLinger(true)
			s.lingerAt[k] = ev.pos
		case effLingerReset:
			s.m[k] = s.m[k].setLinger(false)
		case effClose:
			sv.observe(s, ev.pos, k, s.m[k], s.lastIO[k], s.lingerAt[k], "", true)
			s.m[k] = s.m[k].close()
		case effEscape:
			sv.leaves(s, k, ev.pos)
			s.m[k] = s.m[k].escape()
		}
	case evSummary:
		pe := ev.pe
		if pe.AtClose != 0 {
			lingerAt := s.lingerAt[k]
			if lingerAt == token.NoPos {
				lingerAt = ev.pos
			}
			// A helper that only closes is judged here; one that uses or
			// keeps the connection is judged itself.
			judged := !pe.Uses && !pe.Escapes
			sv.observe(s, ev.pos, k, compose(s.m[k], mask(pe.AtClose)), s.lastIO[k], lingerAt, ev.what, judged)
		}
		if pe.LeftReading {
			s.reader[k] = ioSite{pos: ev.pos, what: ev.what}
		}
		if pe.Escapes {
			sv.leaves(s, k, ev.pos)
			s.m[k] = s.m[k].escape()
			return
		}
		sv.afterCall(s, k, mask(pe.AtReturn), pe.AtClose != 0, paramTouch(pe), ev)
	case evLiteral:
		rr := ev.root
		if rr == nil {
			sv.leaves(s, k, ev.pos)
			s.m[k] = s.m[k].escape()
			return
		}
		for _, site := range rr.sites {
			lastIO, lingerAt := s.lastIO[k], s.lingerAt[k]
			if site.lastIO.pos != token.NoPos {
				lastIO = site.lastIO
			}
			if site.lingerAt != token.NoPos {
				lingerAt = site.lingerAt
			}
			sv.observe(s, site.pos, k, compose(s.m[k], site.rel), lastIO, lingerAt, site.via, !rr.effect.Escapes)
		}
		if rr.effect.Escapes {
			sv.leaves(s, k, ev.pos)
			s.m[k] = s.m[k].escape()
			return
		}
		e := &rr.effect
		sv.afterCall(s, k, mask(e.AtReturn), e.AtClose != 0, paramTouch(e), ev)
	case evLaunch:
		key := launchKey{ev.pos, k, ev.index}
		l, ok := sv.lau[key]
		if !ok {
			l = &launchObs{ev: *ev}
			sv.lau[key] = l
			sv.res.launches = append(sv.res.launches, l)
		}
		l.states |= s.m[k]
		l.lastIO = later(l.lastIO, s.lastIO[k])
		sv.leaves(s, k, ev.pos)
		s.m[k] = s.m[k].escape()
	}
}

// afterCall moves a connection to its state after a call, given the
// callee's relative states at return.
func (sv *solver) afterCall(s *flowState, k int, atReturn mask, closes bool, t touch, ev *event) {
	client := sv.tr.conns[k].client
	m := compose(s.m[k], atReturn)
	if closes {
		m |= s.m[k].close()
	}
	if client {
		switch {
		case t.reads:
			m = m.drain()
		case t.writes && sv.owesReply(k):
			m = pending(m)
		}
	}
	if m.lingerZero() && !s.m[k].lingerZero() {
		s.lingerAt[k] = ev.pos // the callee set SO_LINGER to 0
	}
	s.m[k] = m
	switch {
	case t.reads:
		s.lastIO[k] = ioSite{pos: ev.pos, what: ev.what}
	case t.writes && sv.owesReply(k):
		s.lastIO[k] = ioSite{pos: ev.pos, what: ev.what, write: true}
	}
}

// owesReply reports whether a write to connection k makes a reply owed:
// k is one we dialed (we speak first), and the function reads it
// somewhere, so its protocol has replies. A dialed conn the program never
// reads is one-way (a push, a log shipper): closing it after writes owes
// nothing.
//
// An owning field's conn is read by the package's other functions too: a
// reply is taken to be owed here, and judge drops the reports on fields
// that no function of the package reads.
func (sv *solver) owesReply(k int) bool {
	c := sv.tr.conns[k]
	return c.client && (sv.ev.read[k] || c.field != nil)
}

// leaves records conn k leaving the function at pos, if SO_LINGER is zero.
func (sv *solver) leaves(s *flowState, k int, pos token.Pos) {
	if !s.m[k].lingerZero() || !s.lingerAt[k].IsValid() {
		return
	}
	for _, l := range sv.res.lingerLeaks {
		if l.conn == k && l.lingerAt == s.lingerAt[k] {
			return
		}
	}
	sv.res.lingerLeaks = append(sv.res.lingerLeaks, lingerLeak{conn: k, lingerAt: s.lingerAt[k], pos: pos})
}

// observe records a Close of connection k at pos in the states m.
func (sv *solver) observe(s *flowState, pos token.Pos, k int, m mask, lastIO ioSite, lingerAt token.Pos, via string, judged bool) {
	if m == 0 {
		return // not reachable with this connection alive
	}
	key := obsKey{pos, k, judged}
	o, ok := sv.obs[key]
	if !ok {
		o = &closeObs{pos: pos, conn: k, via: via, judged: judged, afterGo: newBitset(len(sv.ev.goIndex))}
		sv.obs[key] = o
		sv.res.closes = append(sv.res.closes, o)
	}
	o.states |= m
	o.lastIO = later(o.lastIO, lastIO)
	o.lingerAt = max(o.lingerAt, lingerAt)
	o.liveReader = later(o.liveReader, s.reader[k])
	o.afterGo.unionWith(s.launched)
}
