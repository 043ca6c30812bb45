package dataflow

import (
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/lattice"
	"github.com/rstlint/rstlint/analyzer/internal/ownership"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file builds a function's summary from its events, dataflow and
// copy goroutines: what it does to each connection it is given, and
// whether the conn its first result carries is an origin's or a wrapper
// of a parameter. The callers of the function read it from the
// summary.Table; its exported part goes to other packages as facts.

// summarize builds fn's summary.
func summarize(fn *ssa.Function, tr *ownership.Tracking, ev *Events, flow *Flow, groups []*CopyGroup) *summary.Func {
	sum := &summary.Func{Params: make(map[summary.RootKey]*summary.Root), FreeVars: make(map[summary.RootKey]*summary.Root),
		Effects: summary.ParamEffects{}, WrapperParam: -1}
	if ks, ok := returnedConns(fn, tr, ev); ok {
		c := tr.Conns[ks[0]]
		switch {
		case c.Verb != "":
			sum.Origin = originOf(fn, tr, ks)
		case len(ks) == 1 && ConnResult(fn.Signature) == 0 && c.Param >= 0 && c.Field == nil && c.Kind != knowledge.KindFD && wrapsParam(fn, tr, ks[0]):
			sum.WrapperParam = c.Param
			sum.WrapperParses = wrapperParses(fn, tr)
		}
	}
	for _, v := range ev.views {
		if v.Result != 0 || sum.WrapperParam < 0 {
			sum.Views = append(sum.Views, v)
		}
	}
	left := leftReading(ev, flow, groups)
	for k, c := range tr.Conns {
		switch {
		case c.Param >= 0:
			rs := rootOf(fn, k, c, ev, flow)
			rs.Effect.LeftReading = (left[k] || flow.leftAtReturn[k]) && c.Field == nil
			if rs.Effect.LeftReading {
				rs.Effect.AtQuiet = uint64(flow.quietReturn[k])
			}
			sum.Params[c.Key()] = rs
			sum.Effects = append(sum.Effects, rs.Effect)
		case c.FreeVar >= 0:
			sum.FreeVars[c.Key()] = rootOf(fn, k, c, ev, flow)
		}
	}
	return sum
}

// leftReading finds the conns that a copy goroutine of an unfinished group
// (one the function may return without waiting for) reads, and that the
// function does not close after starting it: its caller's Close cuts the
// copy short. (A conn a pipe helper's copy still reads when the function
// returns is left reading too: Flow.leftAtReturn.)
func leftReading(ev *Events, flow *Flow, groups []*CopyGroup) map[int]bool {
	left := make(map[int]bool)
	for _, g := range groups {
		if !g.Unfinished() || len(g.Launches) < 2 {
			continue
		}
		first := ev.GoIndex[g.Launches[0].GS.Instr]
		for _, l := range g.Launches {
			for _, k := range l.GS.Drains() {
				left[k] = true
				for _, o := range flow.Closes {
					if o.Conn == k && o.AfterGo.Has(first) {
						left[k] = false // closed here: the proxy rule judges it here
					}
				}
			}
		}
	}
	return left
}

// ConnResult is the index of the result that carries a function's conn:
// its first result of a conn type or of a pointer to one of the
// program's conn structs (a helper may return a response first, as
// `(res *http.Response, c net.Conn, err error)`; a wrapper's
// constructor its own type), or -1.
func ConnResult(sig *types.Signature) int {
	for i := range sig.Results().Len() {
		if t := sig.Results().At(i).Type(); knowledge.IsConnType(t) || knowledge.IsConnStructType(t) {
			return i
		}
	}
	return -1
}

// fdResult is the index of the result that carries a raw descriptor,
// for a function that returns one and an error ((fd int, err error), as
// syscall.Socket does), or -1.
func fdResult(sig *types.Signature) int {
	res := sig.Results()
	if res.Len() < 2 || !knowledge.IsErrorType(res.At(res.Len()-1).Type()) {
		return -1
	}
	for i := range res.Len() - 1 {
		if b, ok := res.At(i).Type().Underlying().(*types.Basic); ok && b.Kind() == types.Int {
			return i
		}
	}
	return -1
}

// returnedConns finds the conns that the returns of fn yield as their
// conn result (ConnResult; nil results aside), when fn hands them only to its
// caller: no other escape, no Close, no goroutine. One conn from an
// origin, or several from origins of one verb (a dial method that calls
// its Dial field when it is set and net.Dial otherwise), makes fn an
// origin; a parameter, returned in a fresh delegating wrapper, makes fn a
// wrapper of it.
func returnedConns(fn *ssa.Function, tr *ownership.Tracking, ev *Events) ([]int, bool) {
	ri, fd := ConnResult(fn.Signature), false
	if ri < 0 {
		ri, fd = fdResult(fn.Signature), true
	}
	if ri < 0 {
		return nil, false
	}
	var ks []int
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) <= ri || knowledge.IsNilConst(ret.Results[ri]) {
			continue
		}
		if _, isConst := ret.Results[ri].(*ssa.Const); isConst && fd {
			continue // return -1, err
		}
		ref, ok := tr.Alias[ret.Results[ri]]
		if !ok || ref.Role != knowledge.RoleConn || tr.Conns[ref.Conn].Conflicted || tr.Conns[ref.Conn].ProxyEnd ||
			fd != (ref.Kind == knowledge.KindFD) {
			return nil, false // a proxy's end is no origin for the callers
		}
		if !slices.Contains(ks, ref.Conn) {
			ks = append(ks, ref.Conn)
		}
	}
	if len(ks) == 0 {
		return nil, false
	}
	if len(ks) > 1 {
		first := tr.Conns[ks[0]]
		for _, k := range ks[1:] {
			if c := tr.Conns[k]; first.Verb == "" || c.Verb != first.Verb || c.Kind != first.Kind {
				return nil, false
			}
		}
	}
	returning := returnBlocks(fn, ri)
	for _, k := range ks {
		if handedOnBefore(k, ev, returning) {
			return nil, false
		}
	}
	return ks, true
}

// originOf is the origin fact of a function that returns the conns ks,
// all from origins of one verb and kind.
func originOf(fn *ssa.Function, tr *ownership.Tracking, ks []int) *summary.OriginFact {
	c := tr.Conns[ks[0]]
	o := &summary.OriginFact{Verb: c.Verb, Kind: int(c.Kind), Client: c.Client, Socket: c.Socket, Result: max(ConnResult(fn.Signature), 0),
		CallerNetwork: c.CallerNetwork, NetworkParam: c.NetworkParam, NetworkTyped: c.NetworkTyped}
	for _, k := range ks[1:] {
		c := tr.Conns[k]
		o.Client = o.Client && c.Client
		if c.Socket != o.Socket {
			o.Socket = knowledge.NoSocket
		}
		o.NetworkTyped = o.NetworkTyped && c.NetworkTyped
		if c.CallerNetwork {
			if o.CallerNetwork && o.NetworkParam != c.NetworkParam {
				return nil // two networks the caller names: which one is a stream?
			}
			o.CallerNetwork, o.NetworkParam = true, c.NetworkParam
		}
	}
	return o
}

// returnBlocks are the blocks of fn that return a conn (a non-nil
// result ri).
func returnBlocks(fn *ssa.Function, ri int) map[*ssa.BasicBlock]bool {
	out := make(map[*ssa.BasicBlock]bool)
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && len(ret.Results) > ri && !knowledge.IsNilConst(ret.Results[ri]) {
			out[b] = true
		}
	}
	return out
}

// errorReturned reports whether b runs only where an error x was found
// non-nil (a block under `if x != nil`), and every return after it
// returns x as the function's error: a Close there (`if err != nil {
// syscall.Close(fd) }; return fd, err`) comes with an error the caller
// checks, and the conn returned beside it is not used.
func errorReturned(b *ssa.BasicBlock) bool {
	fn := b.Parent()
	res := fn.Signature.Results()
	if res.Len() == 0 || !knowledge.IsErrorType(res.At(res.Len()-1).Type()) {
		return false
	}
	var err ssa.Value
	for d := b; d != nil && err == nil; d = d.Idom() {
		for _, p := range d.Preds {
			iff, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If)
			if !ok || p.Succs[0] != d || len(d.Preds) != 1 {
				continue
			}
			if cmp, ok := iff.Cond.(*ssa.BinOp); ok && cmp.Op == token.NEQ && knowledge.IsNilConst(cmp.Y) {
				err = cmp.X
			}
		}
	}
	if err == nil {
		return false
	}
	found := false
	for _, blk := range append(blocksAfter(b), b) {
		if ret, ok := blk.Instrs[len(blk.Instrs)-1].(*ssa.Return); ok {
			if ret.Results[len(ret.Results)-1] != err {
				return false
			}
			found = true
		}
	}
	return found
}

// reachesAny reports whether b or a block that can run after it is one
// of to.
func reachesAny(b *ssa.BasicBlock, to map[*ssa.BasicBlock]bool) bool {
	return to[b] || slices.ContainsFunc(blocksAfter(b), func(blk *ssa.BasicBlock) bool { return to[blk] })
}

// handedOnBefore reports whether fn hands conn k to anything but its
// caller: a goroutine, a Close, an escape other than a return. A Close
// after which fn returns no conn (a dial helper that closes what it
// dialed when its handshake fails, and returns nil) hands nothing on.
func handedOnBefore(k int, ev *Events, returning map[*ssa.BasicBlock]bool) bool {
	handedOn := func(instr ssa.Instruction, evs []event) bool {
		for _, e := range evs {
			if e.conn != k {
				continue
			}
			_, isReturn := instr.(*ssa.Return)
			closes := e.kind == evEffect && e.eff == knowledge.EffClose || e.kind == evSummary && e.pe.AtClose != 0
			if _, deferred := instr.(*ssa.Defer); closes && !deferred && (!reachesAny(instr.Block(), returning) || errorReturned(instr.Block())) {
				continue
			}
			switch {
			case e.kind == evLaunch, e.kind == evEffect && e.eff == knowledge.EffClose,
				e.kind == evEffect && e.eff == knowledge.EffEscape && !isReturn,
				e.kind == evSummary && (e.pe.Escapes || e.pe.AtClose != 0):
				return true
			}
		}
		return false
	}
	for instr, evs := range ev.at {
		if handedOn(instr, evs) {
			return true
		}
	}
	for i, evs := range ev.deferred {
		if handedOn(ev.defers[i], evs) {
			return true
		}
	}
	return false
}

// wrapsParam reports whether every conn fn returns is the parameter k or
// a fresh value of one of the program's delegating types holding it (not
// a standard constructor's view of it): tracking made that value an alias
// of k (ownership's storeIntoWrapper). A function that returns its conn
// as it is on one path and wrapped on another (a debug wrapper when
// logging is on) hands back the same conn either way, and so does one
// that returns the conn a wrapper of it holds.
func wrapsParam(fn *ssa.Function, tr *ownership.Tracking, k int) bool {
	wraps := false
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) == 0 || knowledge.IsNilConst(ret.Results[0]) {
			continue
		}
		switch v := knowledge.Through(ret.Results[0]).(type) {
		case *ssa.Alloc:
			if tr.Alias[v].Conn != k || tr.Alias[v].Role != knowledge.RoleConn {
				return false
			}
			wraps = true
		case *ssa.Parameter:
			if ref, ok := tr.Alias[v]; !ok || ref.Conn != k || ref.Role != knowledge.RoleConn {
				return false
			}
		case *ssa.Call, *ssa.Extract, *ssa.UnOp:
			// Another wrapper of k (the program's, or a function value
			// of type func(net.Conn) net.Conn), or the conn a wrapper of
			// k delegates to (an unwrap: `if w, ok := c.(*Conn); ok {
			// return w.Conn }`). Through steps from a tuple's result to
			// the call, which is no alias: the result returned is.
			ref, ok := tr.Alias[v]
			if !ok {
				ref, ok = tr.Alias[ret.Results[0]]
			}
			if !ok || ref.Conn != k || ref.Role != knowledge.RoleConn {
				return false
			}
			wraps = true
		default:
			return false
		}
	}
	return wraps
}

// wrapperParses reports whether a wrapper fn returns can fail its reads
// on what it read (tracking marked the fresh value, ownership's Parses).
func wrapperParses(fn *ssa.Function, tr *ownership.Tracking) bool {
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && len(ret.Results) > 0 {
			if tr.Alias[knowledge.Through(ret.Results[0])].Parses {
				return true
			}
		}
	}
	return false
}

// rootOf summarizes what the function does to its root connection k.
func rootOf(fn *ssa.Function, k int, c *ownership.Conn, ev *Events, flow *Flow) *summary.Root {
	rs := &summary.Root{}
	e := &rs.Effect
	key := c.Key()
	e.Index, e.Field = key.Index, key.Field
	e.AtReturn = uint64(flow.atReturn[k])
	e.Escapes = c.Conflicted
	e.ErrDone = flow.returnsErr && flow.errReturn[k]&lattice.StatusMask(lattice.Unread) == 0
	if flow.returnsErr {
		e.AtErr, e.AtOK = uint64(flow.errReturn[k]), uint64(flow.okReturn[k])
	}
	e.ErrRead = flow.errReturn[k]&lattice.StatusMask(lattice.Done) != 0
	e.AssumesSocket = flow.assumesSocket[k]
	e.WritesLast = flow.writesLast[k]
	add := func(evs []event) {
		for i := range evs {
			if evs[i].conn != k {
				continue
			}
			if ev := &evs[i]; ev.kind == evEffect && ev.eff == knowledge.EffLingerParam && !e.SetsLinger {
				e.SetsLinger, e.LingerParam = true, ev.index
			}
			t := evs[i].touch()
			e.Reads = e.Reads || t.reads
			e.Writes = e.Writes || t.writes
			e.Drains = e.Drains || t.drains
			e.Pumps = e.Pumps || t.pumps
			e.Escapes = e.Escapes || t.escapes
		}
	}
	for _, evs := range ev.at {
		add(evs)
	}
	for _, evs := range ev.deferred {
		add(evs)
	}
	rs.Aborts = slices.Clone(flow.aborts[k])
	slices.Sort(rs.Aborts)
	rs.ReadAborts = slices.Clone(flow.readAborts[k])
	slices.Sort(rs.ReadAborts)
	e.Uses = e.Reads || e.Writes
	for _, o := range flow.Closes {
		if o.Conn != k || !o.Judged {
			continue
		}
		e.AtClose |= uint64(o.States)
		rs.Sites = append(rs.Sites, summary.CloseSite{Pos: o.Pos, Rel: o.States, LastIO: o.LastIO, LingerAt: o.LingerAt, Via: o.Via, Broken: !o.Live})
	}
	// A parameter that may not be a socket: this function does not judge
	// its Closes (ownership.AnswersFor), its callers that pass one do.
	e.Unjudged = c.Param >= 0 && c.Field == nil && !c.Definite && !c.Conflicted && e.OwnsConn() && e.AtClose != 0
	for _, l := range flow.Launches {
		if l.Conn == k {
			rs.Launches = append(rs.Launches, summary.LaunchSite{Root: l.Root, Rel: l.States})
		}
	}
	return rs
}
