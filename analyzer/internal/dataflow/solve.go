package dataflow

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/lattice"
	"github.com/rstlint/rstlint/analyzer/internal/ownership"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file is the dataflow: for each tracked connection, the set of
// states that may hold at each block, iterated to a fixed point over the
// CFG in reverse postorder, with the outcomes of calls refining the edges
// of an If. It is linear in blocks × connections (times the loop depth),
// with no path enumeration. It returns what it saw: the Closes with the
// states they run in, the go statements that hand a connection on, and
// the states at return.

// Flow is the result of this stage.
type Flow struct {
	Closes   []*CloseObs  // every Close of a tracked connection, in the order first reached
	Launches []*LaunchObs // every go statement handing a connection to a literal
	// atReturn and errReturn are, for each root connection (parameter or
	// captured variable), the states at a normal return, and at a return
	// of a non-nil error.
	atReturn, errReturn []lattice.Mask
	// okReturn: the states at the returns of a nil error.
	okReturn []lattice.Mask
	// leftAtReturn: for each root connection, whether some return is
	// reached, the conn not closed, after a pipe helper left it reading.
	leftAtReturn []bool
	// quietReturn: the states at the returns where no copy the function
	// started may still use the conn (ParamEffect.AtQuiet).
	quietReturn []lattice.Mask
	returnsErr  bool // some return yields an error that may be non-nil
	// writesLast[k]: on some path to a return, root conn k's last use
	// is a write.
	writesLast []bool
	// aborts[k] are the aborts of conn k (a deadline in the past) made
	// on a path where no read or write of it failed: not after its copy
	// failed, where the session is broken and an abort costs nothing.
	aborts map[int][]token.Pos
	// readAborts[k] are its CloseReads made on such a path: they end
	// other users' reads only.
	readAborts map[int][]token.Pos
	// assumesSocket[k]: the socket types (summary.SocketBit) root conn k
	// was asserted to, on whose failed edges it was not judged: the
	// caller's conn passes them or the caller judges them.
	assumesSocket []uint8
	// LingerLeaks are the conns that leave the function (returned, stored,
	// handed to a goroutine or to a callee that keeps them) with SO_LINGER
	// at zero: every Close of them, wherever it is, resets.
	LingerLeaks []LingerLeak
}

// LingerLeak is a conn leaving the function at Pos with the SetLinger(0)
// at LingerAt in force.
type LingerLeak struct {
	Conn          int
	LingerAt, Pos token.Pos
}

// CloseObs is a Close of one connection at one position: the union of
// the states it runs in on every path.
type CloseObs struct {
	Pos      token.Pos
	Conn     int
	States   lattice.Mask
	LastIO   summary.IOSite // the last partial read (servers) or write (clients) before it
	LingerAt token.Pos      // the SetLinger(0) before it, if any
	// LiveReader is the call of a pipe helper that returned while a copy
	// goroutine it started may still read the conn (ParamEffect.LeftReading).
	LiveReader summary.IOSite
	Via        string // the helper that closes, when not a direct Close
	// Judged is false for a Close inside a callee that answers for the
	// connection (ownership.CalleeAnswers): the callee is judged itself,
	// and only the proxy rule, which asks when a Close happens, looks at it.
	Judged bool
	// AfterGo is the set of go statements (by Events.GoIndex) that may
	// have run before it.
	AfterGo Bitset
	// Live: on some path to it no read or write of the conn (nor, for
	// a copy direction, of the other conns) failed. A Close reached only
	// after such a failure ends a broken session: it cuts no live copy.
	Live bool
	// Quiet are the states of the paths on which no goroutine or pipe
	// helper's copy may still use the conn: what the Close does there is
	// a problem of its own, apart from the cut of a copy on other paths.
	Quiet lattice.Mask
	// Exits are, for a deferred Close, the returns it runs at, each with
	// the states it runs in there: the paths a report is about.
	Exits []Exit
	// unreadSeen: some path reaches it with input possibly unread; LastIO
	// then comes from such paths only, the ones a report is about.
	unreadSeen bool
}

// Exit is one return at which a deferred Close runs, and its states there
// (Quiet: those of its paths on which no copy may use the conn).
type Exit struct {
	Pos           token.Pos
	States, Quiet lattice.Mask
}

// LaunchObs is a go statement that hands a connection to a function
// literal, with the states the goroutine starts from.
type LaunchObs struct {
	Conn   int
	Root   *summary.Root // what the literal does to the connection, nil when unknown
	ev     event
	States lattice.Mask
	LastIO summary.IOSite
}

// HandedOn returns the literal and the parameter a go statement gives the
// conn to (lit is nil when it gives it no literal's parameter), and
// reports whether this function had already handed the conn on (or
// closed it) on every path to the go statement: a conn given to a
// session or a framework first, and then to a goroutine that closes it
// when the session ends. The conn is not that goroutine's.
func (l *LaunchObs) HandedOn() (lit *ssa.Function, param int, ok bool) {
	if l.ev.lit == nil || !l.ev.param {
		return nil, 0, false
	}
	return l.ev.lit, l.ev.index, l.States != 0 && l.States.Escape() == l.States
}

// Bitset is a set of small integers.
type Bitset []uint64

func newBitset(n int) Bitset { return make(Bitset, (n+63)/64) }
func (b Bitset) set(i int)   { b[i/64] |= 1 << (i % 64) }
func (b Bitset) clear(i int) { b[i/64] &^= 1 << (i % 64) }

// setTo sets bit i when on, and clears it otherwise.
func (b Bitset) setTo(i int, on bool) {
	if on {
		b.set(i)
	} else {
		b.clear(i)
	}
}

// Has reports whether i is in b.
func (b Bitset) Has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b Bitset) unionWith(o Bitset) (changed bool) {
	for i := range b {
		if u := b[i] | o[i]; u != b[i] {
			b[i], changed = u, true
		}
	}
	return changed
}

// flowState is the state at one program point.
type flowState struct {
	m        []lattice.Mask
	lastIO   []summary.IOSite
	lingerAt []token.Pos
	reader   []summary.IOSite // the pipe helper whose copy may still read the conn
	defers   Bitset           // pending deferred calls, by index in Events.defers
	launched Bitset           // go statements run so far, by Events.goIndex
	// wroteLast holds the conns whose last use, on some path here, was a
	// write: a dialed conn owes the reply to it, whatever was read before.
	wroteLast Bitset
	// unfailed holds the conns for which, on some path here, no read or
	// write has failed: an abort there may cut a live session.
	unfailed Bitset
	// openReader holds the conns that, on some path here, a pipe
	// helper's copy still reads and no Close has cut since.
	openReader Bitset
	// quietAfter holds, for a conn a pipe helper was just given, the
	// states of the paths through the helper's returns where it left no
	// copy reading (ParamEffect.AtQuiet), until the conn's next event:
	// a Close there is judged on those paths apart (CloseObs.Quiet).
	quietAfter []lattice.Mask
}

func newFlowState(conns, defers, gos int) *flowState {
	return &flowState{
		m:          make([]lattice.Mask, conns),
		lastIO:     make([]summary.IOSite, conns),
		lingerAt:   make([]token.Pos, conns),
		reader:     make([]summary.IOSite, conns),
		defers:     newBitset(defers),
		launched:   newBitset(gos),
		wroteLast:  newBitset(conns),
		unfailed:   newBitset(conns),
		openReader: newBitset(conns),
		quietAfter: make([]lattice.Mask, conns),
	}
}

func (s *flowState) copyFrom(o *flowState) {
	copy(s.m, o.m)
	copy(s.lastIO, o.lastIO)
	copy(s.lingerAt, o.lingerAt)
	copy(s.reader, o.reader)
	copy(s.defers, o.defers)
	copy(s.launched, o.launched)
	copy(s.wroteLast, o.wroteLast)
	copy(s.unfailed, o.unfailed)
	copy(s.openReader, o.openReader)
	copy(s.quietAfter, o.quietAfter)
}

// mergeInto merges s into dst and reports whether dst changed.
func (s *flowState) mergeInto(dst *flowState) bool {
	changed := false
	for i := range s.m {
		if m := dst.m[i] | s.m[i]; m != dst.m[i] {
			dst.m[i], changed = m, true
		}
		if s.lastIO[i].Pos > dst.lastIO[i].Pos {
			dst.lastIO[i], changed = s.lastIO[i], true
		}
		if s.lingerAt[i] > dst.lingerAt[i] {
			dst.lingerAt[i], changed = s.lingerAt[i], true
		}
		if s.reader[i].Pos > dst.reader[i].Pos {
			dst.reader[i], changed = s.reader[i], true
		}
		if q := dst.quietAfter[i] | s.quietAfter[i]; q != dst.quietAfter[i] {
			dst.quietAfter[i], changed = q, true
		}
	}
	if dst.defers.unionWith(s.defers) {
		changed = true
	}
	if dst.launched.unionWith(s.launched) {
		changed = true
	}
	if dst.wroteLast.unionWith(s.wroteLast) {
		changed = true
	}
	if dst.unfailed.unionWith(s.unfailed) {
		changed = true
	}
	if dst.openReader.unionWith(s.openReader) {
		changed = true
	}
	return changed
}

// solve runs the dataflow over fn to its fixed point.
func solve(fn *ssa.Function, tr *ownership.Tracking, ev *Events, g *CFG) *Flow {
	nc, nd, ng := len(tr.Conns), len(ev.defers), len(ev.GoIndex)
	sv := &solver{
		tr: tr, ev: ev,
		res: &Flow{atReturn: make([]lattice.Mask, nc), errReturn: make([]lattice.Mask, nc), okReturn: make([]lattice.Mask, nc), leftAtReturn: make([]bool, nc), quietReturn: make([]lattice.Mask, nc), assumesSocket: make([]uint8, nc), writesLast: make([]bool, nc),
			aborts: make(map[int][]token.Pos), readAborts: make(map[int][]token.Pos)},
		obs:     make(map[obsKey]*CloseObs),
		lau:     make(map[launchKey]*LaunchObs),
		handers: make(map[int][]int),
		errEdge: make(map[int]errResume),
		okEdge:  make(map[int]errResume),
	}
	for gi, gs := range ev.gos {
		for k := range gs.Handed {
			sv.handers[k] = append(sv.handers[k], gi)
		}
	}
	in := make([]*flowState, len(fn.Blocks))
	entry := newFlowState(nc, nd, ng)
	for k := range tr.Conns {
		entry.unfailed.set(k)
	}
	for k, c := range tr.Conns {
		if c.IsRoot() {
			entry.m[k] = lattice.MaskUnread
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
	tr  *ownership.Tracking
	ev  *Events
	res *Flow
	obs map[obsKey]*CloseObs
	lau map[launchKey]*LaunchObs
	// handers are, by conn, the go statements that hand it to their
	// goroutine: a new conn from its origin (the next Accept of a loop)
	// is none of theirs.
	handers map[int][]int
	// errEdge holds, by conn, where the edge of the block's If on a
	// helper's error resumes (helperErr): the states before the call
	// composed with the helper's states at its error returns. Only the
	// last event of the block on the conn counts.
	errEdge map[int]errResume
	// okEdge: the same for the edge where the helper's error is nil.
	okEdge map[int]errResume
	// exit is the return whose deferred calls run now, while they run.
	exit token.Pos
}

// errResume is a conn's state on the path where a helper failed.
type errResume struct {
	call      *ssa.Call
	m         lattice.Mask
	lastIO    summary.IOSite
	wroteLast bool
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
	clear(sv.errEdge)
	for _, instr := range b.Instrs {
		evs := sv.ev.at[instr]
		for i := range evs {
			ev := &evs[i]
			delete(sv.errEdge, ev.conn)
			delete(sv.okEdge, ev.conn)
			var before errResume
			call, isCall := instr.(*ssa.Call)
			split := isCall && ev.kind == evSummary && (ev.pe.AtErr != 0 || ev.pe.AtOK != 0)
			if split {
				before = errResume{call: call, m: s.m[ev.conn], lastIO: s.lastIO[ev.conn], wroteLast: s.wroteLast.Has(ev.conn)}
			}
			sv.apply(s, ev)
			if split && ev.pe.AtErr != 0 && !ev.pe.ErrDone {
				sv.errEdge[ev.conn] = sv.resumeAfter(s, ev, before, lattice.Mask(ev.pe.AtErr), true)
			}
			if split && ev.pe.AtOK != 0 {
				sv.okEdge[ev.conn] = sv.resumeAfter(s, ev, before, lattice.Mask(ev.pe.AtOK), false)
			}
		}
		switch i := instr.(type) {
		case *ssa.Defer:
			s.defers.set(sv.ev.deferIndex[i])
		case *ssa.Go:
			s.launched.set(sv.ev.GoIndex[i])
		case *ssa.RunDefers:
			sv.exit = exitOf(i)
			for d := len(sv.ev.defers) - 1; d >= 0; d-- {
				if s.defers.Has(d) {
					for j := range sv.ev.deferred[d] {
						sv.apply(s, &sv.ev.deferred[d][j])
					}
				}
			}
			sv.exit = token.NoPos
		case *ssa.Return:
			sv.recordReturn(i, s)
		case *ssa.Call:
			if gi, launches := sv.ev.GoIndex[i]; launches {
				s.launched.set(gi)
			}
			if knowledge.NoReturnFuncs[knowledge.FuncName(i.Common().StaticCallee())] {
				return false
			}
		}
	}
	return true
}

func (sv *solver) recordReturn(ret *ssa.Return, s *flowState) {
	// A return that reports failure: a non-nil error last, or a last
	// bool result that is not the constant true (return line, err == nil).
	var failVal ssa.Value
	var failed []outcome
	succeeds := false // the last result is an error that may be nil
	if n := len(ret.Results); n > 0 {
		last := ret.Results[n-1]
		isNil, known := false, false
		if knowledge.IsErrorType(last.Type()) {
			// The path to the return may have tested the error it returns
			// (if err != nil { return err }, a named result's bare
			// return): then its returns of a nil error are not this one.
			val := last
			if stored := storedOnPath(last); stored != nil {
				val = stored
			}
			isNil, known = nilOnPath(ret.Block(), val)
			if !known && (knowledge.IsNilConst(val) || knownNonNil(val)) {
				isNil, known = knowledge.IsNilConst(val), true
			}
		}
		succeeds = knowledge.IsErrorType(last.Type()) && (!known || isNil)
		switch {
		case knowledge.IsErrorType(last.Type()) && known && isNil:
		case knowledge.IsErrorType(last.Type()) && !knowledge.IsNilConst(last):
			failVal = last
			// When the returned error is a read's or write's error (return
			// b, err after io.ReadFull), a non-nil error means that
			// operation failed.
			failed = sv.ev.outcomes.of(last, testNonNil, 0)
		case isBool(last.Type()) && !knowledge.IsTrueConst(last) && !sv.returnsError(ret):
			failVal = last
			failed = sv.ev.outcomes.onEdge(last, false)
		}
	}
	if failVal != nil {
		sv.res.returnsErr = true
	}
	for k, c := range sv.tr.Conns {
		if !c.IsRoot() {
			continue
		}
		if c.ClosedBy != "" {
			// A framework closes the handler's conn when it returns.
			sv.observe(s, returnPos(ret), k, s.m[k], s.lastIO[k], s.lingerAt[k], c.ClosedBy, true)
		}
		sv.res.atReturn[k] |= s.m[k]
		if sv.quiet(s, k) {
			sv.res.quietReturn[k] |= s.m[k]
		}
		if s.openReader.Has(k) {
			// A pipe helper's copy may still read it, and this path did
			// not close it: the caller's Close cuts that copy.
			sv.res.leftAtReturn[k] = true
		}
		if s.wroteLast.Has(k) && s.m[k]&(lattice.StatusMask(lattice.Unread)|lattice.StatusMask(lattice.Done)) != 0 {
			sv.res.writesLast[k] = true
		}
		okState, errState := s.m[k], s.m[k]
		if n := len(ret.Results); n > 0 {
			okState, errState = sv.returnedHelperError(ret, ret.Results[n-1], k, okState)
		}
		if succeeds {
			sv.res.okReturn[k] |= okState
		}
		if failVal == nil {
			continue
		}
		m := errState
		for _, oc := range failed {
			if oc.conn == k && oc.then == over {
				m = m.Drain()
			}
		}
		sv.res.errReturn[k] |= m
	}
}

// returnedHelperError refines the states of conn k at ret, whose last
// result is last, when last is the error of a helper called in ret's own
// block, after which nothing else touched k: a nil error resumes from the
// helper's nil-error returns and a non-nil one from its failures
// (err = s.getInfo(&t); return t, err), as an If on that error would.
func (sv *solver) returnedHelperError(ret *ssa.Return, last ssa.Value, k int, m lattice.Mask) (ok, failed lattice.Mask) {
	ok, failed = m, m
	resumed := func(edge map[int]errResume) (lattice.Mask, bool) {
		r, found := edge[k]
		if !found || r.call.Block() != ret.Block() || errorResult(r.call) != last {
			return 0, false
		}
		return r.m, true
	}
	if r, found := resumed(sv.okEdge); found {
		ok = r
	}
	if r, found := resumed(sv.errEdge); found {
		failed = r
	}
	return ok, failed
}

// exitOf is the return whose deferred calls rd runs: the Return that
// follows it in its block.
func exitOf(rd *ssa.RunDefers) token.Pos {
	if ret, ok := rd.Block().Instrs[len(rd.Block().Instrs)-1].(*ssa.Return); ok {
		return returnPos(ret)
	}
	return token.NoPos
}

// addExit adds the states m a deferred Close runs in at the return at
// pos, and those of them on quiet paths.
func (o *CloseObs) addExit(pos token.Pos, m, quiet lattice.Mask) {
	i := slices.IndexFunc(o.Exits, func(e Exit) bool { return e.Pos == pos })
	if i < 0 {
		i = len(o.Exits)
		o.Exits = append(o.Exits, Exit{Pos: pos})
	}
	o.Exits[i].States |= m
	o.Exits[i].Quiet |= quiet
}

// returnPos is where a return is written: its return statement, or the
// closing brace of a function that ends without one.
func returnPos(ret *ssa.Return) token.Pos {
	if ret.Pos().IsValid() {
		return ret.Pos()
	}
	switch syn := ret.Parent().Syntax().(type) {
	case *ast.FuncDecl:
		if syn.Body != nil {
			return syn.Body.Rbrace
		}
	case *ast.FuncLit:
		return syn.Body.Rbrace
	}
	return token.NoPos
}

// returnsError reports whether the function's results include an error:
// then its error, not a bool, says it failed.
func (sv *solver) returnsError(ret *ssa.Return) bool {
	for _, r := range ret.Results {
		if knowledge.IsErrorType(r.Type()) {
			return true
		}
	}
	return false
}

func isBool(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.Bool
}

// refine applies the outcomes that hold on the edge of an If on cond
// taken when cond == branch.
func (sv *solver) refine(s *flowState, cond ssa.Value, branch bool) {
	ocs := sv.ev.outcomes.onEdge(cond, branch)
	// A helper's failure first takes the conn to the helper's error
	// returns; what else the failure says applies to those states.
	for _, oc := range ocs {
		edge := sv.errEdge
		if oc.then == helperOK {
			edge = sv.okEdge
		}
		if r, ok := edge[oc.conn]; ok && (oc.then == helperErr || oc.then == helperOK) && oc.call == r.call {
			s.m[oc.conn] = r.m
			s.lastIO[oc.conn] = r.lastIO
			s.wroteLast.setTo(oc.conn, r.wroteLast)
		}
	}
	for _, oc := range ocs {
		switch oc.then {
		case over:
			s.m[oc.conn] = s.m[oc.conn].Drain()
			s.wroteLast.clear(oc.conn) // a failed write owes nothing
			s.unfailed.clear(oc.conn)
		case assumedSocket:
			if s.m[oc.conn] != 0 {
				sv.res.assumesSocket[oc.conn] |= summary.SocketBit(oc.socket)
			}
			s.m[oc.conn] = 0
		case notStream:
			s.m[oc.conn] = 0
		case neverMade:
			s.m[oc.conn] = 0
		case rejected:
			s.m[oc.conn] = s.m[oc.conn].Reject()
		}
	}
}

// apply performs one event on s.
func (sv *solver) apply(s *flowState, ev *event) {
	k := ev.conn
	c := sv.tr.Conns[k]
	// The quiet paths of a pipe helper hold until the conn's next event.
	var quiet lattice.Mask
	defer func() { s.quietAfter[k] = quiet }()
	switch ev.kind {
	case evOrigin:
		for _, gi := range sv.handers[k] {
			s.launched.clear(gi) // they took the conn of an earlier iteration
		}
		s.m[k] = lattice.MaskUnread
		if c.Client {
			s.m[k] = lattice.MaskUnread.Drain() // nothing owed before we speak
		}
		s.lastIO[k], s.lingerAt[k], s.reader[k] = summary.IOSite{}, token.NoPos, summary.IOSite{}
		s.openReader.clear(k)
	case evEffect:
		switch ev.eff {
		case knowledge.EffRead:
			if c.Client {
				s.m[k] = s.m[k].Drain()
			}
			s.lastIO[k] = summary.IOSite{Pos: ev.pos, What: ev.what}
			s.wroteLast.clear(k)
		case knowledge.EffDrain:
			s.m[k] = s.m[k].Drain()
			s.wroteLast.clear(k)
		case knowledge.EffWrite:
			s.m[k] = s.m[k].Write()
			s.wroteLast.set(k)
			if sv.owesReply(k) {
				s.m[k] = lattice.Pending(s.m[k])
				s.lastIO[k] = summary.IOSite{Pos: ev.pos, What: ev.what, Write: true}
			}
		case knowledge.EffHalfClose:
			s.m[k] = s.m[k].HalfClose()
		case knowledge.EffAbort:
			if s.unfailed.Has(k) && !slices.Contains(sv.res.aborts[k], ev.pos) {
				sv.res.aborts[k] = append(sv.res.aborts[k], ev.pos)
			}
		case knowledge.EffAbortRead:
			if s.unfailed.Has(k) && !slices.Contains(sv.res.readAborts[k], ev.pos) {
				sv.res.readAborts[k] = append(sv.res.readAborts[k], ev.pos)
			}
		case knowledge.EffLingerZero:
			if s.m[k]&lattice.MaskEscaped != 0 {
				// SO_LINGER 0 on a conn a goroutine, a field or a callee
				// already holds: every Close of it, wherever, resets.
				sv.leavesWithLinger(k, ev.pos)
			}
			s.m[k] = s.m[k].SetLinger(true)
			s.lingerAt[k] = ev.pos
		case knowledge.EffLingerReset:
			s.m[k] = s.m[k].SetLinger(false)
		case knowledge.EffClose:
			sv.observe(s, ev.pos, k, s.m[k], s.lastIO[k], s.lingerAt[k], "", true)
			s.m[k] = s.m[k].Close()
			s.openReader.clear(k)
		case knowledge.EffEscape:
			sv.leaves(s, k, ev.pos)
			s.m[k] = s.m[k].Escape()
		}
	case evSummary:
		pe := ev.pe
		if !summary.Passes(c.Socket, pe.AssumesSocket) {
			pe = notSocket(pe)
		}
		if pe.AtClose != 0 {
			lingerAt := s.lingerAt[k]
			if lingerAt == token.NoPos {
				lingerAt = ev.pos
			}
			// A helper that only closes is judged here; one that uses or
			// keeps the connection is judged itself.
			judged := !ownership.CalleeAnswers(pe)
			sv.observe(s, ev.pos, k, lattice.Compose(s.m[k], lattice.Mask(pe.AtClose)), s.lastIO[k], lingerAt, ev.what, judged)
			s.openReader.clear(k)
		}
		if pe.LeftReading {
			s.reader[k] = summary.IOSite{Pos: ev.pos, What: ev.what}
			s.openReader.set(k)
			quiet = lattice.Compose(s.m[k], lattice.Mask(pe.AtQuiet))
		}
		if pe.Escapes {
			// The callee kept the conn on some of its paths: its states at
			// return say which (Escaped), per path.
			sv.leaves(s, k, ev.pos)
		}
		sv.afterCall(s, k, lattice.Mask(pe.AtReturn), pe.AtClose != 0, paramTouch(pe), ev)
	case evLiteral:
		rr := ev.root
		if rr != nil && !summary.Passes(c.Socket, rr.Effect.AssumesSocket) {
			rr = notSocketRoot(rr)
		}
		if rr == nil {
			sv.leaves(s, k, ev.pos)
			s.m[k] = s.m[k].Escape()
			return
		}
		for _, site := range rr.Sites {
			lastIO, lingerAt := s.lastIO[k], s.lingerAt[k]
			if site.LastIO.Pos != token.NoPos {
				lastIO = site.LastIO
			}
			if site.LingerAt != token.NoPos {
				lingerAt = site.LingerAt
			}
			// A literal called in place never owns: its Closes are judged
			// here, on the paths where the conn is still this function's.
			sv.observe(s, site.Pos, k, lattice.Compose(s.m[k], site.Rel), lastIO, lingerAt, site.Via, true)
			s.openReader.clear(k)
		}
		if rr.Effect.Escapes {
			sv.leaves(s, k, ev.pos)
		}
		e := &rr.Effect
		sv.afterCall(s, k, lattice.Mask(e.AtReturn), e.AtClose != 0, paramTouch(e), ev)
	case evLaunch:
		key := launchKey{ev.pos, k, ev.index}
		l, ok := sv.lau[key]
		if !ok {
			l = &LaunchObs{Conn: ev.conn, Root: ev.root, ev: *ev}
			sv.lau[key] = l
			sv.res.Launches = append(sv.res.Launches, l)
		}
		l.States |= s.m[k]
		l.LastIO = summary.Later(l.LastIO, s.lastIO[k])
		sv.leaves(s, k, ev.pos)
		s.m[k] = s.m[k].Escape()
	}
}

// notSocket is pe as it applies to a conn not known to be a socket: its
// half-closes may not happen.
func notSocket(pe *summary.ParamEffect) *summary.ParamEffect {
	w := *pe
	w.AtClose = uint64(lattice.Mask(w.AtClose).MaybeNotHalfClosed())
	w.AtReturn = uint64(lattice.Mask(w.AtReturn).MaybeNotHalfClosed())
	return &w
}

// notSocketRoot is a literal's summary as it applies to a conn not
// proven to be the socket it asserts: its half-closes may not happen
// (ParamEffect.AssumesSocket).
func notSocketRoot(rs *summary.Root) *summary.Root {
	w := *rs
	w.Effect = *notSocket(&rs.Effect)
	w.Sites = make([]summary.CloseSite, len(rs.Sites))
	for i, site := range rs.Sites {
		site.Rel = site.Rel.MaybeNotHalfClosed()
		w.Sites[i] = site
	}
	w.Launches = make([]summary.LaunchSite, len(rs.Launches))
	for i, l := range rs.Launches {
		l.Rel = l.Rel.MaybeNotHalfClosed()
		w.Launches[i] = l
	}
	return &w
}

// afterCall moves a connection to its state after a call, given the
// callee's relative states at return.
func (sv *solver) afterCall(s *flowState, k int, atReturn lattice.Mask, closes bool, t touch, ev *event) {
	client := sv.tr.Conns[k].Client
	m := lattice.Compose(s.m[k], atReturn)
	if closes {
		m |= s.m[k].Close()
	}
	// A callee that reads a dialed conn has read the reply to what was
	// written before; one whose last use is a write (a helper that reads
	// one answer and sends the next request) owes the reply to that.
	writesLast := t.writes && (t.writesLast || !t.reads)
	if client {
		if t.reads {
			m = m.Drain()
		}
		if writesLast && sv.owesReply(k) {
			m = lattice.Pending(m)
		}
	}
	switch {
	case writesLast:
		s.wroteLast.set(k)
	case t.reads || t.drains:
		s.wroteLast.clear(k)
	}
	if m.LingerZero() && !s.m[k].LingerZero() {
		s.lingerAt[k] = ev.pos // the callee set SO_LINGER to 0
	}
	s.m[k] = m
	switch {
	case writesLast && sv.owesReply(k):
		s.lastIO[k] = summary.IOSite{Pos: ev.pos, What: ev.what, Write: true}
	case t.reads:
		s.lastIO[k] = summary.IOSite{Pos: ev.pos, What: ev.what}
	}
}

// resumeAfter returns the state of ev's conn on the path where the
// helper ev calls returned through some of its returns (those of a
// non-nil error when failure is set, or of a nil one): the call applied
// to the state before it, with the helper's states at those returns, at,
// in place of all its returns. s, the state after the call, is left as
// it is. On a failure, the paths whose read or write failed (drained in
// at) owe nothing; those that wrote and failed on something else still
// owe the reply to what they wrote.
func (sv *solver) resumeAfter(s *flowState, ev *event, before errResume, at lattice.Mask, failure bool) errResume {
	k := ev.conn
	m, lastIO, wroteLast, lingerAt := s.m[k], s.lastIO[k], s.wroteLast.Has(k), s.lingerAt[k]
	restore := func(m lattice.Mask, lastIO summary.IOSite, wroteLast bool) {
		s.m[k], s.lastIO[k] = m, lastIO
		s.wroteLast.setTo(k, wroteLast)
	}
	t := paramTouch(ev.pe)
	var over lattice.Mask
	if failure {
		over, at = at&lattice.StatusMask(lattice.Done), at&^lattice.StatusMask(lattice.Done)
	}
	wrote := false // it wrote on some of those paths
	at.Each(func(st lattice.State) { wrote = wrote || st.Written() })
	if !wrote {
		// It wrote nothing on those paths: no write of its is the last.
		t.writes, t.writesLast = false, false
	}
	restore(before.m, before.lastIO, before.wroteLast)
	sv.afterCall(s, k, at, ev.pe.AtClose != 0, t, ev)
	out := errResume{call: before.call, m: s.m[k], lastIO: s.lastIO[k], wroteLast: s.wroteLast.Has(k)}
	if over != 0 {
		restore(before.m, before.lastIO, before.wroteLast)
		sv.afterCall(s, k, over, false, touch{reads: t.reads, drains: t.drains}, ev)
		out.m |= s.m[k]
	}
	restore(m, lastIO, wroteLast)
	s.lingerAt[k] = lingerAt
	return out
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
	c := sv.tr.Conns[k]
	return c.Client && (sv.ev.Read[k] || c.Field != nil)
}

// leaves records conn k leaving the function at pos, if SO_LINGER is zero.
func (sv *solver) leaves(s *flowState, k int, pos token.Pos) {
	if !s.m[k].LingerZero() || !s.lingerAt[k].IsValid() {
		return
	}
	for _, l := range sv.res.LingerLeaks {
		if l.Conn == k && l.LingerAt == s.lingerAt[k] {
			return
		}
	}
	sv.res.LingerLeaks = append(sv.res.LingerLeaks, LingerLeak{Conn: k, LingerAt: s.lingerAt[k], Pos: pos})
}

// leavesWithLinger records SO_LINGER set to zero at pos on conn k, which
// has already left the function on some path: its holder's Close resets.
func (sv *solver) leavesWithLinger(k int, pos token.Pos) {
	for _, l := range sv.res.LingerLeaks {
		if l.Conn == k && l.LingerAt == pos {
			return
		}
	}
	sv.res.LingerLeaks = append(sv.res.LingerLeaks, LingerLeak{Conn: k, LingerAt: pos, Pos: pos})
}

// quiet reports whether, on the path of s, no copy may still use conn
// k: no go statement that was handed it has run, and no pipe helper
// returned while its copy reads it.
func (sv *solver) quiet(s *flowState, k int) bool {
	if s.openReader.Has(k) {
		return false
	}
	for _, gi := range sv.handers[k] {
		if s.launched.Has(gi) {
			return false
		}
	}
	return true
}

// observe records a Close of connection k at pos in the states m.
func (sv *solver) observe(s *flowState, pos token.Pos, k int, m lattice.Mask, lastIO summary.IOSite, lingerAt token.Pos, via string, judged bool) {
	if m == 0 {
		return // not reachable with this connection alive
	}
	key := obsKey{pos, k, judged}
	o, ok := sv.obs[key]
	if !ok {
		o = &CloseObs{Pos: pos, Conn: k, Via: via, Judged: judged, AfterGo: newBitset(len(sv.ev.GoIndex))}
		sv.obs[key] = o
		sv.res.Closes = append(sv.res.Closes, o)
	}
	o.States |= m
	quiet := m & s.quietAfter[k] // the paths through a pipe helper's quiet returns
	if sv.quiet(s, k) {
		quiet = m
	}
	o.Quiet |= quiet
	switch unread := m&lattice.StatusMask(lattice.Unread) != 0; {
	case unread && !o.unreadSeen:
		o.LastIO, o.unreadSeen = lastIO, true
	case unread || !o.unreadSeen:
		o.LastIO = summary.Later(o.LastIO, lastIO)
	}
	o.LingerAt = max(o.LingerAt, lingerAt)
	if sv.exit.IsValid() {
		o.addExit(sv.exit, m, quiet)
	}
	o.LiveReader = summary.Later(o.LiveReader, s.reader[k])
	o.AfterGo.unionWith(s.launched)
	o.Live = o.Live || s.unfailed.Has(k)
}
