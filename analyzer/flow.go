package analyzer

import (
	"go/constant"
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// This file is the dataflow: for each tracked connection, the set of
// states that may hold at each block, iterated to a fixed point over the
// CFG in reverse postorder. It is linear in blocks × connections (times
// the loop depth), with no path enumeration.

// funcFlow is the analysis of one function.
type funcFlow struct {
	pkg *pkgAnalysis
	fn  *ssa.Function

	conns    []*connInfo
	alias    map[ssa.Value]aliasRef
	queue    []ssa.Value
	originAt map[*ssa.Call]int

	events      map[ssa.Instruction][]event
	defers      []*ssa.Defer
	deferIndex  map[*ssa.Defer]int
	deferEvents [][]event
	conds       map[ssa.Value][]condFact

	// Results, accumulated monotonically while iterating.
	obs        map[obsKey]*observation
	obsOrder   []obsKey
	atReturn   []mask
	errReturn  []mask
	errReturn0 bool
	launches   map[launchKey]*launchRec
	launchOrd  []launchKey
}

// obsKey identifies a Close of one connection at one position.
type obsKey struct {
	pos  token.Pos
	conn int
}

// observation is the union of the states in which a Close runs.
type observation struct {
	m        mask
	lastIO   token.Pos
	lingerAt token.Pos
	via      string
}

type launchKey struct {
	pos   token.Pos
	conn  int
	index int
}

type launchRec struct {
	ev     event
	m      mask
	lastIO token.Pos
}

// flowState is the state at one program point.
type flowState struct {
	m        []mask
	lastIO   []token.Pos // last partial read (servers) or last write (clients)
	lingerAt []token.Pos
	defers   []uint64 // pending deferred calls, by index in funcFlow.defers
}

func newFlowState(conns, defers int) *flowState {
	return &flowState{
		m:        make([]mask, conns),
		lastIO:   make([]token.Pos, conns),
		lingerAt: make([]token.Pos, conns),
		defers:   make([]uint64, (defers+63)/64),
	}
}

func (s *flowState) copyFrom(o *flowState) {
	copy(s.m, o.m)
	copy(s.lastIO, o.lastIO)
	copy(s.lingerAt, o.lingerAt)
	copy(s.defers, o.defers)
}

// mergeInto merges s into dst and reports whether dst changed.
func (s *flowState) mergeInto(dst *flowState) bool {
	changed := false
	for i := range s.m {
		if m := dst.m[i] | s.m[i]; m != dst.m[i] {
			dst.m[i], changed = m, true
		}
		if s.lastIO[i] > dst.lastIO[i] {
			dst.lastIO[i], changed = s.lastIO[i], true
		}
		if s.lingerAt[i] > dst.lingerAt[i] {
			dst.lingerAt[i], changed = s.lingerAt[i], true
		}
	}
	for i := range s.defers {
		if d := dst.defers[i] | s.defers[i]; d != dst.defers[i] {
			dst.defers[i], changed = d, true
		}
	}
	return changed
}

// solve runs the dataflow to its fixed point.
func (f *funcFlow) solve() {
	n := len(f.fn.Blocks)
	nc, nd := len(f.conns), len(f.defers)
	f.atReturn = make([]mask, nc)
	f.errReturn = make([]mask, nc)
	in := make([]*flowState, n)
	entry := newFlowState(nc, nd)
	for k, c := range f.conns {
		if c.param >= 0 || c.freeVar >= 0 {
			entry.m[k] = maskUnread
		}
	}
	in[0] = entry
	order := reversePostorder(f.fn)
	dirty := make([]bool, n)
	dirty[0] = true
	cur, edge := newFlowState(nc, nd), newFlowState(nc, nd)
	for changed := true; changed; {
		changed = false
		for _, b := range order {
			if !dirty[b.Index] {
				continue
			}
			dirty[b.Index] = false
			cur.copyFrom(in[b.Index])
			if !f.transferBlock(b, cur) {
				continue // the block ends the path (panic, os.Exit...)
			}
			for si, succ := range b.Succs {
				src := cur
				if ifInstr, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If); ok {
					edge.copyFrom(cur)
					f.applyCond(edge, ifInstr.Cond, si == 0)
					src = edge
				}
				if in[succ.Index] == nil {
					in[succ.Index] = newFlowState(nc, nd)
					in[succ.Index].copyFrom(src)
				} else if !src.mergeInto(in[succ.Index]) {
					continue
				}
				dirty[succ.Index] = true
				changed = true
			}
		}
	}
}

// reversePostorder lists the reachable blocks of fn in reverse postorder.
func reversePostorder(fn *ssa.Function) []*ssa.BasicBlock {
	seen := make([]bool, len(fn.Blocks))
	post := make([]*ssa.BasicBlock, 0, len(fn.Blocks))
	// Iterative DFS: generated functions can be deep.
	type frame struct {
		b *ssa.BasicBlock
		i int
	}
	stack := []frame{{fn.Blocks[0], 0}}
	seen[0] = true
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i < len(top.b.Succs) {
			s := top.b.Succs[top.i]
			top.i++
			if !seen[s.Index] {
				seen[s.Index] = true
				stack = append(stack, frame{s, 0})
			}
			continue
		}
		post = append(post, top.b)
		stack = stack[:len(stack)-1]
	}
	for i, j := 0, len(post)-1; i < j; i, j = i+1, j-1 {
		post[i], post[j] = post[j], post[i]
	}
	return post
}

// transferBlock applies the block's instructions to s. It returns false
// when the block cannot complete normally.
func (f *funcFlow) transferBlock(b *ssa.BasicBlock, s *flowState) bool {
	for _, instr := range b.Instrs {
		for i := range f.events[instr] {
			f.apply(s, &f.events[instr][i])
		}
		switch i := instr.(type) {
		case *ssa.Defer:
			d := f.deferIndex[i]
			s.defers[d/64] |= 1 << (d % 64)
		case *ssa.RunDefers:
			for d := len(f.defers) - 1; d >= 0; d-- {
				if s.defers[d/64]&(1<<(d%64)) != 0 {
					for j := range f.deferEvents[d] {
						f.apply(s, &f.deferEvents[d][j])
					}
				}
			}
		case *ssa.Return:
			f.recordReturn(i, s)
		case *ssa.Call:
			if noReturnFuncs[funcName(i.Common().StaticCallee())] {
				return false
			}
		}
	}
	return true
}

func (f *funcFlow) recordReturn(ret *ssa.Return, s *flowState) {
	var errVal ssa.Value
	if n := len(ret.Results); n > 0 && isErrorType(ret.Results[n-1].Type()) && !isNilConst(ret.Results[n-1]) {
		errVal = ret.Results[n-1]
		f.errReturn0 = true
	}
	// When the returned error is a read's or write's error (return b, err
	// after io.ReadFull), a non-nil error means that operation failed.
	var failed []condFact
	if errVal != nil {
		failed = f.valueFacts(errVal, whenNonNil, 0)
	}
	for k, c := range f.conns {
		if c.param < 0 && c.freeVar < 0 {
			continue
		}
		f.atReturn[k] |= s.m[k]
		if errVal == nil {
			continue
		}
		m := s.m[k]
		for _, fact := range failed {
			if fact.conn == k {
				m = m.drain()
			}
		}
		f.errReturn[k] |= m
	}
}

// pending marks a client connection as owing a reply: we wrote to it.
func pending(m mask) mask {
	return m.live(func(s state) state {
		if s.status() == statusDone {
			return s.withStatus(statusUnread)
		}
		return s
	})
}

// apply performs one event on s.
func (f *funcFlow) apply(s *flowState, ev *event) {
	k := ev.conn
	c := f.conns[k]
	switch ev.kind {
	case evOrigin:
		s.m[k] = maskUnread
		if c.client {
			s.m[k] = maskUnread.drain() // nothing owed before we speak
		}
		s.lastIO[k], s.lingerAt[k] = token.NoPos, token.NoPos
	case evEffect:
		switch ev.eff {
		case effRead:
			if c.client {
				s.m[k] = s.m[k].drain()
			}
			s.lastIO[k] = ev.pos
			f.pkg.readDesc[ev.pos] = ev.what
		case effDrain:
			s.m[k] = s.m[k].drain()
		case effWrite:
			if c.client {
				s.m[k] = pending(s.m[k])
				s.lastIO[k] = ev.pos
				f.pkg.readDesc[ev.pos] = ev.what
			}
		case effHalfClose:
			s.m[k] = s.m[k].halfClose()
		case effLingerZero:
			s.m[k] = s.m[k].setLinger(true)
			s.lingerAt[k] = ev.pos
		case effLingerReset:
			s.m[k] = s.m[k].setLinger(false)
		case effClose:
			f.observe(ev.pos, k, s.m[k], s.lastIO[k], s.lingerAt[k], "")
			s.m[k] = s.m[k].close()
		case effEscape:
			s.m[k] = s.m[k].escape()
		}
	case evSummary:
		pe := ev.pe
		if pe.Escapes {
			s.m[k] = s.m[k].escape()
			return
		}
		if pe.AtClose != 0 && !pe.Uses {
			lingerAt := s.lingerAt[k]
			if lingerAt == token.NoPos {
				lingerAt = ev.pos
			}
			f.observe(ev.pos, k, compose(s.m[k], mask(pe.AtClose)), s.lastIO[k], lingerAt, ev.what)
		}
		f.afterCall(s, k, mask(pe.AtReturn), pe.AtClose != 0, pe.Reads, pe.Writes, ev)
	case evClosure:
		rr := f.pkg.rootOf(ev.callee, ev.index, ev.param)
		if rr == nil || rr.effect.Escapes {
			s.m[k] = s.m[k].escape()
			return
		}
		for _, site := range rr.sites {
			lastIO, lingerAt := s.lastIO[k], s.lingerAt[k]
			if site.lastIO != token.NoPos {
				lastIO = site.lastIO
			}
			if site.lingerAt != token.NoPos {
				lingerAt = site.lingerAt
			}
			f.observe(site.pos, k, compose(s.m[k], site.rel), lastIO, lingerAt, site.via)
		}
		e := rr.effect
		f.afterCall(s, k, mask(e.AtReturn), e.AtClose != 0, e.Reads, e.Writes, ev)
	case evLaunch:
		key := launchKey{ev.pos, k, ev.index}
		l, ok := f.launches[key]
		if !ok {
			l = &launchRec{ev: *ev}
			f.launches[key] = l
			f.launchOrd = append(f.launchOrd, key)
		}
		l.m |= s.m[k]
		l.lastIO = max(l.lastIO, s.lastIO[k])
		s.m[k] = s.m[k].escape()
	}
}

// afterCall moves a connection to its state after a call, given the
// callee's relative states at return.
func (f *funcFlow) afterCall(s *flowState, k int, atReturn mask, closes, reads, writes bool, ev *event) {
	m := compose(s.m[k], atReturn)
	if closes {
		m |= s.m[k].close()
	}
	if f.conns[k].client {
		switch {
		case reads:
			m = m.drain()
		case writes:
			m = pending(m)
		}
	}
	s.m[k] = m
	if reads || f.conns[k].client && writes {
		s.lastIO[k] = ev.pos
		f.pkg.readDesc[ev.pos] = ev.what
	}
}

func (f *funcFlow) observe(pos token.Pos, k int, m mask, lastIO, lingerAt token.Pos, via string) {
	if m == 0 {
		return // not reachable with this connection alive
	}
	key := obsKey{pos, k}
	o, ok := f.obs[key]
	if !ok {
		o = &observation{via: via}
		f.obs[key] = o
		f.obsOrder = append(f.obsOrder, key)
	}
	o.m |= m
	o.lastIO = max(o.lastIO, lastIO)
	o.lingerAt = max(o.lingerAt, lingerAt)
}

// applyCond refines s for the edge of an If on cond taken when cond == branch.
func (f *funcFlow) applyCond(s *flowState, cond ssa.Value, branch bool) {
	for _, fact := range f.edgeFacts(cond, branch) {
		if fact.dead {
			s.m[fact.conn] = 0
		} else {
			s.m[fact.conn] = s.m[fact.conn].drain()
		}
	}
}

// edgeFacts returns the facts that hold when cond evaluates to branch.
func (f *funcFlow) edgeFacts(cond ssa.Value, branch bool) []condFact {
	switch c := cond.(type) {
	case *ssa.UnOp:
		if c.Op == token.NOT {
			return f.edgeFacts(c.X, !branch)
		}
	case *ssa.BinOp:
		return f.compareFacts(c, branch)
	case *ssa.Call:
		if funcName(c.Common().StaticCallee()) == "errors.Is" && branch && len(c.Call.Args) == 2 {
			return f.valueFacts(c.Call.Args[0], whenNonNil, 0)
		}
	}
	if !branch {
		return f.valueFacts(cond, whenFalse, 0)
	}
	return nil
}

func (f *funcFlow) compareFacts(c *ssa.BinOp, branch bool) []condFact {
	x, y, op := c.X, c.Y, c.Op
	if _, isConst := x.(*ssa.Const); isConst {
		x, y, op = y, x, flip(op)
	}
	switch op {
	case token.EQL, token.NEQ:
		if isNilConst(y) {
			if (op == token.NEQ) == branch {
				return f.valueFacts(x, whenNonNil, 0)
			}
			return nil
		}
		if isErrorType(x.Type()) && (op == token.EQL) == branch {
			// err == io.EOF: err is not nil on the equal edge.
			if knownNonNil(y) {
				return f.valueFacts(x, whenNonNil, 0)
			}
			if knownNonNil(x) {
				return f.valueFacts(y, whenNonNil, 0)
			}
		}
	}
	if k, ok := constInt(y); ok && impliesNonPositive(op, k, branch) {
		return f.valueFacts(x, whenNonPositive, 0)
	}
	return nil
}

// flip mirrors a comparison: k < x is x > k.
func flip(op token.Token) token.Token {
	switch op {
	case token.LSS:
		return token.GTR
	case token.GTR:
		return token.LSS
	case token.LEQ:
		return token.GEQ
	case token.GEQ:
		return token.LEQ
	}
	return op
}

// impliesNonPositive reports whether (n op k) == branch implies n <= 0.
// The integers n >= 1 satisfying it form an interval; if it is not empty
// it contains 1, k-1, k, k+1 or a large number.
func impliesNonPositive(op token.Token, k int64, branch bool) bool {
	holds := func(n int64) bool {
		var r bool
		switch op {
		case token.EQL:
			r = n == k
		case token.NEQ:
			r = n != k
		case token.LSS:
			r = n < k
		case token.LEQ:
			r = n <= k
		case token.GTR:
			r = n > k
		case token.GEQ:
			r = n >= k
		default:
			return true
		}
		return r == branch
	}
	for _, n := range []int64{1, k - 1, k, k + 1, 1 << 40} {
		if n >= 1 && holds(n) {
			return false
		}
	}
	return true
}

// knownNonNil reports whether an error value is certainly not nil: a
// sentinel variable like io.EOF or a freshly made error.
func knownNonNil(v ssa.Value) bool {
	switch v := v.(type) {
	case *ssa.UnOp:
		_, isGlobal := v.X.(*ssa.Global)
		return v.Op == token.MUL && isGlobal
	case *ssa.MakeInterface:
		return true
	case *ssa.Call:
		return funcName(v.Common().StaticCallee()) == "errors.New"
	}
	return false
}

// valueFacts returns the facts recorded for v having outcome when, looking
// through phis whose non-nil inputs all carry the same facts.
func (f *funcFlow) valueFacts(v ssa.Value, when condWhen, depth int) []condFact {
	var out []condFact
	for _, c := range f.conds[v] {
		if c.when == when {
			out = append(out, c)
		}
	}
	if len(out) > 0 || depth > 4 {
		return out
	}
	phi, ok := v.(*ssa.Phi)
	if !ok {
		return nil
	}
	var common []condFact
	for _, e := range phi.Edges {
		if isNilConst(e) && when == whenNonNil {
			continue
		}
		if c, isConst := e.(*ssa.Const); isConst && when == whenFalse && c.Value != nil &&
			c.Value.Kind() == constant.Bool && constant.BoolVal(c.Value) {
			continue
		}
		facts := f.valueFacts(e, when, depth+1)
		if len(facts) == 0 {
			return nil
		}
		if common == nil {
			common = facts
		} else if !sameFacts(common, facts) {
			return nil
		}
	}
	return common
}

func sameFacts(a, b []condFact) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// rootEffect builds the summary of a parameter or captured connection.
func (f *funcFlow) rootEffect(k int) *rootResult {
	c := f.conns[k]
	rr := &rootResult{}
	e := &rr.effect
	if c.param >= 0 {
		e.Index = c.param
	} else {
		e.Index = c.freeVar
	}
	e.AtReturn = uint16(f.atReturn[k])
	e.Escapes = c.conflicted
	e.ErrDone = f.errReturn0 && f.errReturn[k]&statusMask(statusUnread) == 0
	e.ErrRead = f.errReturn[k]&statusMask(statusDone) != 0
	visit := func(ev *event) {
		if ev.conn != k {
			return
		}
		switch ev.kind {
		case evEffect:
			switch ev.eff {
			case effRead:
				e.Uses, e.Reads = true, true
			case effWrite:
				e.Uses, e.Writes = true, true
			case effDrain:
				e.Drains = true
			case effEscape:
				e.Escapes = true
			}
		case evSummary:
			e.Uses = e.Uses || ev.pe.Uses
			e.Reads = e.Reads || ev.pe.Reads
			e.Writes = e.Writes || ev.pe.Writes
			e.Drains = e.Drains || ev.pe.Drains
			e.Escapes = e.Escapes || ev.pe.Escapes
		case evClosure:
			if sub := f.pkg.rootOf(ev.callee, ev.index, ev.param); sub != nil {
				e.Uses = e.Uses || sub.effect.Uses
				e.Reads = e.Reads || sub.effect.Reads
				e.Writes = e.Writes || sub.effect.Writes
				e.Drains = e.Drains || sub.effect.Drains
				e.Escapes = e.Escapes || sub.effect.Escapes
			}
		case evLaunch:
			e.Escapes = true
		}
	}
	for _, evs := range f.events {
		for i := range evs {
			visit(&evs[i])
		}
	}
	for _, evs := range f.deferEvents {
		for i := range evs {
			visit(&evs[i])
		}
	}
	for _, key := range f.obsOrder {
		if key.conn != k {
			continue
		}
		o := f.obs[key]
		e.AtClose |= uint16(o.m)
		rr.sites = append(rr.sites, closeSite{pos: key.pos, rel: o.m, lastIO: o.lastIO, lingerAt: o.lingerAt, via: o.via})
	}
	for _, key := range f.launchOrd {
		if key.conn != k {
			continue
		}
		l := f.launches[key]
		rr.launches = append(rr.launches, launchSite{callee: l.ev.callee, index: l.ev.index, param: l.ev.param, rel: l.m})
	}
	return rr
}
