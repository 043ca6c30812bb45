package dataflow

import (
	"go/token"
	"go/types"
	"slices"
	"sort"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/lattice"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file groups a function's copy goroutines: go statements whose
// goroutine reads connections to EOF (a proxy's io.Copy directions, a
// reader loop), by what they signal when done, with how many of them the
// function waits for. The proxy rule and the summaries (a pipe helper
// that returns after its first direction) read the groups.

// CopyLaunch is one go statement whose goroutine drains connections and
// then signals a channel or a WaitGroup.
type CopyLaunch struct {
	GS     GoStmt
	Signal ssa.Value // the channel or WaitGroup it signals, in the launcher
	// Streams: it sends on Signal in a loop (each message it reads): a
	// receive waits for one message, not for its end.
	Streams bool
}

// CopyGroup is the copy goroutines that signal one channel or WaitGroup
// (or one goroutine that signals nothing), and how many of them the
// function waits for.
type CopyGroup struct {
	Signal   ssa.Value // nil: a goroutine that signals nothing
	Launches []CopyLaunch
	Waits    int
	All      bool // a WaitGroup.Wait or a receive in a loop: it waits for all
}

// Unfinished reports whether the function may go on while a copy
// goroutine of the group still runs.
func (g *CopyGroup) Unfinished() bool { return !g.All && g.Waits < len(g.Launches) }

// copyGroups returns fn's copy goroutines grouped by signal.
func copyGroups(fn *ssa.Function, cg *CFG, ev *Events) []*CopyGroup {
	var groups []*CopyGroup
	bySignal := make(map[ssa.Value]*CopyGroup)
	for _, gs := range ev.gos {
		l, ok := copyLaunchOf(gs)

		if !ok {
			continue
		}
		g := bySignal[l.Signal]
		if g == nil || l.Signal == nil {
			g = &CopyGroup{Signal: l.Signal}
			groups = append(groups, g)
			if l.Signal != nil {
				bySignal[l.Signal] = g
			}
		}
		g.Launches = append(g.Launches, l)
	}
	for _, g := range groups {
		if g.Signal == nil {
			continue
		}
		if streams(g) {
			// A channel of messages: only a range that runs to the
			// channel's close waits for the goroutine's end.
			g.All = rangeCompletes(fn, g.Signal)
			continue
		}
		g.Waits, g.All = waitsOn(fn, cg, g.Signal)
		if g.All {
			continue
		}
		// go func() { wg.Wait(); close(done) }(): a receive from done
		// waits for all of them.
		for _, gs := range ev.gos {
			if ch, ok := relayedSignal(gs, g.Signal); ok {
				if n, _ := waitsOn(fn, cg, ch); n > 0 {
					g.All = true
				}
			}
		}
	}
	return groups
}

func streams(g *CopyGroup) bool {
	for _, l := range g.Launches {
		if l.Streams {
			return true
		}
	}
	return false
}

// sendsInLoop reports whether fn sends on target (one of its values) in a
// loop: a reader goroutine that passes on each message it reads.
func sendsInLoop(fn *ssa.Function, target ssa.Value) bool {
	g := NewCFG(fn)
	for _, b := range fn.Blocks {
		if !g.InLoop(b) {
			continue
		}
		for _, instr := range b.Instrs {
			if send, ok := instr.(*ssa.Send); ok && cellOf(send.Chan) == target {
				return true
			}
		}
	}
	return false
}

// rangeCompletes reports whether fn ranges over the channel sig (a
// receive whose ok ends the loop) with no way out of the loop but the
// channel's close: a return from inside the loop leaves the sender
// running. A break jumps to the loop's exit and is not told apart.
func rangeCompletes(fn *ssa.Function, sig ssa.Value) bool {
	found := false
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			recv, ok := instr.(*ssa.UnOp)
			if !ok || recv.Op != token.ARROW || !recv.CommaOk || identity(recv.X) != sig {
				continue
			}
			body, done, ok := rangeEdges(recv)
			if !ok {
				continue // a receive that is no range: it waits for a message
			}
			if exitsEarly(body, done) {
				return false
			}
			found = true
		}
	}
	return found
}

// rangeEdges finds the loop body and the exit of a range over a channel
// (`v, ok := <-ch; if ok goto body else done`): the successors of the If
// on the receive's ok.
func rangeEdges(recv *ssa.UnOp) (body, done *ssa.BasicBlock, ok bool) {
	for _, r := range *recv.Referrers() {
		ext, isExt := r.(*ssa.Extract)
		if !isExt || ext.Index != 1 {
			continue
		}
		for _, er := range *ext.Referrers() {
			if iff, isIf := er.(*ssa.If); isIf && iff.Cond == ext && len(iff.Block().Succs) == 2 {
				return iff.Block().Succs[0], iff.Block().Succs[1], true
			}
		}
	}
	return nil, nil, false
}

// exitsEarly reports whether a return is reachable from the loop body
// without leaving through done.
func exitsEarly(body, done *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{done: true}
	work := []*ssa.BasicBlock{body}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if len(b.Instrs) > 0 {
			if _, ret := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ret {
				return true
			}
		}
		work = append(work, b.Succs...)
	}
	return false
}

// relayedSignal reports whether the goroutine gs waits for the group sig
// (a WaitGroup's or an errgroup's Wait) and then signals a channel of the
// launcher: that channel then stands for the whole group.
func relayedSignal(gs GoStmt, sig ssa.Value) (ssa.Value, bool) {
	if gs.Body == nil {
		return nil, false
	}
	outer := make(map[ssa.Value]ssa.Value)
	if mc, ok := gs.Call.Value.(*ssa.MakeClosure); ok {
		for i, fv := range gs.Body.FreeVars {
			if i < len(mc.Bindings) {
				outer[fv] = mc.Bindings[i]
			}
		}
	}
	for i, p := range gs.Body.Params {
		if i < len(gs.Call.Args) {
			outer[p] = gs.Call.Args[i]
		}
	}
	var wait ssa.Instruction
	for _, b := range gs.Body.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			cc := call.Common()
			if knowledge.IsGroupWait(knowledge.FuncName(cc.StaticCallee())) && len(cc.Args) == 1 {
				if o, ok := outer[cellOf(cc.Args[0])]; ok && identity(o) == sig {
					wait = instr
				}
			}
		}
	}
	if wait == nil {
		return nil, false
	}
	for _, b := range gs.Body.Blocks {
		for _, instr := range b.Instrs {
			var target ssa.Value
			switch i := instr.(type) {
			case *ssa.Send:
				target = cellOf(i.Chan)
			case *ssa.Call:
				if bi, ok := i.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" && len(i.Call.Args) == 1 {
					target = cellOf(i.Call.Args[0])
				}
			}
			if target == nil || !knowledge.RunsBefore(wait, instr) {
				continue
			}
			if o, ok := outer[target]; ok {
				return identity(o), true
			}
		}
	}
	return nil, false
}

// copyLaunchOf describes a go statement whose goroutine drains connections
// and how it signals the launcher when it is done (signal nil: it does
// not).
func copyLaunchOf(gs GoStmt) (CopyLaunch, bool) {
	l := CopyLaunch{GS: gs}
	if len(gs.Drains()) == 0 {
		return l, false
	}
	if gs.Group != nil {
		l.Signal = identity(gs.Group) // errgroup's Go: the group's Wait waits for it
		return l, true
	}
	if gs.Body == nil {
		return l, true // a standard copy (go io.Copy(dst, src)): it signals nothing
	}
	// outer maps a free variable or parameter of the body to the launcher's value.
	cc := gs.Call
	outer := make(map[ssa.Value]ssa.Value)
	if mc, ok := cc.Value.(*ssa.MakeClosure); ok {
		for i, fv := range gs.Body.FreeVars {
			outer[fv] = mc.Bindings[i]
		}
	}
	for i, p := range gs.Body.Params {
		if i < len(cc.Args) {
			outer[p] = cc.Args[i]
		}
	}
	signals := false // it signals something, mapped to the launcher or not
	for _, target := range signalTargets(gs.Body, 0) {
		signals = true
		if o, ok := outer[target]; ok {
			l.Signal = identity(o)
			l.Streams = sendsInLoop(gs.Body, target)
			return l, true
		}
	}
	// A goroutine that signals what we cannot follow (a channel in a
	// field) may be waited for: say nothing. One that signals nothing
	// cannot be.
	return l, !signals
}

// signalTargets returns what fn signals when it is done: the channels it
// sends on or closes and the WaitGroups it marks done, as fn's own values
// (a captured variable as its cell), also through the closures it calls
// or defers, as in `defer func() { done <- struct{}{} }()`.
func signalTargets(fn *ssa.Function, depth int) []ssa.Value {
	var targets []ssa.Value
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch i := instr.(type) {
			case *ssa.Send:
				targets = append(targets, cellOf(i.Chan))
			case ssa.CallInstruction:
				cc := i.Common()
				if knowledge.FuncName(cc.StaticCallee()) == "(*sync.WaitGroup).Done" && len(cc.Args) == 1 {
					targets = append(targets, cellOf(cc.Args[0]))
				}
				if b, ok := cc.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(cc.Args) == 1 {
					targets = append(targets, cellOf(cc.Args[0]))
				}
				if mc, ok := cc.Value.(*ssa.MakeClosure); ok && depth < 2 {
					inner := mc.Fn.(*ssa.Function)
					for _, t := range signalTargets(inner, depth+1) {
						targets = append(targets, boundTo(inner, mc, t))
					}
				}
			}
		}
	}
	return targets
}

// boundTo maps v, a value of the closure inner, to the value the closure
// mc binds it to when v is one of inner's free variables.
func boundTo(inner *ssa.Function, mc *ssa.MakeClosure, v ssa.Value) ssa.Value {
	for i, fv := range inner.FreeVars {
		if fv == v && i < len(mc.Bindings) {
			return mc.Bindings[i]
		}
	}
	return v
}

// cellOf looks through a load of a captured variable to the variable.
func cellOf(v ssa.Value) ssa.Value {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		if _, isFV := u.X.(*ssa.FreeVar); isFV {
			return u.X
		}
	}
	return v
}

// identity is what stands for a channel or WaitGroup in the launcher:
// the variable (cell) when it is captured, else the value.
func identity(v ssa.Value) ssa.Value {
	v = knowledge.Through(v) // chan T to chan<- T
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		if _, isAlloc := u.X.(*ssa.Alloc); isAlloc {
			return u.X
		}
	}
	return v
}

// waitsOn counts the receives from a channel in fn (or reports a
// WaitGroup.Wait or a receive in a loop, which wait for all).
func waitsOn(fn *ssa.Function, g *CFG, sig ssa.Value) (n int, all bool) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			hit := false
			switch i := instr.(type) {
			case *ssa.UnOp:
				hit = i.Op == token.ARROW && identity(i.X) == sig
			case *ssa.Select:
				for _, st := range i.States {
					if st.Dir == types.RecvOnly && identity(st.Chan) == sig {
						hit = true
					}
				}
			case *ssa.Range:
				hit = identity(i.X) == sig
				all = all || hit
			case ssa.CallInstruction:
				if knowledge.IsGroupWait(knowledge.FuncName(i.Common().StaticCallee())) &&
					len(i.Common().Args) == 1 && identity(i.Common().Args[0]) == sig {
					return n, true
				}
			}
			if hit {
				n++
				if g.InLoop(b) {
					all = true
				}
			}
		}
	}
	return n, all
}

// SignalName names what the copy goroutines signal: "channel errc",
// "WaitGroup wg", or "a channel" when it has no name (an SSA register).
func SignalName(v ssa.Value) string {
	noun := "channel"
	if knowledge.IsNamedType(knowledge.DerefType(v.Type()), false, "sync", "WaitGroup") {
		noun = "WaitGroup"
	}
	if a, ok := v.(*ssa.Alloc); ok && a.Comment != "" {
		return noun + " " + a.Comment
	}
	if _, isRegister := v.(ssa.Instruction); isRegister {
		return "a " + noun
	}
	return noun + " " + v.Name()
}

func sortedKeys(m map[int]bool) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// InlineCopy is a copy the function runs itself after starting a
// goroutine (`go pump(); io.Copy(client, server)`): a direction of the
// session as much as a copy goroutine is, and what it does to each conn.
type InlineCopy struct {
	Instr  ssa.CallInstruction
	Uses   map[int]*summary.Root
	launch Bitset // the go statements that start before it on every path
}

// After reports whether the go statement gs runs before the copy on
// every path to it.
func (ic InlineCopy) After(ev *Events, gs ssa.CallInstruction) bool {
	i, ok := ev.GoIndex[gs]
	return ok && ic.launch.Has(i)
}

// InlineCopies returns the calls of fn (not deferred) that read a conn to
// EOF, or copy into one until their source ends, after some go statement:
// io.Copy(dst, conn), io.Copy(conn, src) and the like.
func (a *Analysis) InlineCopies() []InlineCopy {
	if !a.HasConns() || len(a.Events.gos) == 0 {
		return nil
	}
	var out []InlineCopy
	for instr, evs := range a.Events.at {
		call, ok := instr.(*ssa.Call)
		if !ok {
			continue
		}
		if _, launches := a.Events.GoIndex[call]; launches {
			continue
		}
		ic := InlineCopy{Instr: call, Uses: make(map[int]*summary.Root), launch: newBitset(len(a.Events.gos))}
		drains := false
		for i := range evs {
			ev := &evs[i]
			t := ev.touch()
			if !t.reads && !t.writes && !t.drains {
				continue
			}
			drains = drains || t.drains || t.pumps
			r := ic.Uses[ev.conn]
			if r == nil {
				r = &summary.Root{}
				ic.Uses[ev.conn] = r
			}
			r.Effect.Reads = r.Effect.Reads || t.reads
			r.Effect.Writes = r.Effect.Writes || t.writes
			r.Effect.Drains = r.Effect.Drains || t.drains
			r.Effect.Pumps = r.Effect.Pumps || t.pumps
			r.Effect.Uses = r.Effect.Reads || r.Effect.Writes
		}
		if !drains {
			continue
		}
		for gi, gs := range a.Events.gos {
			if knowledge.RunsBefore(gs.Instr, call) {
				ic.launch.set(gi)
			}
		}
		out = append(out, ic)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Instr.Pos() < out[j].Instr.Pos() })
	return out
}

// HalfCloses reports whether the function half-closes conn k anywhere,
// itself or through a callee.
func (a *Analysis) HalfCloses(k int) bool {
	for _, evs := range a.Events.at {
		for i := range evs {
			ev := &evs[i]
			if ev.conn != k {
				continue
			}
			switch {
			case ev.kind == evEffect && ev.eff == knowledge.EffHalfClose:
				return true
			case ev.kind == evSummary && lattice.Mask(ev.pe.AtReturn) != lattice.Mask(ev.pe.AtReturn).MaybeNotHalfClosed():
				return true // some state at its return is half-closed
			}
		}
	}
	return false
}

// Gos returns the function's go statements (and launcher calls), in the
// order of GoIndex.
func (ev *Events) Gos() []GoStmt { return ev.gos }

// MayRunTogether reports whether the goroutines two go statements start
// may run at once: one statement is reachable from the other (on one
// path, or in a loop). Two go statements on the two branches of an if
// never both run.
func MayRunTogether(a, b ssa.Instruction) bool {
	return reaches(a, b) || reaches(b, a)
}

// reaches reports whether instruction b can run after a.
func reaches(a, b ssa.Instruction) bool {
	if a.Block() == b.Block() && knowledge.RunsBefore(a, b) {
		return true
	}
	return slices.Contains(blocksAfter(a.Block()), b.Block())
}
