package analyzer

import (
	"fmt"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// This file is the proxy rule: a function starts goroutines that each
// read a connection to EOF (the two io.Copy directions of a proxy), waits
// for fewer of them than it started (one receive from an error channel),
// and then closes a connection that an unfinished direction still reads.
// Its input may be queued unread, so the Close sends RST.

// copyLaunch is one go statement whose goroutine drains connections and
// then signals a channel or a WaitGroup.
type copyLaunch struct {
	pos     token.Pos
	drained []int     // connections of the launcher the goroutine reads to EOF
	signal  ssa.Value // the channel or WaitGroup it signals, in the launcher
}

// proxyReport finds the proxy shape in f and queues its diagnostics.
func (f *funcFlow) proxyReport() {
	if !f.pkg.cfg.proxy {
		return
	}
	groups := make(map[ssa.Value][]copyLaunch)
	var order []ssa.Value
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			g, ok := instr.(*ssa.Go)
			if !ok {
				continue
			}
			l, ok := f.copyLaunchOf(g)
			if !ok {
				continue
			}
			if _, seen := groups[l.signal]; !seen {
				order = append(order, l.signal)
			}
			groups[l.signal] = append(groups[l.signal], l)
		}
	}
	for _, sig := range order {
		launches := groups[sig]
		if len(launches) < 2 {
			continue
		}
		waits, all := f.waitsOn(sig)
		if all || waits >= len(launches) {
			continue
		}
		var gos []string
		for _, l := range launches {
			gos = append(gos, f.pkg.at("go", l.pos))
		}
		detail := fmt.Sprintf("the first of %d goroutines reading to EOF (%s) has finished, after %d of %d waits on %s",
			len(launches), strings.Join(gos, ", "), waits, len(launches), signalName(sig))
		drained := make(map[int]bool)
		for _, l := range launches {
			for _, k := range l.drained {
				drained[k] = true
			}
		}
		for _, k := range sortedKeys(drained) {
			for _, pos := range f.closesAfter(k, launches[0].pos) {
				f.pkg.cands = append(f.pkg.cands, candidate{
					pos: pos, verdict: verdictProxyEarly, conn: f.conns[k], fnName: f.fn.Name(), detail: detail,
				})
			}
		}
	}
}

// copyLaunchOf describes a go statement whose goroutine (a function
// literal, or a function of this package) drains connections and signals.
func (f *funcFlow) copyLaunchOf(g *ssa.Go) (copyLaunch, bool) {
	cc := g.Common()
	l := copyLaunch{pos: g.Pos()}
	var body *ssa.Function
	// outer maps a free variable or parameter of the body to the launcher's value.
	outer := make(map[ssa.Value]ssa.Value)
	if mc, ok := cc.Value.(*ssa.MakeClosure); ok {
		body = mc.Fn.(*ssa.Function)
		for i, fv := range body.FreeVars {
			outer[fv] = mc.Bindings[i]
		}
	} else if callee := cc.StaticCallee(); callee != nil && !cc.IsInvoke() {
		body = callee
	}
	if body == nil || len(body.Blocks) == 0 {
		return l, false
	}
	for i, p := range body.Params {
		if i < len(cc.Args) {
			outer[p] = cc.Args[i]
		}
	}
	// Which connections does it read to EOF?
	for _, ev := range f.events[g] {
		if ev.kind == evLaunch {
			if rr := f.pkg.rootOf(ev.callee, ev.index, ev.param); rr != nil && rr.effect.Drains {
				l.drained = append(l.drained, ev.conn)
			}
		}
	}
	if sum := f.pkg.summaryOf(body); sum != nil && cc.Value == body {
		for i, a := range cc.Args {
			if ref, ok := f.alias[a]; ok {
				if pe := sum.param(i); pe != nil && pe.Drains {
					l.drained = append(l.drained, ref.conn)
				}
			}
		}
	}
	if len(l.drained) == 0 {
		return l, false
	}
	// What does it signal when done?
	for _, b := range body.Blocks {
		for _, instr := range b.Instrs {
			var target ssa.Value
			switch i := instr.(type) {
			case *ssa.Send:
				target = i.Chan
			case ssa.CallInstruction:
				if funcName(i.Common().StaticCallee()) == "(*sync.WaitGroup).Done" && len(i.Common().Args) == 1 {
					target = i.Common().Args[0]
				}
			}
			if target == nil {
				continue
			}
			if o, ok := outer[cellOf(target)]; ok {
				l.signal = identity(o)
				return l, true
			}
		}
	}
	return l, false
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
	for {
		ct, ok := v.(*ssa.ChangeType) // chan T to chan<- T
		if !ok {
			break
		}
		v = ct.X
	}
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		if _, isAlloc := u.X.(*ssa.Alloc); isAlloc {
			return u.X
		}
	}
	return v
}

// waitsOn counts the receives from a channel (or reports a WaitGroup.Wait
// or a receive in a loop, which wait for all).
func (f *funcFlow) waitsOn(sig ssa.Value) (n int, all bool) {
	for _, b := range f.fn.Blocks {
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
				if funcName(i.Common().StaticCallee()) == "(*sync.WaitGroup).Wait" &&
					len(i.Common().Args) == 1 && identity(i.Common().Args[0]) == sig {
					return n, true
				}
			}
			if hit {
				n++
				if inLoop(b) {
					all = true
				}
			}
		}
	}
	return n, all
}

// inLoop reports whether b can reach itself.
func inLoop(b *ssa.BasicBlock) bool {
	seen := make(map[*ssa.BasicBlock]bool)
	stack := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == b {
			return true
		}
		if !seen[x] {
			seen[x] = true
			stack = append(stack, x.Succs...)
		}
	}
	return false
}

// closesAfter lists the positions where f closes conn k, directly or by a
// deferred call, on a path from the go statement at from.
func (f *funcFlow) closesAfter(k int, from token.Pos) []token.Pos {
	var start *ssa.BasicBlock
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			if g, ok := instr.(*ssa.Go); ok && g.Pos() == from {
				start = b
			}
		}
	}
	if start == nil {
		return nil
	}
	reach := map[*ssa.BasicBlock]bool{start: true}
	stack := []*ssa.BasicBlock{start}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, s := range b.Succs {
			if !reach[s] {
				reach[s] = true
				stack = append(stack, s)
			}
		}
	}
	var out []token.Pos
	closes := func(evs []event) []token.Pos {
		var ps []token.Pos
		for _, ev := range evs {
			if ev.conn != k {
				continue
			}
			switch {
			case ev.kind == evEffect && ev.eff == effClose:
				ps = append(ps, ev.pos)
			case ev.kind == evSummary && ev.pe.AtClose != 0:
				ps = append(ps, ev.pos)
			case ev.kind == evClosure:
				if rr := f.pkg.rootOf(ev.callee, ev.index, ev.param); rr != nil {
					for _, s := range rr.sites {
						ps = append(ps, s.pos)
					}
				}
			}
		}
		return ps
	}
	runsDefers := false
	for b := range reach {
		for _, instr := range b.Instrs {
			if _, ok := instr.(*ssa.RunDefers); ok {
				runsDefers = true
			}
			if b != start || instr.Pos() > from {
				out = append(out, closes(f.events[instr])...)
			}
		}
	}
	if runsDefers {
		for _, evs := range f.deferEvents {
			out = append(out, closes(evs)...)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func signalName(v ssa.Value) string {
	name := v.Name()
	if a, ok := v.(*ssa.Alloc); ok && a.Comment != "" {
		name = a.Comment
	}
	if isNamedType(derefType(v.Type()), false, "sync", "WaitGroup") {
		return "WaitGroup " + name
	}
	return "channel " + name
}

func derefType(t types.Type) types.Type {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

func sortedKeys(m map[int]bool) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}
