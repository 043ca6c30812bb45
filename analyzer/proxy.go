package analyzer

import (
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/ssa"
)

// This file is the proxy rule: a function starts goroutines that each
// read a connection to EOF (the two io.Copy directions of a proxy), waits
// for fewer of them than it started (one receive from an error channel),
// and then closes a connection that an unfinished direction still reads.
// Its input may be queued unread, so the Close sends RST. It reads the
// event table (which goroutines drain what) and the dataflow's Closes
// (which run after a go statement); it walks no graph of its own.

// copyLaunch is one go statement whose goroutine drains connections and
// then signals a channel or a WaitGroup.
type copyLaunch struct {
	gs     goStmt
	signal ssa.Value // the channel or WaitGroup it signals, in the launcher
}

// proxyCandidates finds the proxy shape in one function, and its
// one-direction form: a function that starts a goroutine reading a conn to
// EOF and closes that conn without waiting for it (it neither receives
// what the reader sends or closes when its loop ends, nor waits on its
// WaitGroup): whatever the reader has not read yet makes the Close reset.
func proxyCandidates(fa *funcAnalysis) []candidate {
	type group struct {
		signal   ssa.Value // nil: a reader that signals nothing
		launches []copyLaunch
	}
	var groups []*group
	bySignal := make(map[ssa.Value]*group)
	for _, gs := range fa.ev.gos {
		l, ok := copyLaunchOf(gs)
		if !ok {
			continue
		}
		g := bySignal[l.signal]
		if g == nil || l.signal == nil {
			g = &group{signal: l.signal}
			groups = append(groups, g)
			if l.signal != nil {
				bySignal[l.signal] = g
			}
		}
		g.launches = append(g.launches, l)
	}
	var out []candidate
	for _, g := range groups {
		launches := g.launches
		waits, all := 0, false
		if g.signal != nil {
			waits, all = waitsOn(fa.fn, fa.g, g.signal)
		}
		if all || waits >= len(launches) {
			continue
		}
		detail := &proxyDetail{waits: waits}
		if g.signal != nil {
			detail.signal = signalName(g.signal)
		}
		drained := make(map[int]bool)
		for _, l := range launches {
			detail.gos = append(detail.gos, l.gs.instr.Pos())
			for _, k := range l.gs.drains {
				drained[k] = true
			}
		}
		verdict := verdictProxyEarly
		if len(launches) == 1 {
			verdict = verdictReaderActive
		}
		first := fa.ev.goIndex[launches[0].gs.instr]
		for _, k := range sortedKeys(drained) {
			var closes []token.Pos
			for _, o := range fa.flow.closes {
				if o.conn == k && o.afterGo.has(first) {
					closes = append(closes, o.pos)
				}
			}
			sort.Slice(closes, func(i, j int) bool { return closes[i] < closes[j] })
			for _, pos := range closes {
				out = append(out, candidate{pos: pos, verdict: verdict, conn: fa.tr.conns[k],
					fnName: fa.fn.Name(), proxy: detail})
			}
		}
	}
	return out
}

// copyLaunchOf describes a go statement whose goroutine drains connections
// and how it signals the launcher when it is done (signal nil: it does
// not).
func copyLaunchOf(gs goStmt) (copyLaunch, bool) {
	l := copyLaunch{gs: gs}
	if gs.body == nil || len(gs.drains) == 0 {
		return l, false
	}
	// outer maps a free variable or parameter of the body to the launcher's value.
	cc := gs.instr.Common()
	outer := make(map[ssa.Value]ssa.Value)
	if mc, ok := cc.Value.(*ssa.MakeClosure); ok {
		for i, fv := range gs.body.FreeVars {
			outer[fv] = mc.Bindings[i]
		}
	}
	for i, p := range gs.body.Params {
		if i < len(cc.Args) {
			outer[p] = cc.Args[i]
		}
	}
	signals := false // it signals something, mapped to the launcher or not
	for _, b := range gs.body.Blocks {
		for _, instr := range b.Instrs {
			var target ssa.Value
			switch i := instr.(type) {
			case *ssa.Send:
				target = i.Chan
			case ssa.CallInstruction:
				cc := i.Common()
				if funcName(cc.StaticCallee()) == "(*sync.WaitGroup).Done" && len(cc.Args) == 1 {
					target = cc.Args[0]
				}
				if b, ok := cc.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(cc.Args) == 1 {
					target = cc.Args[0]
				}
			}
			if target == nil {
				continue
			}
			signals = true
			if o, ok := outer[cellOf(target)]; ok {
				l.signal = identity(o)
				return l, true
			}
		}
	}
	// A goroutine that signals what we cannot follow (a channel in a
	// field) may be waited for: say nothing. One that signals nothing
	// cannot be.
	return l, !signals
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

// waitsOn counts the receives from a channel in fn (or reports a
// WaitGroup.Wait or a receive in a loop, which wait for all).
func waitsOn(fn *ssa.Function, g *cfg, sig ssa.Value) (n int, all bool) {
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
				if funcName(i.Common().StaticCallee()) == "(*sync.WaitGroup).Wait" &&
					len(i.Common().Args) == 1 && identity(i.Common().Args[0]) == sig {
					return n, true
				}
			}
			if hit {
				n++
				if g.inLoop(b) {
					all = true
				}
			}
		}
	}
	return n, all
}

// signalName names what the copy goroutines signal: "channel errc",
// "WaitGroup wg", or "a channel" when it has no name (an SSA register).
func signalName(v ssa.Value) string {
	noun := "channel"
	if isNamedType(derefType(v.Type()), false, "sync", "WaitGroup") {
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
