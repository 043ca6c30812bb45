package analyzer

import (
	"go/token"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// This file is the one definition of what an instruction does to the
// tracked connections: read, partial read, drain, write, half-close,
// close, linger, escape, or a call whose summary says so. The dataflow,
// the summaries and the proxy rule all read this table; none decides
// again what an instruction means.

// evKind distinguishes the events of the dataflow.
type evKind uint8

const (
	evEffect  evKind = iota // a plain effect (read, drain, close...)
	evOrigin                // the connection is (re)created here
	evSummary               // a call of a function summarized by a ParamEffect
	evLiteral               // a call of a function literal: apply its rootSummary
	evLaunch                // a go statement hands the connection to a function literal
)

// event is what one instruction does to one connection.
type event struct {
	kind evKind
	conn int
	eff  effect    // evEffect
	pos  token.Pos // the call, or the defer or go statement
	what string    // the function or method responsible, for messages

	pe *ParamEffect // evSummary
	// root is, for evLiteral and evLaunch, what the literal does to the
	// connection (nil: unknown, e.g. recursion); index says which of its
	// free variables (or parameters) the connection is.
	root  *rootSummary
	index int
}

// touch is what an event does to a connection's data, as summaries record
// it: the same for a direct call, a helper's summary, or a literal's.
type touch struct {
	reads, writes, drains, escapes bool
}

func (t touch) uses() bool { return t.reads || t.writes }

// touch says what the event does to its connection's data.
func (ev *event) touch() touch {
	switch ev.kind {
	case evEffect:
		return touch{reads: ev.eff == effRead, writes: ev.eff == effWrite, drains: ev.eff == effDrain, escapes: ev.eff == effEscape}
	case evSummary:
		return paramTouch(ev.pe)
	case evLiteral:
		if ev.root != nil {
			return paramTouch(&ev.root.effect)
		}
	case evLaunch:
		return touch{escapes: true}
	}
	return touch{}
}

// paramTouch is a summary's effect on data (its Uses is Reads || Writes).
func paramTouch(pe *ParamEffect) touch {
	return touch{reads: pe.Reads, writes: pe.Writes, drains: pe.Drains, escapes: pe.Escapes}
}

// callees is what the event stage needs to know about the functions a
// function calls: their summaries, computed on demand by the driver (or
// read from facts). A nil result means nothing is known.
type callees interface {
	// summary returns what a named function does to its connection parameters.
	summary(fn *ssa.Function) paramEffects
	// literal returns what a function literal does to one of its free
	// variables (or, with param set, parameters).
	literal(fn *ssa.Function, index int, param bool) *rootSummary
}

// eventTable is the result of this stage: every event of a function.
type eventTable struct {
	at         map[ssa.Instruction][]event
	defers     []*ssa.Defer
	deferIndex map[*ssa.Defer]int
	deferred   [][]event // the events of each deferred call, run at RunDefers
	goIndex    map[*ssa.Go]int
	gos        []goStmt // every go statement, in the order of goIndex
	outcomes   outcomes
	// read[k] is set when the function reads connection k somewhere (or
	// reads it to EOF), itself or through a callee: its protocol has
	// replies, so a write makes one owed.
	read []bool
}

// goStmt is a go statement, and the connections its goroutine reads to
// EOF (a proxy's copy direction).
type goStmt struct {
	instr  *ssa.Go
	body   *ssa.Function // the function it runs, when known and local
	drains []int
}

// collectEvents scans fn once and records every event on the connections
// of tr.
func collectEvents(fn *ssa.Function, tr *tracking, g *cfg, user userFuncs, env callees) *eventTable {
	c := &eventCollector{
		tr: tr, g: g, user: user, env: env,
		eventTable: eventTable{
			at:         make(map[ssa.Instruction][]event),
			deferIndex: make(map[*ssa.Defer]int),
			goIndex:    make(map[*ssa.Go]int),
			outcomes:   make(outcomes),
		},
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			c.instruction(instr)
		}
	}
	c.read = make([]bool, len(tr.conns))
	markRead := func(evs []event) {
		for i := range evs {
			if t := evs[i].touch(); t.reads || t.drains {
				c.read[evs[i].conn] = true
			}
		}
	}
	for _, evs := range c.at {
		markRead(evs)
	}
	for _, evs := range c.deferred {
		markRead(evs)
	}
	return &c.eventTable
}

// eventCollector holds what collectEvents needs while it scans.
type eventCollector struct {
	eventTable
	tr   *tracking
	g    *cfg
	user userFuncs
	env  callees
}

func (c *eventCollector) instruction(instr ssa.Instruction) {
	alias := c.tr.alias
	switch i := instr.(type) {
	case *ssa.Call:
		if id, ok := c.tr.originAt[i]; ok {
			c.add(i, event{kind: evOrigin, conn: id, pos: i.Pos()})
			c.outcomes.addOriginError(i, id)
		}
		for _, ev := range c.callEvents(i, i.Pos()) {
			c.add(i, ev)
		}
	case *ssa.Defer:
		c.deferIndex[i] = len(c.defers)
		c.defers = append(c.defers, i)
		c.deferred = append(c.deferred, c.callEvents(i, i.Pos()))
	case *ssa.Go:
		c.goIndex[i] = len(c.gos)
		evs, gs := c.goEvents(i)
		c.gos = append(c.gos, gs)
		for _, ev := range evs {
			c.add(i, ev)
		}
	case *ssa.Store:
		if ref, ok := alias[i.Val]; ok {
			if cell, isCell := alias[i.Addr]; !isCell || cell.conn != ref.conn || cell.role != roleCell {
				c.escape(i, ref.conn)
			}
		} else if cell, ok := alias[i.Addr]; ok && cell.role == roleCell && !isNilConst(i.Val) {
			// The variable is re-pointed at something we do not follow.
			c.escape(i, cell.conn)
		}
	case *ssa.Return:
		for _, r := range i.Results {
			c.escapeOperand(i, r)
		}
	case *ssa.Send:
		c.escapeOperand(i, i.X)
	case *ssa.MapUpdate:
		c.escapeOperand(i, i.Key)
		c.escapeOperand(i, i.Value)
	case *ssa.Select:
		for _, st := range i.States {
			if st.Send != nil {
				c.escapeOperand(i, st.Send)
			}
		}
	case *ssa.MakeClosure:
		if !onlyCalled(i, true) {
			for _, b := range i.Bindings {
				c.escapeOperand(i, b)
			}
		}
	case *ssa.Slice, *ssa.IndexAddr, *ssa.FieldAddr:
		// Taking the address of a cell's contents, or slicing it, lets the
		// connection go where we cannot see.
		for _, op := range i.Operands(nil) {
			if ref, ok := alias[*op]; ok && ref.role == roleCell {
				c.escape(i, ref.conn)
			}
		}
	}
}

func (c *eventCollector) add(instr ssa.Instruction, ev event) {
	c.at[instr] = append(c.at[instr], ev)
}

func (c *eventCollector) escape(instr ssa.Instruction, conn int) {
	c.add(instr, event{kind: evEffect, conn: conn, eff: effEscape, pos: instr.Pos()})
}

func (c *eventCollector) escapeOperand(instr ssa.Instruction, v ssa.Value) {
	if ref, ok := c.tr.alias[v]; ok {
		c.escape(instr, ref.conn)
	}
}

// callEvents computes what a call (or deferred call) does to each tracked
// connection among its receiver and arguments. For a plain *ssa.Call it
// also records the outcomes of its results.
func (c *eventCollector) callEvents(instr ssa.CallInstruction, pos token.Pos) []event {
	alias := c.tr.alias
	cc := instr.Common()
	call, _ := instr.(*ssa.Call)
	what := callName(cc)
	var evs []event
	handled := make(map[ssa.Value]bool)
	emit := func(v ssa.Value, eff effect) {
		ref, ok := alias[v]
		if !ok || handled[v] {
			return
		}
		handled[v] = true
		if eff == effNone {
			return
		}
		evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: eff, pos: pos, what: what})
		if call != nil {
			c.outcomes.addFailure(call, ref.conn, eff)
		}
	}
	emitCopyArgs := func(method string, args []ssa.Value) {
		if eff := copyArgEffect(method); eff != effNone {
			for _, a := range args {
				emit(a, eff)
			}
		}
	}

	// Closures and function literals called directly.
	if fnv, ok := closureCallee(cc); ok {
		// Every binding is an event (two may hold the same value); an
		// argument already bound is not.
		literal := func(v ssa.Value, index int, param bool) {
			if ref, ok := alias[v]; ok && !(param && handled[v]) {
				handled[v] = true
				evs = append(evs, event{kind: evLiteral, conn: ref.conn, pos: pos, what: "func literal",
					root: c.env.literal(fnv, index, param), index: index})
			}
		}
		if mc, isClosure := cc.Value.(*ssa.MakeClosure); isClosure {
			for i, b := range mc.Bindings {
				literal(b, i, false)
			}
		}
		for i, a := range cc.Args {
			literal(a, i, true)
		}
		return evs
	}

	callee := cc.StaticCallee()
	name := funcName(callee)

	// User-configured drain and graceful-close functions come first.
	if c.user.drain[name] || c.user.graceful[name] {
		for _, a := range cc.Args {
			emit(a, effDrain)
		}
		if c.user.graceful[name] {
			for _, a := range cc.Args {
				if ref, ok := alias[a]; ok {
					evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: effClose, pos: pos, what: what})
				}
			}
		}
		return evs
	}

	// Methods of tracked connections and wrappers.
	if recv, method, args, ok := receiver(cc); ok {
		if ref, tracked := alias[recv]; tracked && ref.role != roleCell && ref.kind != kindFD {
			eff := methodEffect(ref.role, ref.kind, method, args, ref.closes)
			emit(recv, eff)
			if eff == effNone && ref.role == roleConn && call != nil {
				// SetKeepAlive, SetDeadline...: they fail only on a broken
				// or closed socket, so their error ends the conversation too.
				c.outcomes.addFailure(call, ref.conn, effWrite)
			}
			emitCopyArgs(method, args)
			if method == "Scan" && call != nil && eff == effRead {
				c.outcomes.add(call, outcome{conn: ref.conn, test: testFalse})
			}
		} else if _, known := argEffects[name]; !known && (cc.IsInvoke() || callee != nil && len(callee.Blocks) == 0) {
			// io.Discard.(io.ReaderFrom).ReadFrom(c) and friends.
			emitCopyArgs(method, args)
		}
	}

	switch {
	case cc.IsInvoke() || callee == nil:
		// An unknown method or function value: whatever it is given escapes.
	case argEffects[name] != nil:
		for i, eff := range argEffects[name] {
			if i < len(cc.Args) {
				emit(cc.Args[i], eff)
			}
		}
	case isWrapper(name):
		// The wrapped arguments are aliases of the result; nothing happens yet.
		for _, i := range wrappers[name].args {
			if i < len(cc.Args) {
				handled[cc.Args[i]] = true
			}
		}
	case strings.HasPrefix(name, pkgSyscall+".") || strings.HasPrefix(name, pkgUnix+"."):
		if len(cc.Args) > 0 {
			if ref, ok := alias[cc.Args[0]]; ok && ref.kind == kindFD {
				emit(cc.Args[0], fdEffect(name, cc.Args))
			}
		}
		for _, a := range cc.Args {
			handled[a] = true // other system calls do not keep descriptors
		}
	default:
		if sum := c.env.summary(callee); sum != nil {
			for i, a := range cc.Args {
				ref, ok := alias[a]
				if !ok || handled[a] {
					continue
				}
				handled[a] = true
				pe := sum.param(i)
				if pe == nil {
					evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: effEscape, pos: pos, what: what})
					continue
				}
				evs = append(evs, event{kind: evSummary, conn: ref.conn, pos: pos, what: what, pe: pe})
				// A failed call ends the conversation when all its errors are
				// failed reads or writes; and in a loop, when some are: a loop
				// left only when the reading helper fails reads to EOF (its other
				// errors are a peer breaking the framing, not a peer that
				// follows the protocol).
				if call != nil && (pe.ErrDone || pe.ErrRead && c.g.inLoop(call.Block())) {
					c.outcomes.addFailure(call, ref.conn, effRead)
				}
			}
		}
	}

	// Anything tracked that was not understood leaves our sight.
	for _, a := range cc.Operands(nil) {
		if ref, ok := alias[*a]; ok && !handled[*a] {
			handled[*a] = true
			evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: effEscape, pos: pos, what: what})
		}
	}
	return evs
}

// goEvents: a go statement hands its connections to the goroutine. A
// function literal is judged from the state at the go statement; a named
// helper that only closes or drains is applied here; anything else owns
// the connection from now on. It also says which connections the
// goroutine reads to EOF.
func (c *eventCollector) goEvents(g *ssa.Go) ([]event, goStmt) {
	alias := c.tr.alias
	cc := g.Common()
	gs := goStmt{instr: g}
	var evs []event
	seen := make(map[ssa.Value]bool)
	if fnv, ok := closureCallee(cc); ok {
		gs.body = fnv
		launch := func(v ssa.Value, index int, param bool) {
			if ref, ok := alias[v]; ok && !(param && seen[v]) {
				seen[v] = true
				root := c.env.literal(fnv, index, param)
				evs = append(evs, event{kind: evLaunch, conn: ref.conn, pos: g.Pos(), root: root, index: index})
				if root != nil && root.effect.Drains {
					gs.drains = append(gs.drains, ref.conn)
				}
			}
		}
		if mc, isClosure := cc.Value.(*ssa.MakeClosure); isClosure {
			for i, b := range mc.Bindings {
				launch(b, i, false)
			}
		}
		for i, a := range cc.Args {
			launch(a, i, true)
		}
		return evs, gs
	}
	if callee := cc.StaticCallee(); callee != nil && !cc.IsInvoke() {
		if sum := c.env.summary(callee); sum != nil {
			local := cc.Value == callee && len(callee.Blocks) > 0
			if local {
				gs.body = callee
			}
			for i, a := range cc.Args {
				ref, ok := alias[a]
				if !ok {
					continue
				}
				pe := sum.param(i)
				if local && pe != nil && pe.Drains {
					gs.drains = append(gs.drains, ref.conn)
				}
				if seen[a] {
					continue
				}
				seen[a] = true
				if pe != nil && !pe.Uses && !pe.Escapes {
					evs = append(evs, event{kind: evSummary, conn: ref.conn, pos: g.Pos(), what: callName(cc), pe: pe})
				}
			}
		}
	}
	for _, a := range cc.Operands(nil) {
		if ref, ok := alias[*a]; ok {
			evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: effEscape, pos: g.Pos(), what: callName(cc)})
		}
	}
	return evs, gs
}
