package analyzer

import (
	"go/token"
	"slices"
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
	// variables (or, with param set, parameters), or to an owning field
	// of one.
	literal(fn *ssa.Function, key rootKey, param bool) *rootSummary
	// wrapperParam returns the parameter fn wraps (see wrapping): the
	// call hands nothing on, its result is the same conn.
	wrapperParam(fn *ssa.Function) (int, bool)
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
	instr *ssa.Go
	body  *ssa.Function // the function it runs, when known and local
	// handed maps the connections handed to the goroutine to what the
	// function it runs does to them (nil: unknown).
	handed map[int]*rootSummary
}

// drains lists the connections the goroutine reads to EOF, in order.
func (gs goStmt) drains() []int {
	var ks []int
	for k, rs := range gs.handed {
		if rs != nil && rs.effect.Drains {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// collectEvents scans fn once and records every event on the connections
// of tr.
func collectEvents(fn *ssa.Function, tr *tracking, g *cfg, user userFuncs, env callees) *eventTable {
	c := &eventCollector{
		tr: tr, g: g, user: user, env: env, fixedReads: make(map[ssa.Value]int), fn: fn,
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
	for _, b := range fn.Blocks {
		if i, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If); ok {
			c.protocolCheck(i.Cond)
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
	// fixedReads maps the buffers filled by a read of an exact size
	// (io.ReadFull, Peek) to their connection.
	fixedReads map[ssa.Value]int
	fn         *ssa.Function
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
	case *ssa.TypeAssert:
		if ref, ok := alias[i.X]; ok && ref.role == roleConn {
			c.outcomes.addStreamAssertion(i, ref.conn)
		}
	case *ssa.Store:
		if _, isCell := c.tr.fieldRoots[i.Addr]; !isCell {
			c.escapeFields(i, i.Val) // the base stored where others can reach it
		}
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
			c.escapeFields(i, r)
		}
	case *ssa.Send:
		c.escapeOperand(i, i.X)
		c.escapeFields(i, i.X)
	case *ssa.MapUpdate:
		c.escapeOperand(i, i.Key)
		c.escapeOperand(i, i.Value)
		c.escapeFields(i, i.Value)
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
				c.escapeFields(i, b)
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
					root: c.env.literal(fnv, rootKey{index: index}, param), index: index})
			}
		}
		if mc, isClosure := cc.Value.(*ssa.MakeClosure); isClosure {
			for i, b := range mc.Bindings {
				literal(b, i, false)
				evs = append(evs, c.fieldLiteralEvents(b, fnv, i, false, pos, evLiteral)...)
			}
		}
		for i, a := range cc.Args {
			literal(a, i, true)
			evs = append(evs, c.fieldLiteralEvents(a, fnv, i, true, pos, evLiteral)...)
		}
		return evs
	}
	evs = append(evs, c.fieldCallEvents(call, cc, pos, what)...)

	callee := cc.StaticCallee()
	name := funcName(callee)
	if call != nil {
		c.noteFixedRead(call, name)
	}

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
			if eff == effNone && ref.role == roleConn && len(args) == 1 && isPastTime(args[0]) &&
				(method == "SetDeadline" || method == "SetReadDeadline") {
				// c.SetDeadline(time.Now()): whoever reads it fails at once.
				evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: effAbort, pos: pos, what: what})
			}
			if eff == effNone && method == "SetLinger" && ref.role == roleConn && len(args) == 1 {
				if i := paramIndex(c.fn, args[0]); i >= 0 {
					// SetLinger(secs), secs a parameter: the caller's
					// argument decides (tryLinger(c, 0)).
					evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: effLingerParam, pos: pos, what: what, index: i})
				}
			}
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
	case c.wraps(callee, cc.Args, handled):
		// The program's own wrapper: likewise.
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
				pe := sum.param(i, "")
				if pe == nil {
					evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: effEscape, pos: pos, what: what})
					continue
				}
				evs = append(evs, event{kind: evSummary, conn: ref.conn, pos: pos, what: what, pe: pe})
				if pe.SetsLinger && pe.LingerParam < len(cc.Args) {
					if secs, ok := constInt(cc.Args[pe.LingerParam]); ok {
						eff := effLingerReset
						if secs == 0 {
							eff = effLingerZero
						}
						evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: eff, pos: pos, what: what})
					}
				}
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
	gs := goStmt{instr: g, handed: make(map[int]*rootSummary)}
	if recv, _, _, ok := receiver(cc); ok {
		if ref, tracked := alias[recv]; tracked && ref.role != roleCell {
			// go c.Close(): a method of the conn, run at once on its own.
			return c.callEvents(g, g.Pos()), gs
		}
	}
	var evs []event
	seen := make(map[ssa.Value]bool)
	if fnv, ok := closureCallee(cc); ok {
		gs.body = fnv
		launch := func(v ssa.Value, index int, param bool) {
			if ref, ok := alias[v]; ok && !(param && seen[v]) {
				seen[v] = true
				root := c.env.literal(fnv, rootKey{index: index}, param)
				evs = append(evs, event{kind: evLaunch, conn: ref.conn, pos: g.Pos(), root: root, index: index})
			}
		}
		if mc, isClosure := cc.Value.(*ssa.MakeClosure); isClosure {
			for i, b := range mc.Bindings {
				launch(b, i, false)
				evs = append(evs, c.fieldLiteralEvents(b, fnv, i, false, g.Pos(), evLaunch)...)
			}
		}
		for i, a := range cc.Args {
			launch(a, i, true)
			evs = append(evs, c.fieldLiteralEvents(a, fnv, i, true, g.Pos(), evLaunch)...)
		}
		for _, ev := range evs {
			if ev.kind == evLaunch && gs.handed[ev.conn] == nil {
				gs.handed[ev.conn] = ev.root
			}
		}
		return evs, gs
	}
	evs = append(evs, c.fieldGoEvents(cc, g.Pos())...)
	if callee := cc.StaticCallee(); callee != nil && !cc.IsInvoke() {
		if sum := c.env.summary(callee); sum != nil {
			local := cc.Value == callee && len(callee.Blocks) > 0
			if local {
				gs.body = callee
				for i, a := range cc.Args {
					for _, k := range c.tr.fieldRoots[a] {
						gs.handed[k] = c.env.literal(callee, rootKey{index: i, field: c.tr.conns[k].field.field.Name()}, true)
					}
					if ref, ok := alias[a]; ok && gs.handed[ref.conn] == nil {
						gs.handed[ref.conn] = c.env.literal(callee, rootKey{index: i}, true)
					}
				}
			}
			for i, a := range cc.Args {
				ref, ok := alias[a]
				if !ok {
					continue
				}
				pe := sum.param(i, "")
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

// noteFixedRead records the buffer of a read of an exact size from a
// tracked connection: io.ReadFull(c, buf) fills buf, r.Peek(n) returns n
// bytes. Such a buffer holds what every conforming peer sends first when
// the program compares it to a preface or magic (protocolCheck).
func (c *eventCollector) noteFixedRead(call *ssa.Call, name string) {
	cc := call.Common()
	if name == "io.ReadFull" && len(cc.Args) == 2 {
		if ref, ok := c.tr.alias[cc.Args[0]]; ok && ref.role != roleWriter && ref.role != roleCell {
			c.fixedReads[cc.Args[1]] = ref.conn
		}
		return
	}
	if recv, method, args, ok := receiver(cc); ok && method == "Peek" && len(args) == 1 {
		if ref, ok := c.tr.alias[recv]; ok && (ref.role == roleReader || ref.role == roleRW) {
			if _, isConst := constInt(args[0]); isConst {
				c.fixedReads[call] = ref.conn
			}
		}
	}
}

// protocolCheck records the outcomes of an If condition by which the
// program finds that the peer broke the protocol:
//
//   - bytes read in full from the conn compared with a preface or magic,
//     a constant string of 4 bytes or more or a package variable
//     (string(buf) == "PRI ...", bytes.Equal(buf, preface)): on the
//     mismatch edge only a peer that broke the protocol gets here;
//   - input buffered before we answered (br.Buffered() > 0 on the conn's
//     reader, as a WebSocket upgrade checks): on that edge, while nothing
//     was written, the peer sent what the protocol forbids it to send yet.
//
// A check that a conforming peer can fail (a password, a command, a
// version it may not know) is none of these and stays judged.
func (c *eventCollector) protocolCheck(cond ssa.Value) {
	switch x := cond.(type) {
	case *ssa.BinOp:
		if x.Op != token.EQL && x.Op != token.NEQ && x.Op != token.GTR && x.Op != token.LSS {
			return
		}
		mismatch := testFalse // the edge where the two sides differ
		if x.Op == token.NEQ {
			mismatch = testTrue
		}
		if x.Op == token.EQL || x.Op == token.NEQ {
			for _, sides := range [][2]ssa.Value{{x.X, x.Y}, {x.Y, x.X}} {
				if k, ok := c.readInFull(sides[0]); ok && isPreface(sides[1]) {
					c.outcomes.add(x, outcome{conn: k, test: mismatch, then: brokenPeer})
					return
				}
			}
		}
		// Buffered() > 0, 0 < Buffered(), Buffered() != 0: input is there.
		early := testTrue
		if x.Op == token.EQL {
			early = testFalse
		}
		for _, sides := range [][2]ssa.Value{{x.X, x.Y}, {x.Y, x.X}} {
			buffered, zero := sides[0], sides[1]
			if x.Op == token.GTR && buffered != x.X || x.Op == token.LSS && buffered != x.Y {
				continue // 0 > Buffered(), Buffered() < 0
			}
			if n, ok := constInt(zero); ok && n == 0 {
				if k, ok := c.bufferedOf(buffered); ok {
					c.outcomes.add(x, outcome{conn: k, test: early, then: earlyInput})
					return
				}
			}
		}
	case *ssa.Call:
		if funcName(x.Common().StaticCallee()) == "bytes.Equal" && len(x.Call.Args) == 2 {
			a, b := x.Call.Args[0], x.Call.Args[1]
			for _, sides := range [][2]ssa.Value{{a, b}, {b, a}} {
				if k, ok := c.readInFull(sides[0]); ok && isPreface(sides[1]) {
					c.outcomes.add(x, outcome{conn: k, test: testFalse, then: brokenPeer})
					return
				}
			}
		}
	}
}

// readInFull reports whether v is (a slice or conversion of) a buffer a
// fixed-size read filled, and of which connection.
func (c *eventCollector) readInFull(v ssa.Value) (int, bool) {
	for depth := 0; depth < 4; depth++ {
		if k, ok := c.fixedReads[v]; ok {
			return k, true
		}
		switch x := v.(type) {
		case *ssa.Convert:
			v = x.X
		case *ssa.ChangeType:
			v = x.X
		case *ssa.Slice:
			v = x.X
		default:
			return 0, false
		}
	}
	return 0, false
}

// bufferedOf reports whether v is r.Buffered() on a reader of a tracked
// connection.
func (c *eventCollector) bufferedOf(v ssa.Value) (int, bool) {
	call, ok := v.(*ssa.Call)
	if !ok {
		return 0, false
	}
	recv, method, _, ok := receiver(call.Common())
	if !ok || method != "Buffered" {
		return 0, false
	}
	ref, ok := c.tr.alias[recv]
	if !ok || ref.role != roleReader && ref.role != roleRW {
		return 0, false
	}
	return ref.conn, true
}

// isPreface reports whether v is what a protocol's preface or magic looks
// like in code: a constant string of at least 4 bytes (or its []byte
// conversion), or the value of a package variable.
func isPreface(v ssa.Value) bool {
	if cv, ok := v.(*ssa.Convert); ok {
		v = cv.X
	}
	if s, ok := constString(v); ok {
		return len(s) >= 4
	}
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		_, isGlobal := u.X.(*ssa.Global)
		return isGlobal
	}
	return false
}

// Owning fields. A call, go statement or closure given a parameter s (the
// base) acts on the conns of s's owning fields as its summary says; a
// base that leaves the function takes them along.

// escapeFields makes the owning fields' conns of v escape, when v is a base.
func (c *eventCollector) escapeFields(instr ssa.Instruction, v ssa.Value) {
	for _, k := range c.tr.fieldRoots[v] {
		c.escape(instr, k)
	}
}

// fieldLiteralEvents are the events of a function literal called (kind
// evLiteral) or started (evLaunch) with base v bound to its free variable
// (or parameter) index.
func (c *eventCollector) fieldLiteralEvents(v ssa.Value, fnv *ssa.Function, index int, param bool, pos token.Pos, kind evKind) []event {
	var evs []event
	for _, k := range c.tr.fieldRoots[v] {
		key := rootKey{index: index, field: c.tr.conns[k].field.field.Name()}
		evs = append(evs, event{kind: kind, conn: k, pos: pos, what: "func literal", root: c.env.literal(fnv, key, param), index: index})
	}
	return evs
}

// fieldCallEvents are the events of a call given bases: the callee's
// summary of each owning field (nothing when it leaves the field alone).
// A function value, an interface method, or a function of another
// package without a fact may do anything to an exported field: the conn
// escapes. An unexported field is out of other packages' reach.
func (c *eventCollector) fieldCallEvents(call *ssa.Call, cc *ssa.CallCommon, pos token.Pos, what string) []event {
	var evs []event
	callee := cc.StaticCallee()
	var sum paramEffects
	if callee != nil && !cc.IsInvoke() {
		sum = c.env.summary(callee)
	}
	operands := cc.Args
	if cc.IsInvoke() {
		operands = append([]ssa.Value{cc.Value}, cc.Args...)
	}
	for i, a := range operands {
		for _, k := range c.tr.fieldRoots[a] {
			f := c.tr.conns[k].field.field
			switch {
			case sum != nil:
				if pe := sum.param(i, f.Name()); pe != nil {
					evs = append(evs, event{kind: evSummary, conn: k, pos: pos, what: what, pe: pe})
					if call != nil && (pe.ErrDone || pe.ErrRead && c.g.inLoop(call.Block())) {
						c.outcomes.addFailure(call, k, effRead)
					}
				}
			case callee == nil || cc.IsInvoke() || f.Exported() || len(callee.Blocks) > 0:
				// Unknown, or a local function being analysed (recursion).
				evs = append(evs, event{kind: evEffect, conn: k, eff: effEscape, pos: pos, what: what})
			}
		}
	}
	return evs
}

// fieldGoEvents are the events of a go statement running a named function
// given bases: a goroutine that only closes, drains or half-closes the
// field is applied here; one that uses it shares the conn (escape).
func (c *eventCollector) fieldGoEvents(cc *ssa.CallCommon, pos token.Pos) []event {
	var evs []event
	callee := cc.StaticCallee()
	var sum paramEffects
	if callee != nil && !cc.IsInvoke() {
		sum = c.env.summary(callee)
	}
	for i, a := range cc.Args {
		for _, k := range c.tr.fieldRoots[a] {
			f := c.tr.conns[k].field.field
			switch pe := sum.param(i, f.Name()); {
			case sum != nil && pe == nil:
			case sum != nil && !pe.Uses && !pe.Escapes:
				evs = append(evs, event{kind: evSummary, conn: k, pos: pos, what: callName(cc), pe: pe})
			default:
				evs = append(evs, event{kind: evEffect, conn: k, eff: effEscape, pos: pos, what: callName(cc)})
			}
		}
	}
	return evs
}

// wraps reports whether callee is one of the program's own wrappers
// (c = meter(c)) and marks the wrapped argument handled: the result is the
// same conn, and the call hands it nowhere.
func (c *eventCollector) wraps(callee *ssa.Function, args []ssa.Value, handled map[ssa.Value]bool) bool {
	i, ok := c.env.wrapperParam(callee)
	if !ok || i >= len(args) {
		return false
	}
	if ref, tracked := c.tr.alias[args[i]]; tracked && ref.role == roleConn {
		handled[args[i]] = true
	}
	return true
}

// paramIndex is the index of v among fn's parameters, or -1.
func paramIndex(fn *ssa.Function, v ssa.Value) int {
	for i, p := range fn.Params {
		if p == v {
			return i
		}
	}
	return -1
}
