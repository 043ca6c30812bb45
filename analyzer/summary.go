package analyzer

import (
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
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
}

// summarize builds fn's summary from its events and dataflow.
func summarize(tr *tracking, ev *eventTable, flow *flowResult) *funcSummary {
	sum := &funcSummary{params: make(map[rootKey]*rootSummary), freeVars: make(map[rootKey]*rootSummary), effects: paramEffects{}}
	for k, c := range tr.conns {
		switch {
		case c.param >= 0:
			rs := rootOf(k, c, ev, flow)
			sum.params[c.key()] = rs
			sum.effects = append(sum.effects, rs.effect)
		case c.freeVar >= 0:
			sum.freeVars[c.key()] = rootOf(k, c, ev, flow)
		}
	}
	return sum
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
// implements callees): local functions through the driver, which analyses
// them on demand, others through their facts.
type summaries struct {
	pass *analysis.Pass
	// local returns the summary of a function of this package, or nil
	// while it is being analysed (recursion) or when it has no body.
	local func(*ssa.Function) *funcSummary
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
				interesting = interesting || pe.AtClose != 0 || pe.Uses || pe.ErrDone || mask(pe.AtReturn) != maskUnread
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
