package analyzer

import (
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"
)

// This file builds the summaries of a function from its dataflow (what it
// does to each connection it is given), exports them as facts, and looks
// them up for callers: from the body when the callee is in this package,
// from its fact when it is in another.

// funcSummary is what callers need of one analysed function.
type funcSummary struct {
	params   map[rootKey]*rootSummary // by index in fn.Params (and owning field)
	freeVars map[rootKey]*rootSummary // by index in fn.FreeVars (and owning field)
	effects  paramEffects             // the parameters' effects, in the order of their connections
	// origin is set when fn's first result is always a conn from one
	// origin that fn keeps nowhere else: fn is an origin for its callers.
	origin *originSpec
}

// summarize builds fn's summary from its events, dataflow and copy
// goroutines.
func summarize(fn *ssa.Function, tr *tracking, ev *eventTable, flow *flowResult, groups []*copyGroup) *funcSummary {
	sum := &funcSummary{params: make(map[rootKey]*rootSummary), freeVars: make(map[rootKey]*rootSummary), effects: paramEffects{},
		origin: returnedOrigin(fn, tr, ev)}
	left := leftReading(ev, flow, groups)
	for k, c := range tr.conns {
		switch {
		case c.param >= 0:
			rs := rootOf(k, c, ev, flow)
			rs.effect.LeftReading = left[k] && c.field == nil
			sum.params[c.key()] = rs
			sum.effects = append(sum.effects, rs.effect)
		case c.freeVar >= 0:
			sum.freeVars[c.key()] = rootOf(k, c, ev, flow)
		}
	}
	return sum
}

// leftReading finds the conns that a copy goroutine of an unfinished group
// (one the function may return without waiting for) reads, and that the
// function does not close after starting it: its caller's Close cuts the
// copy short.
func leftReading(ev *eventTable, flow *flowResult, groups []*copyGroup) map[int]bool {
	left := make(map[int]bool)
	for _, g := range groups {
		if !g.unfinished() || len(g.launches) < 2 {
			continue
		}
		first := ev.goIndex[g.launches[0].gs.instr]
		for _, l := range g.launches {
			for _, k := range l.gs.drains() {
				left[k] = true
				for _, o := range flow.closes {
					if o.conn == k && o.afterGo.has(first) {
						left[k] = false // closed here: the proxy rule judges it here
					}
				}
			}
		}
	}
	return left
}

// returnedOrigin finds the origin whose conn every return of fn yields as
// its first result (nil results aside), when fn hands it only to its
// caller: no other escape, no Close, no goroutine.
func returnedOrigin(fn *ssa.Function, tr *tracking, ev *eventTable) *originSpec {
	if fn.Signature.Results().Len() == 0 || !isConnType(fn.Signature.Results().At(0).Type()) {
		return nil
	}
	k := -1
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) == 0 || isNilConst(ret.Results[0]) {
			continue
		}
		ref, ok := tr.alias[ret.Results[0]]
		if !ok || ref.role != roleConn || k >= 0 && ref.conn != k || tr.conns[ref.conn].verb == "" {
			return nil
		}
		k = ref.conn
	}
	if k < 0 || tr.conns[k].conflicted {
		return nil
	}
	handedOn := func(instr ssa.Instruction, evs []event) bool {
		for _, e := range evs {
			if e.conn != k {
				continue
			}
			_, isReturn := instr.(*ssa.Return)
			switch {
			case e.kind == evLaunch, e.kind == evEffect && e.eff == effClose,
				e.kind == evEffect && e.eff == effEscape && !isReturn,
				e.kind == evSummary && (e.pe.Escapes || e.pe.AtClose != 0):
				return true
			}
		}
		return false
	}
	for instr, evs := range ev.at {
		if handedOn(instr, evs) {
			return nil
		}
	}
	for i, evs := range ev.deferred {
		if handedOn(ev.defers[i], evs) {
			return nil
		}
	}
	c := tr.conns[k]
	return &originSpec{verb: c.verb, kind: c.kind, client: c.client, network: -1}
}

// root returns the summary of a root connection, nil when unknown.
func (s *funcSummary) root(key rootKey, param bool) *rootSummary {
	if param {
		return s.params[key]
	}
	return s.freeVars[key]
}

// rootOf summarizes what the function does to its root connection k.
func rootOf(k int, c *conn, ev *eventTable, flow *flowResult) *rootSummary {
	rs := &rootSummary{}
	e := &rs.effect
	key := c.key()
	e.Index, e.Field = key.index, key.field
	e.AtReturn = uint32(flow.atReturn[k])
	e.Escapes = c.conflicted
	e.ErrDone = flow.returnsErr && flow.errReturn[k]&statusMask(statusUnread) == 0
	e.ErrRead = flow.errReturn[k]&statusMask(statusDone) != 0
	add := func(evs []event) {
		for i := range evs {
			if evs[i].conn != k {
				continue
			}
			if ev := &evs[i]; ev.kind == evEffect && ev.eff == effLingerParam && !e.SetsLinger {
				e.SetsLinger, e.LingerParam = true, ev.index
			}
			if ev := &evs[i]; ev.kind == evEffect && ev.eff == effAbort {
				rs.aborts = append(rs.aborts, ev.pos)
			}
			t := evs[i].touch()
			e.Reads = e.Reads || t.reads
			e.Writes = e.Writes || t.writes
			e.Drains = e.Drains || t.drains
			e.Escapes = e.Escapes || t.escapes
		}
	}
	for _, evs := range ev.at {
		add(evs)
	}
	for _, evs := range ev.deferred {
		add(evs)
	}
	slices.Sort(rs.aborts)
	e.Uses = e.Reads || e.Writes
	for _, o := range flow.closes {
		if o.conn != k || !o.judged {
			continue
		}
		e.AtClose |= uint32(o.states)
		rs.sites = append(rs.sites, closeSite{pos: o.pos, rel: o.states, lastIO: o.lastIO, lingerAt: o.lingerAt, via: o.via})
	}
	for _, l := range flow.launches {
		if l.ev.conn == k {
			rs.launches = append(rs.launches, launchSite{root: l.ev.root, rel: l.states})
		}
	}
	return rs
}

// summaries answers the event stage's questions about callees (it
// implements callees) and the tracking stage's about wrappers (it
// implements wrapping): local functions through the driver, which
// analyses them on demand, others through their facts.
type summaries struct {
	pass *analysis.Pass
	// methodSets and methodValue are the SSA program's (methodValue
	// may take a lock: the program can be shared with other passes).
	methodSets  *typeutil.MethodSetCache
	methodValue func(*types.Selection) *ssa.Function
	// local returns the summary of a function of this package, or nil
	// while it is being analysed (recursion) or when it has no body.
	local func(*ssa.Function) *funcSummary

	delegation map[delegationKey]bool
	wrapperOf  map[*ssa.Function]int // -1: not a wrapper
}

type delegationKey struct {
	t     types.Type
	field int
}

func (s *summaries) summary(callee *ssa.Function) paramEffects {
	if orig := callee.Origin(); orig != nil {
		callee = orig
	}
	if len(callee.Blocks) > 0 {
		if sum := s.local(callee); sum != nil {
			return sum.effects
		}
		return nil
	}
	obj, ok := callee.Object().(*types.Func)
	if !ok || obj.Pkg() == nil || obj.Pkg() == s.pass.Pkg {
		return nil
	}
	var fact ConnFact
	if !s.pass.ImportObjectFact(obj, &fact) {
		return nil
	}
	return fact.Params
}

func (s *summaries) literal(fn *ssa.Function, key rootKey, param bool) *rootSummary {
	sum := s.local(fn)
	if sum == nil {
		return nil
	}
	return sum.root(key, param)
}

// exportFacts exports what the package's exported functions do to their
// connection parameters, for the packages that import it.
func exportFacts(pass *analysis.Pass, funcs []*ssa.Function, analysed func(*ssa.Function) *funcSummary) {
	exported := false
	for _, fn := range funcs {
		obj, ok := fn.Object().(*types.Func)
		if !ok || !obj.Exported() {
			continue
		}
		sum := analysed(fn)
		if sum == nil || len(sum.effects) == 0 {
			continue
		}
		var fact ConnFact
		interesting := false
		for _, pe := range sum.effects {
			// An escaping parameter is what no fact says: leave it out. An
			// owning field's effect stays even when it escapes: no effect
			// on a field means the function leaves it alone.
			if !pe.Escapes || pe.Field != "" {
				fact.Params = append(fact.Params, pe)
				interesting = interesting || pe.AtClose != 0 || pe.Uses || pe.ErrDone || pe.SetsLinger || pe.LeftReading ||
					mask(pe.AtReturn) != maskUnread
			}
		}
		if !interesting {
			continue
		}
		pass.ExportObjectFact(obj, &fact)
		exported = true
	}
	if exported {
		pass.ExportPackageFact(new(hasConnFacts))
	}
}

// exportCodeFacts exports, for the packages that call them, which of the
// package's exported functions are origins (they return a conn from one)
// and which are wrappers (and of which parameter).
func exportCodeFacts(pass *analysis.Pass, funcs []*ssa.Function, code ownCode) {
	for _, fn := range funcs {
		obj, ok := fn.Object().(*types.Func)
		if !ok || !obj.Exported() {
			continue
		}
		if spec, ok := code.returnedOrigin(fn); ok {
			pass.ExportObjectFact(obj, &OriginFact{Verb: spec.verb, Kind: int(spec.kind), Client: spec.client})
			pass.ExportPackageFact(new(hasConnFacts))
		}
		if i, ok := code.wrapperParam(fn); ok {
			pass.ExportObjectFact(obj, &WrapperFact{Param: i})
			pass.ExportPackageFact(new(hasConnFacts))
		}
	}
}

func (s *summaries) returnedOrigin(fn *ssa.Function) (originSpec, bool) {
	if orig := fn.Origin(); orig != nil {
		fn = orig
	}
	if len(fn.Blocks) > 0 {
		if sum := s.local(fn); sum != nil && sum.origin != nil {
			return *sum.origin, true
		}
		return originSpec{}, false
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok || obj.Pkg() == nil || obj.Pkg() == s.pass.Pkg {
		return originSpec{}, false
	}
	var fact OriginFact
	if !s.pass.ImportObjectFact(obj, &fact) {
		return originSpec{}, false
	}
	return originSpec{verb: fact.Verb, kind: kind(fact.Kind), client: fact.Client, network: -1}, true
}

// Wrappers. A type delegates to its field i when Read, Write and Close of
// a pointer to it are promoted from that field, or declared and doing to
// it what their names say (their summaries of the field: a read, a write,
// a close). A function wraps its parameter when it returns a fresh value
// of such a type holding the parameter in that field.

func (s *summaries) delegates(ptr types.Type, i int) bool {
	p, ok := types.Unalias(ptr).(*types.Pointer)
	if !ok {
		return false
	}
	st, ok := p.Elem().Underlying().(*types.Struct)
	if !ok || i >= st.NumFields() || !isConnType(st.Field(i).Type()) {
		return false
	}
	key := delegationKey{p.Elem(), i}
	if d, ok := s.delegation[key]; ok {
		return d
	}
	s.delegation[key] = false // while deciding: a method calling back finds no wrapper
	field := st.Field(i).Name()
	ms := s.methodSets.MethodSet(ptr)
	ok = true
	for _, m := range []string{"Read", "Write", "Close"} {
		sel := ms.Lookup(nil, m)
		if sel == nil {
			ok = false
			break
		}
		if idx := sel.Index(); len(idx) > 1 {
			ok = idx[0] == i // promoted: from the field itself?
		} else {
			pe := s.summary(s.methodValue(sel)).param(0, field)
			ok = pe != nil && (m == "Read" && pe.Reads || m == "Write" && pe.Writes || m == "Close" && pe.AtClose != 0)
		}
		if !ok {
			break
		}
	}
	s.delegation[key] = ok
	return ok
}

func (s *summaries) wrapperParam(fn *ssa.Function) (int, bool) {
	if orig := fn.Origin(); orig != nil {
		fn = orig
	}
	if i, ok := s.wrapperOf[fn]; ok {
		return i, i >= 0
	}
	i := -1
	if len(fn.Blocks) > 0 {
		s.wrapperOf[fn] = -1 // recursion: not (yet) a wrapper
		i = s.wrappedParam(fn)
	} else if obj, ok := fn.Object().(*types.Func); ok && obj.Pkg() != nil && obj.Pkg() != s.pass.Pkg {
		var fact WrapperFact
		if s.pass.ImportObjectFact(obj, &fact) {
			i = fact.Param
		}
	}
	s.wrapperOf[fn] = i
	return i, i >= 0
}

// wrappedParam finds the parameter a local function wraps, or -1: every
// return yields one fresh value (or nil), of a type that delegates to the
// field where the function stores the parameter, and the parameter goes
// nowhere else.
func (s *summaries) wrappedParam(fn *ssa.Function) int {
	var alloc *ssa.Alloc
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) == 0 {
			continue
		}
		v := ret.Results[0]
		if isNilConst(v) {
			continue
		}
		for {
			if mi, ok := v.(*ssa.MakeInterface); ok {
				v = mi.X
			} else if ci, ok := v.(*ssa.ChangeInterface); ok {
				v = ci.X
			} else {
				break
			}
		}
		a, ok := v.(*ssa.Alloc)
		if !ok || alloc != nil && a != alloc {
			return -1
		}
		alloc = a
	}
	if alloc == nil {
		return -1
	}
	for i, p := range fn.Params {
		if !isConnType(p.Type()) {
			continue
		}
		field, only := -1, true
		for _, r := range *p.Referrers() {
			switch r := r.(type) {
			case *ssa.Store:
				fa, ok := r.Addr.(*ssa.FieldAddr)
				if !ok || fa.X != alloc || field >= 0 {
					only = false
				} else {
					field = fa.Field
				}
			case *ssa.Send, *ssa.MapUpdate, *ssa.Return, *ssa.MakeClosure:
				only = false
			}
		}
		if only && field >= 0 && s.delegates(alloc.Type(), field) {
			return i
		}
	}
	return -1
}
