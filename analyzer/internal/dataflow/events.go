package dataflow

import (
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/lattice"
	"github.com/rstlint/rstlint/analyzer/internal/ownership"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file is the one definition of what an instruction does to the
// tracked connections: read, partial read, drain, write, half-close,
// close, linger, escape, or a call whose summary says so. The dataflow,
// the summaries and the proxy rule all read this table; none decides
// again what an instruction means. What the outcome of a call says on the
// edges of an If, and the checks by which the program finds that the peer
// broke the protocol, are outcomes.go's.

// evKind distinguishes the events of the dataflow.
type evKind uint8

const (
	evEffect  evKind = iota // a plain effect (read, drain, close...)
	evOrigin                // the connection is (re)created here
	evSummary               // a call of a function summarized by a summary.ParamEffect
	evLiteral               // a call of a function literal: apply its summary.Root
	evLaunch                // a go statement hands the connection to a function literal
)

// event is what one instruction does to one connection.
type event struct {
	kind evKind
	conn int
	eff  knowledge.Effect // evEffect
	pos  token.Pos        // the call, or the defer or go statement
	what string           // the function or method responsible, for messages

	pe *summary.ParamEffect // evSummary
	// root is, for evLiteral and evLaunch, what the literal does to the
	// connection (nil: unknown, e.g. recursion); index says which of its
	// free variables (or parameters) the connection is.
	root  *summary.Root
	index int
	// pump: an evEffect write that copies into the conn until its source
	// ends (io.Copy's destination, ReadFrom, a write in a loop that reads
	// another source): a copy direction into the conn.
	pump bool
	// relay: an evEffect drain that copies the conn into another conn
	// (io.Copy(up, c)): a relay reads its source, and owns it, as a
	// handler that reads part of it does.
	relay bool
	// lit, param: for an evLaunch of a literal, the literal, and whether
	// index is one of its parameters (or a free variable).
	lit   *ssa.Function
	param bool
}

// touch is what an event does to a connection's data, as summaries record
// it: the same for a direct call, a helper's summary, or a literal's.
type touch struct {
	reads, writes, drains, escapes bool
	writesLast                     bool // a callee's last use, on some path, is a write
	pumps                          bool // it copies into the conn until its source ends
}

func (t touch) uses() bool { return t.reads || t.writes }

// touchOf is what a plain effect does to a connection's data.
func touchOf(eff knowledge.Effect) touch {
	return touch{reads: eff == knowledge.EffRead, writes: eff == knowledge.EffWrite, drains: eff == knowledge.EffDrain, escapes: eff == knowledge.EffEscape}
}

// touch says what the event does to its connection's data.
func (ev *event) touch() touch {
	switch ev.kind {
	case evEffect:
		t := touchOf(ev.eff)
		t.pumps = ev.pump
		t.reads = t.reads || ev.relay
		return t
	case evSummary:
		return paramTouch(ev.pe)
	case evLiteral:
		if ev.root != nil {
			return paramTouch(&ev.root.Effect)
		}
	case evLaunch:
		return touch{escapes: true}
	}
	return touch{}
}

// paramTouch is a summary's effect on data (its Uses is Reads || Writes).
func paramTouch(pe *summary.ParamEffect) touch {
	return touch{reads: pe.Reads, writes: pe.Writes, drains: pe.Drains, escapes: pe.Escapes, writesLast: pe.WritesLast, pumps: pe.Pumps}
}

// Events is the result of this stage: every event of a function.
type Events struct {
	at         map[ssa.Instruction][]event
	defers     []*ssa.Defer
	deferIndex map[*ssa.Defer]int
	deferred   [][]event // the events of each deferred call, run at RunDefers
	// GoIndex numbers the go statements, in the order of gos: go
	// statements, and calls that start a goroutine (errgroup's Go).
	GoIndex  map[ssa.CallInstruction]int
	gos      []GoStmt // every go statement
	outcomes outcomes
	// views are the results that hand a parameter's conn back to the
	// caller (ownership.ViewResults): returning them is no escape.
	views []summary.View
	// Read[k] is set when the function reads connection k somewhere (or
	// reads it to EOF), itself or through a callee: its protocol has
	// replies, so a write makes one owed.
	Read []bool
}

// GoStmt is a go statement, or a call that starts a goroutine as one
// does (knowledge.Launcher), and the connections its goroutine reads to
// EOF (a proxy's copy direction).
type GoStmt struct {
	Instr ssa.CallInstruction
	// Call is what the goroutine runs: the go statement's call, or the
	// function value the launcher starts, called without arguments.
	Call *ssa.CallCommon
	// Group is the errgroup.Group or WaitGroup a launcher method starts
	// the goroutine in: its Wait waits for the goroutine.
	Group ssa.Value
	Body  *ssa.Function // the function it runs, when known and local
	// Handed maps the connections handed to the goroutine to what the
	// function it runs does to them (nil: unknown).
	Handed map[int]*summary.Root
}

// Drains lists the connections the goroutine reads to EOF, in order.
func (gs GoStmt) Drains() []int {
	var ks []int
	for k, rs := range gs.Handed {
		if rs != nil && ReadsToEnd(&rs.Effect) {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// ReadsToEnd reports whether a function reads the conn to its end: it
// drains it (io.Copy, io.ReadAll), or it reads it and returns only once a
// read failed or reached EOF (a read loop, a frame reader).
func ReadsToEnd(pe *summary.ParamEffect) bool {
	return pe.Drains || pe.Reads && lattice.Mask(pe.AtReturn)&lattice.StatusMask(lattice.Unread) == 0
}

// collectEvents scans fn once and records every event on the connections
// of tr.
func collectEvents(fn *ssa.Function, tr *ownership.Tracking, g *CFG, user knowledge.UserFuncs, table *summary.Table) *Events {
	c := &eventCollector{
		tr: tr, g: g, user: user, table: table, fixedReads: make(map[ssa.Value]int), fn: fn,
		Events: Events{
			at:         make(map[ssa.Instruction][]event),
			deferIndex: make(map[*ssa.Defer]int),
			GoIndex:    make(map[ssa.CallInstruction]int),
			outcomes:   make(outcomes),
			views:      ownership.ViewResults(fn, tr),
		},
	}
	c.outcomes.addCapturedAssertions(tr)
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
	c.markLoopPumps()
	c.markLoopDrains()
	c.addCancellations()
	c.Read = make([]bool, len(tr.Conns))
	markRead := func(evs []event) {
		for i := range evs {
			if isHandshake(evs[i].what) {
				continue // the TLS layer's exchange, not a reply of the protocol's
			}
			if t := evs[i].touch(); t.reads || t.drains {
				c.Read[evs[i].conn] = true
			}
		}
	}
	for _, evs := range c.at {
		markRead(evs)
	}
	for _, evs := range c.deferred {
		markRead(evs)
	}
	return &c.Events
}

// addCancellations records that on the edge where a select receives from
// a context's Done channel every conn's conversation is over: the program
// itself tears the session down (its caller gave up, or an errgroup's
// other member failed), and a Close there is that teardown, not a cut.
func (c *eventCollector) addCancellations() {
	if len(c.tr.Conns) == 0 {
		return
	}
	for _, b := range c.fn.Blocks {
		for _, instr := range b.Instrs {
			sel, ok := instr.(*ssa.Select)
			if !ok {
				continue
			}
			for i, st := range sel.States {
				if st.Dir != types.RecvOnly || !isDoneChan(st.Chan) {
					continue
				}
				for _, r := range *sel.Referrers() {
					ext, ok := r.(*ssa.Extract)
					if !ok || ext.Index != 0 {
						continue
					}
					for _, u := range *ext.Referrers() {
						cmp, ok := u.(*ssa.BinOp)
						if !ok || cmp.Op != token.EQL {
							continue
						}
						if n, isConst := knowledge.ConstInt(cmp.Y); isConst && n == int64(i) {
							for k := range c.tr.Conns {
								c.outcomes.add(cmp, outcome{conn: k, test: testTrue, then: over})
							}
						}
					}
				}
			}
		}
	}
}

// isDoneChan reports whether ch is a context's Done channel.
func isDoneChan(ch ssa.Value) bool {
	call, ok := knowledge.Through(ch).(*ssa.Call)
	if !ok {
		return false
	}
	recv, name, _, ok := knowledge.Receiver(call.Common())
	return ok && name == "Done" && knowledge.IsNamedType(recv.Type(), false, "context", "Context")
}

// markLoopDrains marks as drains the reads of a conn in a loop that
// passes what it reads on to another sink (a stream's SendMsg, another
// conn's Write) and never writes the conn itself: a hand-written copy
// direction out of the conn, which, like io.Copy, reads it until its read
// fails or its sink does (and a failed sink breaks the session).
func (c *eventCollector) markLoopDrains() {
	type loopRead struct {
		ev   *event
		conn int
	}
	var reads []loopRead
	sinks := make(map[int]bool) // conns the loops write elsewhere than to: -1 any
	writesSelf := make(map[int]bool)
	for instr, evs := range c.at {
		if !c.g.InLoop(instr.Block()) {
			continue
		}
		for i := range evs {
			ev := &evs[i]
			if ev.kind != evEffect {
				continue
			}
			switch ev.eff {
			case knowledge.EffRead:
				if call, ok := instr.(ssa.CallInstruction); ok && knowledge.IsReceive(call.Common()) {
					reads = append(reads, loopRead{ev, ev.conn})
				}
			case knowledge.EffWrite:
				writesSelf[ev.conn] = true
				sinks[ev.conn] = true
			}
		}
	}
	if len(reads) == 0 {
		return
	}
	untracked := false // a loop sends to a sink that is no tracked conn
	for _, call := range c.loopCalls() {
		if recv, name, _, ok := knowledge.Receiver(call.Common()); ok && sendMethods[name] {
			if _, tracked := c.tr.Alias[recv]; !tracked {
				untracked = true
			}
		}
	}
	for _, r := range reads {
		other := untracked
		for k := range sinks {
			other = other || k != r.conn
		}
		if other && !writesSelf[r.conn] {
			r.ev.eff = knowledge.EffDrain
		}
	}
}

// loopCalls returns the calls in the function's loops.
func (c *eventCollector) loopCalls() []ssa.CallInstruction {
	var calls []ssa.CallInstruction
	for _, b := range c.fn.Blocks {
		if !c.g.InLoop(b) {
			continue
		}
		for _, instr := range b.Instrs {
			if call, ok := instr.(ssa.CallInstruction); ok {
				calls = append(calls, call)
			}
		}
	}
	return calls
}

// sendMethods pass a message or bytes on to a sink.
var sendMethods = map[string]bool{
	"Write": true, "Send": true, "SendMsg": true, "WriteMsg": true, "WriteMessage": true,
	"WriteFrame": true, "WritePacket": true,
}

// markLoopPumps marks as pumps the writes of a conn in a loop that also
// receives from another source (a gRPC stream's RecvMsg, a framer's
// ReadFrame, another conn's Read): a hand-written copy direction into
// that conn, which runs until its source ends.
func (c *eventCollector) markLoopPumps() {
	// The conns read by a receive in a loop (-1: a source that is no
	// tracked conn), and the receives' errors.
	var sources []int
	var errs []ssa.Value
	for _, call := range c.loopCalls() {
		cc := call.Common()
		if !knowledge.IsReceive(cc) {
			continue
		}
		src := -1
		if recv, _, _, ok := knowledge.Receiver(cc); ok {
			if ref, tracked := c.tr.Alias[recv]; tracked {
				src = ref.Conn
			}
		}
		sources = append(sources, src)
		if c, ok := call.(*ssa.Call); ok {
			errs = append(errs, errorResult(c))
		} else {
			errs = append(errs, nil)
		}
	}
	if len(sources) == 0 {
		return
	}
	pumped := make(map[int]bool)
	defer func() {
		// A receive that fails with anything but the end of its input
		// ends the direction in error: the session is broken, and no EOF
		// is owed to the conn it pumps into on that path.
		for k := range pumped {
			for i, e := range errs {
				if e != nil && sources[i] != k {
					c.outcomes.add(e, outcome{conn: k, test: testNotEOF, then: over})
				}
			}
		}
	}()
	for instr, evs := range c.at {
		if !c.g.InLoop(instr.Block()) {
			continue
		}
		for i := range evs {
			ev := &evs[i]
			if ev.kind != evEffect || ev.eff != knowledge.EffWrite {
				continue
			}
			for _, src := range sources {
				if src != ev.conn {
					ev.pump = true
					pumped[ev.conn] = true
				}
			}
		}
	}
}

// errorResult returns a call's error result: the call itself, or the
// extraction of its last result.
func errorResult(call *ssa.Call) ssa.Value {
	if knowledge.IsErrorType(call.Type()) {
		return call
	}
	tup, ok := call.Type().(*types.Tuple)
	if !ok || tup.Len() == 0 || !knowledge.IsErrorType(tup.At(tup.Len()-1).Type()) {
		return nil
	}
	for _, r := range *call.Referrers() {
		if ext, ok := r.(*ssa.Extract); ok && ext.Index == tup.Len()-1 {
			return ext
		}
	}
	return nil
}

// eventCollector holds what collectEvents needs while it scans.
type eventCollector struct {
	Events
	tr    *ownership.Tracking
	g     *CFG
	user  knowledge.UserFuncs
	table *summary.Table
	// fixedReads maps the buffers filled by a read of an exact size
	// (io.ReadFull, Peek) to their connection.
	fixedReads map[ssa.Value]int
	fn         *ssa.Function
}

func (c *eventCollector) instruction(instr ssa.Instruction) {
	alias := c.tr.Alias
	switch i := instr.(type) {
	case *ssa.Call:
		if id, ok := c.tr.OriginAt[i]; ok {
			c.add(i, event{kind: evOrigin, conn: id, pos: i.Pos()})
			c.outcomes.addOriginError(i, id)
		}
		if run, group, ok := c.launcher(i.Common()); ok {
			c.goStatement(i, run, group)
			break
		}
		for _, ev := range c.callEvents(i, i.Pos()) {
			c.add(i, ev)
		}
	case *ssa.UnOp:
		if id, ok := c.tr.LoadOrigin[i]; ok {
			c.add(i, event{kind: evOrigin, conn: id, pos: i.Pos()}) // a proxy's end loaded from a field
		}
	case *ssa.Defer:
		c.deferIndex[i] = len(c.defers)
		c.defers = append(c.defers, i)
		c.deferred = append(c.deferred, c.callEvents(i, i.Pos()))
	case *ssa.Go:
		c.goStatement(i, i.Common(), nil)
	case *ssa.TypeAssert:
		if ref, ok := alias[i.X]; ok && ref.Role == knowledge.RoleConn {
			c.outcomes.addStreamAssertion(i, ref.Conn, c.tr.Conns[ref.Conn])
		}
	case *ssa.Store:
		if _, isCell := c.tr.FieldRoots[i.Addr]; !isCell {
			c.escapeFields(i, i.Val) // the base stored where others can reach it
		}
		if ref, ok := alias[i.Val]; ok {
			if call, isVararg := knowledge.VarargView(i.Addr); isVararg && alias[call].Conn == ref.Conn {
				break // an argument of io.MultiReader, whose result is followed
			}
			if cell, isCell := alias[i.Addr]; !isCell || cell.Conn != ref.Conn || cell.Role != knowledge.RoleCell {
				c.escape(i, ref.Conn)
			}
		} else if cell, ok := alias[i.Addr]; ok && cell.Role == knowledge.RoleCell && !knowledge.IsNilConst(i.Val) {
			// The variable is re-pointed at something we do not follow.
			c.escape(i, cell.Conn)
		}
	case *ssa.Return:
		for j, r := range i.Results {
			if !ownership.IsView(c.views, j) {
				c.escapeOperand(i, r) // a view goes back to the caller, who owns it
			}
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
		if !knowledge.OnlyCalled(i, true) {
			for _, b := range i.Bindings {
				c.escapeOperand(i, b)
				c.escapeFields(i, b)
			}
		}
	case *ssa.Slice, *ssa.IndexAddr, *ssa.FieldAddr:
		// Taking the address of a cell's contents, or slicing it, lets the
		// connection go where we cannot see.
		for _, op := range i.Operands(nil) {
			if ref, ok := alias[*op]; ok && ref.Role == knowledge.RoleCell {
				c.escape(i, ref.Conn)
			}
		}
	}
}

func (c *eventCollector) add(instr ssa.Instruction, ev event) {
	c.at[instr] = append(c.at[instr], ev)
}

func (c *eventCollector) escape(instr ssa.Instruction, conn int) {
	c.add(instr, event{kind: evEffect, conn: conn, eff: knowledge.EffEscape, pos: instr.Pos()})
}

func (c *eventCollector) escapeOperand(instr ssa.Instruction, v ssa.Value) {
	if ref, ok := c.tr.Alias[v]; ok {
		c.escape(instr, ref.Conn)
	}
}

// callEvents computes what a call (or deferred call) does to each tracked
// connection among its receiver and arguments. For a plain *ssa.Call it
// also records the outcomes of its results.
func (c *eventCollector) callEvents(instr ssa.CallInstruction, pos token.Pos) []event {
	alias := c.tr.Alias
	cc := instr.Common()
	call, _ := instr.(*ssa.Call)
	what := knowledge.CallName(cc)
	var evs []event
	handled := make(map[ssa.Value]bool)
	// emit records eff on v's connection, and what a failure of the call
	// says of it: the conversation is over, or, for a call that can fail
	// on what it read (parses), the program rejected the peer's input.
	emit := func(v ssa.Value, eff knowledge.Effect, parses bool) {
		ref, ok := alias[v]
		if !ok || handled[v] {
			return
		}
		handled[v] = true
		if eff == knowledge.EffNone {
			return
		}
		ev := event{kind: evEffect, conn: ref.Conn, eff: eff, pos: pos, what: what}
		if src, copies := knowledge.CopiesInto(cc, v); copies && eff == knowledge.EffWrite {
			from, tracked := alias[src]
			ev.pump = !tracked || from.Conn != ref.Conn // an echo (io.Copy(c, c)) is no direction
		}
		if eff == knowledge.EffDrain && len(cc.Args) > 0 {
			if src, copies := knowledge.CopiesInto(cc, cc.Args[0]); copies && src == v {
				to, tracked := alias[cc.Args[0]]
				ev.relay = tracked && to.Conn != ref.Conn || !tracked && knowledge.IsDefiniteConnType(cc.Args[0].Type())
			}
		}
		evs = append(evs, ev)
		if call != nil && ev.pump {
			// A copy direction that fails breaks the session: on its
			// error edge a Close or an abort of the function's other
			// conns (the other direction's) costs nothing more.
			for k := range c.tr.Conns {
				if k != ref.Conn {
					c.outcomes.addFailure(call, k, knowledge.EffWrite, over)
				}
			}
		}
		if call != nil {
			then := over
			if parses || ref.Parses && (eff == knowledge.EffRead || eff == knowledge.EffDrain) {
				then = rejected
			}
			c.outcomes.addFailure(call, ref.Conn, eff, then)
		}
	}
	emitCopyArgs := func(recv ssa.Value, method string, args []ssa.Value) {
		eff, parses := knowledge.CopyArgEffect(method, recv.Type())
		if eff != knowledge.EffNone {
			for _, a := range args {
				emit(a, eff, parses)
			}
		}
	}

	if f := knowledge.RunsNow(cc); f != nil {
		// once.Do(f) runs f now, or never (it ran before): a call of f.
		if _, ok := knowledge.ClosureCallee(&ssa.CallCommon{Value: f}); ok {
			cc = &ssa.CallCommon{Value: f}
		} else if mc, ok := knowledge.LocalClosure(c.fn, f); ok {
			cc = &ssa.CallCommon{Value: mc}
		}
	} else if mc, ok := knowledge.LocalClosure(c.fn, cc.Value); ok && len(cc.Args) == 0 {
		// close(), a closure of the enclosing function captured here.
		cc = &ssa.CallCommon{Value: mc}
	}
	// Closures and function literals called directly.
	if fnv, ok := knowledge.ClosureCallee(cc); ok {
		// Every binding is an event (two may hold the same value); an
		// argument already bound is not.
		literal := func(v ssa.Value, index int, param bool) {
			if ref, ok := alias[v]; ok && !(param && handled[v]) {
				handled[v] = true
				evs = append(evs, event{kind: evLiteral, conn: ref.Conn, pos: pos, what: "func literal",
					root: c.table.Literal(fnv, summary.RootKey{Index: index}, param), index: index})
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
	name := knowledge.FuncName(callee)
	if call != nil {
		c.noteFixedRead(call, name)
	}

	// User-configured drain and graceful-close functions come first.
	if c.user.Drain[name] || c.user.Graceful[name] {
		for _, a := range cc.Args {
			emit(a, knowledge.EffDrain, false)
		}
		if c.user.Graceful[name] {
			for _, a := range cc.Args {
				if ref, ok := alias[a]; ok {
					evs = append(evs, event{kind: evEffect, conn: ref.Conn, eff: knowledge.EffClose, pos: pos, what: what})
				}
			}
		}
		return evs
	}

	// Methods of tracked connections and wrappers.
	if recv, method, args, ok := knowledge.Receiver(cc); ok {
		if ref, tracked := alias[recv]; tracked && ref.Role != knowledge.RoleCell && ref.Kind != knowledge.KindFD {
			eff := knowledge.MethodEffect(ref.Role, ref.Kind, method, args, ref.Closes)
			if method == "SyscallConn" && knowledge.DupsDescriptor(call) {
				eff = knowledge.EffEscape // a dup of its descriptor, as File() makes
			}
			if eff == knowledge.EffNone && ref.Role == knowledge.RoleWriter && call != nil && knowledge.ReturnsError(call.Type()) {
				// A writer's methods that can fail write (bufio.Writer's,
				// an encoder's, a conn's own writer's Append): their
				// failure is the socket's.
				eff = knowledge.EffWrite
			}

			if eff == knowledge.EffNone && ref.Role == knowledge.RoleConn && len(args) == 1 && knowledge.IsPastTime(args[0]) &&
				(method == "SetDeadline" || method == "SetReadDeadline") {
				// c.SetDeadline(time.Now()): whoever reads it fails at once.
				evs = append(evs, event{kind: evEffect, conn: ref.Conn, eff: knowledge.EffAbort, pos: pos, what: what})
			}
			if eff == knowledge.EffNone && ref.Role == knowledge.RoleConn && len(args) == 0 && method == "CloseRead" {
				// shutdown(SHUT_RD): whoever reads it sees EOF now, with
				// the peer's bytes still queued: a cut of a reader, as a
				// past deadline is.
				evs = append(evs, event{kind: evEffect, conn: ref.Conn, eff: knowledge.EffAbortRead, pos: pos, what: what})
			}
			if eff == knowledge.EffNone && method == "SetLinger" && ref.Role == knowledge.RoleConn && len(args) == 1 {
				if i := knowledge.ParamIndex(c.fn, args[0]); i >= 0 {
					// SetLinger(secs), secs a parameter: the caller's
					// argument decides (tryLinger(c, 0)).
					evs = append(evs, event{kind: evEffect, conn: ref.Conn, eff: knowledge.EffLingerParam, pos: pos, what: what, index: i})
				}
			}
			// A method of one of the program's conn wrappers
			// (c.GetShortContent(3)) is left to its summary, below: it says
			// what the method does to the conn the wrapper holds.
			if summarized := eff == knowledge.EffNone && ref.Role == knowledge.RoleConn && c.delegatedEffect(cc, 0) != nil; !summarized {
				emit(recv, eff, knowledge.FailsOnContent("", method))
				if eff == knowledge.EffNone && ref.Role == knowledge.RoleConn && call != nil {
					// SetKeepAlive, SetDeadline...: they fail only on a broken
					// or closed socket, so their error ends the conversation too.
					c.outcomes.addFailure(call, ref.Conn, knowledge.EffWrite, over)
				}
			}
			emitCopyArgs(recv, method, args)
			if method == "Scan" && call != nil && eff == knowledge.EffRead {
				c.outcomes.add(call, outcome{conn: ref.Conn, test: testFalse})
			}
		} else if _, known := knowledge.ArgEffects[name]; !known && (cc.IsInvoke() || callee != nil && len(callee.Blocks) == 0) {
			// io.Discard.(io.ReaderFrom).ReadFrom(c) and friends.
			emitCopyArgs(recv, method, args)
		}
	}

	if i, ok := knowledge.ConnTransformer(cc); ok && (cc.IsInvoke() || callee == nil) {
		handled[cc.Args[i]] = true // a conn transformer: its result is the same conn
	}
	switch {
	case cc.IsInvoke() || callee == nil:
		// An unknown method or function value: whatever it is given escapes.
	case name == knowledge.PoolPut:
		for _, a := range cc.Args {
			if ref, ok := alias[a]; ok && (ref.Role == knowledge.RoleReader || ref.Role == knowledge.RoleWriter) {
				handled[a] = true // a view back to its pool, to be reset: the conn stays ours
			}
		}
	case knowledge.ArgEffects[name] != nil:
		for i, eff := range knowledge.ArgEffects[name] {
			if i < len(cc.Args) {
				emit(cc.Args[i], eff, knowledge.FailsOnContent(name, ""))
			}
		}
	case isConstructor(name):
		// The wrapped arguments are aliases of the result; nothing happens yet.
		for _, i := range knowledge.Constructors[name].Args {
			if i < len(cc.Args) {
				handled[cc.Args[i]] = true
			}
		}
	case c.wraps(callee, cc.Args, handled):
		// The program's own wrapper: likewise; what it reads or writes
		// while it wraps (a peek at a header) is done to the conn.
		evs = append(evs, c.wrapperUse(call, callee, pos, what)...)
	case strings.HasPrefix(name, knowledge.PkgSyscall+".") || strings.HasPrefix(name, knowledge.PkgUnix+"."):
		if len(cc.Args) > 0 {
			if ref, ok := alias[cc.Args[0]]; ok && ref.Kind == knowledge.KindFD {
				emit(cc.Args[0], knowledge.FDEffect(name, cc.Args), false)
			}
		}
		for _, a := range cc.Args {
			handled[a] = true // other system calls do not keep descriptors
		}
	default:
		if sum := c.table.Effects(callee); sum != nil {
			answered := answeredConns(alias, cc.Args, sum)
			for i, a := range cc.Args {
				ref, ok := alias[a]
				if !ok || handled[a] {
					continue
				}
				handled[a] = true
				pe := sum.Param(i, "")
				if pe == nil && ref.Role == knowledge.RoleConn {
					pe = c.delegatedEffect(cc, i) // what it does to the conn a wrapper holds
				}
				if pe != nil && answered[ref.Conn] && !ownership.CalleeAnswers(pe) {
					continue // another parameter of the callee owns this conn
				}
				if pe == nil {
					evs = append(evs, event{kind: evEffect, conn: ref.Conn, eff: knowledge.EffEscape, pos: pos, what: what})
					continue
				}
				evs = append(evs, event{kind: evSummary, conn: ref.Conn, pos: pos, what: what, pe: pe})
				if pe.SetsLinger && pe.LingerParam < len(cc.Args) {
					if secs, ok := knowledge.ConstInt(cc.Args[pe.LingerParam]); ok {
						eff := knowledge.EffLingerReset
						if secs == 0 {
							eff = knowledge.EffLingerZero
						}
						evs = append(evs, event{kind: evEffect, conn: ref.Conn, eff: eff, pos: pos, what: what})
					}
				}
				c.helperFailure(call, ref.Conn, pe)
			}
			closesLast(evs)
		}
	}

	// Anything tracked that was not understood leaves our sight.
	for _, a := range cc.Operands(nil) {
		if ref, ok := alias[*a]; ok && !handled[*a] {
			handled[*a] = true
			evs = append(evs, event{kind: evEffect, conn: ref.Conn, eff: knowledge.EffEscape, pos: pos, what: what})
		}
	}
	return evs
}

// goStatement records a go statement, or a launcher call, that runs cc.
func (c *eventCollector) goStatement(instr ssa.CallInstruction, cc *ssa.CallCommon, group ssa.Value) {
	c.GoIndex[instr] = len(c.gos)
	evs, gs := c.goEvents(instr, cc, group)
	c.gos = append(c.gos, gs)
	for _, ev := range evs {
		c.add(instr, ev)
	}
}

// launcher reports whether a call starts a goroutine as a go statement
// does, and what that goroutine runs: errgroup.Group.Go,
// sync.WaitGroup.Go (and the Group or WaitGroup that waits for it), or
// one of the program's functions that only runs its function parameter
// in a go statement (summary.Func.GoParam).
func (c *eventCollector) launcher(cc *ssa.CallCommon) (run *ssa.CallCommon, group ssa.Value, ok bool) {
	if cc.IsInvoke() {
		return nil, nil, false
	}
	callee := cc.StaticCallee()
	if arg, grouped, ok := knowledge.Launcher(knowledge.FuncName(callee)); ok && arg < len(cc.Args) {
		if grouped {
			group = cc.Args[0]
		}
		return &ssa.CallCommon{Value: cc.Args[arg]}, group, true
	}
	if callee != nil {
		if p := c.table.GoParam(callee); p >= 0 && p < len(cc.Args) {
			return &ssa.CallCommon{Value: cc.Args[p]}, nil, true
		}
	}
	return nil, nil, false
}

// goEvents: a go statement hands its connections to the goroutine. A
// function literal is judged from the state at the go statement; a named
// helper that only closes or drains is applied here; anything else owns
// the connection from now on. It also says which connections the
// goroutine reads to EOF.
func (c *eventCollector) goEvents(g ssa.CallInstruction, cc *ssa.CallCommon, group ssa.Value) ([]event, GoStmt) {
	alias := c.tr.Alias
	gs := GoStmt{Instr: g, Call: cc, Group: group, Handed: make(map[int]*summary.Root)}
	if recv, _, _, ok := knowledge.Receiver(cc); ok {
		if ref, tracked := alias[recv]; tracked && ref.Role != knowledge.RoleCell {
			// go c.Close(): a method of the conn, run at once on its own.
			if goStmt, isGo := g.(*ssa.Go); isGo {
				return c.callEvents(goStmt, g.Pos()), gs
			}
			return []event{{kind: evEffect, conn: ref.Conn, eff: knowledge.EffEscape, pos: g.Pos(), what: knowledge.CallName(g.Common())}}, gs
		}
	}
	var evs []event
	seen := make(map[ssa.Value]bool)
	if fnv, ok := knowledge.ClosureCallee(cc); ok {
		gs.Body = fnv
		launch := func(v ssa.Value, index int, param bool) {
			if ref, ok := alias[v]; ok && !(param && seen[v]) {
				seen[v] = true
				root := c.table.Literal(fnv, summary.RootKey{Index: index}, param)
				evs = append(evs, event{kind: evLaunch, conn: ref.Conn, pos: g.Pos(), root: root, index: index, lit: fnv, param: param})
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
		for i := range evs {
			if ev := &evs[i]; ev.kind == evLaunch {
				ev.root = c.asGiven(ev.conn, ev.root)
				if readsOnce(ev.root) && sendsWhatItRead(fnv) {
					// A goroutine that only reads the conn, and not to
					// its end (a request read in a goroutine so that the
					// function can give up on it: a select on the result
					// and a timeout), is the function's own read. The
					// conn stays the function's.
					*ev = event{kind: evEffect, conn: ev.conn, eff: knowledge.EffRead, pos: ev.pos, what: "a read in a goroutine"}
					continue
				}
				if writesOnly(ev.root) {
					*ev = writerEvent(ev.conn, ev.pos)
					continue
				}
				gs.Handed[ev.conn] = bothNames(gs.Handed[ev.conn], ev.root)
			}
		}
		return evs, gs
	}
	evs = append(evs, c.fieldGoEvents(cc, g.Pos())...)
	if effs := knowledge.ArgEffects[knowledge.FuncName(cc.StaticCallee())]; effs != nil && !cc.IsInvoke() {
		// go io.Copy(dst, src): a copy direction run by the standard
		// library, which signals nothing when it is done.
		for i, a := range cc.Args {
			if ref, ok := alias[a]; ok && i < len(effs) && gs.Handed[ref.Conn] == nil {
				t := touchOf(effs[i])
				gs.Handed[ref.Conn] = &summary.Root{Effect: summary.ParamEffect{Index: i, Reads: t.reads, Writes: t.writes,
					Drains: t.drains, Uses: t.uses()}}
			}
		}
	}
	if callee := cc.StaticCallee(); callee != nil && !cc.IsInvoke() {
		if sum := c.table.Effects(callee); sum != nil {
			local := cc.Value == callee && len(callee.Blocks) > 0
			if local {
				gs.Body = callee
				// A conn passed as an argument is what the goroutine does
				// to that parameter; one it reaches only through its
				// receiver's field (go p.pipe(p.lconn, p.rconn): pipe
				// uses its arguments, not p's fields) is what it does to
				// the field.
				for i, a := range cc.Args {
					if ref, ok := alias[a]; ok && gs.Handed[ref.Conn] == nil {
						gs.Handed[ref.Conn] = c.table.Literal(callee, summary.RootKey{Index: i}, true)
					}
				}
				for i, a := range cc.Args {
					for _, k := range c.tr.FieldRoots[a] {
						if gs.Handed[k] == nil {
							gs.Handed[k] = c.table.Literal(callee, summary.RootKey{Index: i, Field: c.tr.Conns[k].Field.Var.Name()}, true)
						}
					}
				}
			}
			answered := answeredConns(alias, cc.Args, sum)
			for i, a := range cc.Args {
				ref, ok := alias[a]
				if !ok {
					continue
				}
				pe := sum.Param(i, "")
				if seen[a] {
					continue
				}
				seen[a] = true
				if local && pe != nil && pe.Unjudged && !answered[ref.Conn] {
					// A goroutine that may be given something else than a
					// socket elsewhere: judged here, at its own Closes, as a
					// literal's are.
					evs = append(evs, event{kind: evLaunch, conn: ref.Conn, pos: g.Pos(), root: gs.Handed[ref.Conn], index: i})
					continue
				}
				if pe != nil && !ownership.CalleeAnswers(pe) && !answered[ref.Conn] {
					evs = append(evs, event{kind: evSummary, conn: ref.Conn, pos: g.Pos(), what: knowledge.CallName(cc), pe: pe})
				}
			}
			closesLast(evs)
		}
	}
	for _, a := range cc.Operands(nil) {
		if ref, ok := alias[*a]; ok {
			evs = append(evs, event{kind: evEffect, conn: ref.Conn, eff: knowledge.EffEscape, pos: g.Pos(), what: knowledge.CallName(cc)})
		}
	}
	for k, rs := range gs.Handed {
		gs.Handed[k] = c.asGiven(k, rs)
	}
	return evs, gs
}

// bothNames is what a goroutine literal does to one conn it was given
// under two names (an argument, and the field of a struct it captures:
// go copyIO(c.Conn, r) in a literal that closes c.Conn): what it does
// under either. A Close under one name after a copy under the other is
// a Close of the conn that copy used.
func bothNames(a, b *summary.Root) *summary.Root {
	switch {
	case a == nil:
		return b
	case b == nil || a == b:
		return a
	}
	r := &summary.Root{
		Effect:     a.Effect,
		Sites:      append(slices.Clone(a.Sites), b.Sites...),
		Launches:   append(slices.Clone(a.Launches), b.Launches...),
		Aborts:     append(slices.Clone(a.Aborts), b.Aborts...),
		ReadAborts: append(slices.Clone(a.ReadAborts), b.ReadAborts...),
	}
	e, f := &r.Effect, &b.Effect
	e.AtClose |= f.AtClose
	e.AtReturn |= f.AtReturn
	e.Uses, e.Reads, e.Writes, e.Drains = e.Uses || f.Uses, e.Reads || f.Reads, e.Writes || f.Writes, e.Drains || f.Drains
	e.Escapes, e.Pumps, e.LeftReading = e.Escapes || f.Escapes, e.Pumps || f.Pumps, e.LeftReading || f.LeftReading
	return r
}

// asGiven is what a goroutine does to conn k as this function gives it:
// where the goroutine half-closes only after an assertion to a socket
// type that k is not proven to be, the half-close may not happen.
func (c *eventCollector) asGiven(k int, rs *summary.Root) *summary.Root {
	if rs == nil || summary.Passes(c.tr.Conns[k].Socket, rs.Effect.AssumesSocket) {
		return rs
	}
	return notSocketRoot(rs)
}

// Owning fields. A call, go statement or closure given a parameter s (the
// base) acts on the conns of s's owning fields as its summary says; a
// base that leaves the function takes them along.

// escapeFields makes the owning fields' conns of v escape, when v is a base.
func (c *eventCollector) escapeFields(instr ssa.Instruction, v ssa.Value) {
	for _, k := range c.tr.FieldRoots[v] {
		c.escape(instr, k)
	}
}

// fieldLiteralEvents are the events of a function literal called (kind
// evLiteral) or started (evLaunch) with base v bound to its free variable
// (or parameter) index.
func (c *eventCollector) fieldLiteralEvents(v ssa.Value, fnv *ssa.Function, index int, param bool, pos token.Pos, kind evKind) []event {
	var evs []event
	for _, k := range c.tr.FieldRoots[v] {
		key := summary.RootKey{Index: index, Field: c.tr.Conns[k].Field.Var.Name()}
		evs = append(evs, event{kind: kind, conn: k, pos: pos, what: "func literal", root: c.table.Literal(fnv, key, param), index: index})
	}
	return evs
}

// answeredConns returns the conns of which some argument goes to a
// parameter the callee answers for (ownership.CalleeAnswers) or that it
// has no summary of (an io.Reader, a parameter that escapes). A callee
// given one conn twice (copy(dst, src, bufio.NewReader(src))) may read it
// through one parameter before it closes it through the other, in an
// order its summaries do not record: it is the callee's to judge.
func answeredConns(alias map[ssa.Value]ownership.AliasRef, args []ssa.Value, sum summary.ParamEffects) map[int]bool {
	var answered map[int]bool
	for i, a := range args {
		ref, ok := alias[a]
		if !ok {
			// A reader over the conn made for the call, converted to the
			// parameter's interface type (bufio.NewReader(c) as io.Reader).
			ref, ok = alias[knowledge.Through(a)]
		}
		if !ok {
			continue
		}
		if pe := sum.Param(i, ""); pe == nil || ownership.CalleeAnswers(pe) {
			if answered == nil {
				answered = make(map[int]bool)
			}
			answered[ref.Conn] = true
		}
	}
	return answered
}

// closesLast orders the summaries of one call so that, for a conn given
// to the callee through several parameters (copy(dst, src,
// bufio.NewReader(src))), what the callee does through the parameters
// that do not close it comes before the Close through the other: a
// function reads a conn before it closes it, and its summaries, one per
// parameter, do not record the order.
func closesLast(evs []event) {
	count := make(map[int]int)
	for _, e := range evs {
		if e.kind == evSummary {
			count[e.conn]++
		}
	}
	closes := func(e event) int {
		if e.kind == evSummary && e.pe.AtClose != 0 && count[e.conn] > 1 {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(evs, func(a, b event) int { return closes(a) - closes(b) })
}

// fieldCallEvents are the events of a call given bases: the callee's
// summary of each owning field (nothing when it leaves the field alone).
// A function value, an interface method, or a function of another
// package without a fact may do anything to an exported field: the conn
// escapes. An unexported field is out of other packages' reach.
func (c *eventCollector) fieldCallEvents(call *ssa.Call, cc *ssa.CallCommon, pos token.Pos, what string) []event {
	var evs []event
	callee := cc.StaticCallee()
	var sum summary.ParamEffects
	if callee != nil && !cc.IsInvoke() {
		sum = c.table.Effects(callee)
	}
	operands := cc.Args
	if cc.IsInvoke() {
		operands = append([]ssa.Value{cc.Value}, cc.Args...)
	}
	for i, a := range operands {
		for _, k := range c.tr.FieldRoots[a] {
			f := c.tr.Conns[k].Field.Var
			switch {
			case sum != nil:
				if pe := sum.Param(i, f.Name()); pe != nil {
					evs = append(evs, event{kind: evSummary, conn: k, pos: pos, what: what, pe: pe})
					c.helperFailure(call, k, pe)
				}
			case callee == nil || cc.IsInvoke() || f.Exported() || len(callee.Blocks) > 0:
				// Unknown, or a local function being analysed (recursion).
				evs = append(evs, event{kind: evEffect, conn: k, eff: knowledge.EffEscape, pos: pos, what: what})
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
	var sum summary.ParamEffects
	if callee != nil && !cc.IsInvoke() {
		sum = c.table.Effects(callee)
	}
	for i, a := range cc.Args {
		for _, k := range c.tr.FieldRoots[a] {
			f := c.tr.Conns[k].Field.Var
			switch pe := sum.Param(i, f.Name()); {
			case sum != nil && pe == nil:
			case sum != nil && writesOnly(&summary.Root{Effect: *pe}):
				evs = append(evs, writerEvent(k, pos)) // go s.writeLoop()
			case sum != nil && !ownership.CalleeAnswers(pe):
				evs = append(evs, event{kind: evSummary, conn: k, pos: pos, what: knowledge.CallName(cc), pe: pe})
			default:
				evs = append(evs, event{kind: evEffect, conn: k, eff: knowledge.EffEscape, pos: pos, what: knowledge.CallName(cc)})
			}
		}
	}
	return evs
}

// helperFailure records what a failed call of the program's own function
// says of conn k: over when all its failures are failed reads or writes
// of k (the socket's own failure ends the conversation); rejected when it
// reads k and can also fail on what it read (a frame it rejects, a bad
// magic), after which the rest of the peer's input is still queued.
//
// Where its failures are not all failed reads or writes, its error still
// says which of its returns the path took: the conn resumes from the
// states at its error returns (helperErr).
func (c *eventCollector) helperFailure(call *ssa.Call, k int, pe *summary.ParamEffect) {
	if call != nil && (pe.AtErr != 0 || pe.AtOK != 0) {
		c.outcomes.addHelperErr(call, k)
	}
	switch {
	case call == nil:
	case pe.ErrDone:
		c.outcomes.addHelperFailure(call, k, over)
	case pe.Reads || pe.Drains:
		c.outcomes.addHelperFailure(call, k, rejected)
	}
}

// delegatedEffect is what a call does to its argument i, one of the
// program's conn wrappers, by the callee's summary of the wrapper's field
// that holds the conn (a method of the wrapper, or a helper given it), or
// nil.
func (c *eventCollector) delegatedEffect(cc *ssa.CallCommon, i int) *summary.ParamEffect {
	callee := cc.StaticCallee()
	if cc.IsInvoke() || callee == nil || i >= len(cc.Args) {
		return nil
	}
	sum := c.table.Effects(callee)
	if sum == nil {
		return nil
	}
	field, ok := ownership.DelegateField(c.table, cc.Args[i].Type())
	if !ok {
		return nil
	}
	return sum.Param(i, field)
}

// wraps reports whether callee is one of the program's own wrappers
// (c = meter(c)) and marks the wrapped argument, and any view of the same
// conn given with it, handled: the result is the same conn, and the call
// hands it nowhere.
func (c *eventCollector) wraps(callee *ssa.Function, args []ssa.Value, handled map[ssa.Value]bool) bool {
	i, ok := ownership.WrapperParam(c.table, callee)
	if !ok || i >= len(args) {
		return false
	}
	ref, tracked := c.tr.Alias[args[i]]
	if !tracked || ref.Role != knowledge.RoleConn {
		return true
	}
	handled[args[i]] = true
	// A view of the same conn given with it (a bufio.Reader that has
	// peeked at its first bytes) goes into the same wrapper: the result.
	for _, a := range args {
		if r, ok := c.tr.Alias[a]; ok && r.Conn == ref.Conn {
			handled[a] = true
		}
	}
	return true
}

// wrapperUse returns the reads and writes a call of one of the program's
// wrappers makes on the conn it wraps, and records what a failure of the
// call says (helperFailure): a wrapper that read a header may fail on its
// content, with the rest of the input still queued.
func (c *eventCollector) wrapperUse(call *ssa.Call, callee *ssa.Function, pos token.Pos, what string) []event {
	i, _ := ownership.WrapperParam(c.table, callee)
	sum := c.table.Effects(callee)
	if call == nil || sum == nil || i >= len(call.Call.Args) {
		return nil
	}
	ref, ok := c.tr.Alias[call.Call.Args[i]]
	pe := sum.Param(i, "")
	if !ok || ref.Role != knowledge.RoleConn || pe == nil {
		return nil
	}
	var evs []event
	if pe.Reads || pe.Drains {
		evs = append(evs, event{kind: evEffect, conn: ref.Conn, eff: knowledge.EffRead, pos: pos, what: what})
	}
	if pe.Writes {
		evs = append(evs, event{kind: evEffect, conn: ref.Conn, eff: knowledge.EffWrite, pos: pos, what: what})
	}
	if len(evs) > 0 {
		c.helperFailure(call, ref.Conn, pe)
	}
	return evs
}

// isHandshake reports whether a call's name is a TLS handshake's.
func isHandshake(what string) bool {
	return strings.HasSuffix(what, ".Handshake") || strings.HasSuffix(what, ".HandshakeContext")
}

// sendsWhatItRead reports whether a goroutine's body sends a value on a
// channel that is neither an error nor an empty struct: what it read (a
// request, a message), for the function that started it to use. A
// goroutine that only watches the conn for its peer's close signals
// with an empty struct or an error, and is no read of the function's.
func sendsWhatItRead(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			send, ok := instr.(*ssa.Send)
			if !ok {
				continue
			}
			t := send.X.Type()
			if st, isStruct := t.Underlying().(*types.Struct); (isStruct && st.NumFields() == 0) || knowledge.IsErrorType(t) {
				continue
			}
			return true
		}
	}
	return false
}

// writesOnly reports whether a goroutine's summary says it only writes
// the conn: no read, no Close, no hand-off, no goroutine of its own, no
// copy into it from a source that ends (a writer loop that sends what
// the function queues for it).
func writesOnly(rs *summary.Root) bool {
	if rs == nil {
		return false
	}
	e := rs.Effect
	return e.Writes && !e.Reads && !e.Drains && !e.Escapes && !e.Pumps && e.AtClose == 0 && !e.LeftReading &&
		len(rs.Sites) == 0 && len(rs.Launches) == 0 && len(rs.Aborts) == 0 && len(rs.ReadAborts) == 0
}

// writerEvent is the launch of a writer goroutine at pos as the
// function's own write of conn k: the goroutine sends what the function
// queues (`go c.writeLoop()`), and the conn, its reads and its Close stay
// the function's.
func writerEvent(k int, pos token.Pos) event {
	return event{kind: evEffect, conn: k, eff: knowledge.EffWrite, pos: pos, what: "a writer goroutine"}
}

// readsOnce reports whether a goroutine's summary says it reads the conn
// and does nothing else with it: no read to EOF, no write, no Close, no
// hand-off, no goroutine of its own.
func readsOnce(rs *summary.Root) bool {
	if rs == nil {
		return false
	}
	e := rs.Effect
	return e.Reads && !e.Drains && !e.ErrRead && !e.Writes && !e.Escapes && !e.Pumps && e.AtClose == 0 &&
		!e.LeftReading && len(rs.Sites) == 0 && len(rs.Launches) == 0 && len(rs.Aborts) == 0 && len(rs.ReadAborts) == 0
}

func isConstructor(name string) bool { _, ok := knowledge.Constructors[name]; return ok }
