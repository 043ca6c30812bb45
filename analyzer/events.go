package analyzer

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// This file decides what each instruction does to the tracked connections:
// the events the dataflow applies, and the conditions whose outcome tells
// that a read or write failed (or that a connection was never made).

// evKind distinguishes the events of the dataflow.
type evKind uint8

const (
	evEffect  evKind = iota // a plain effect (read, drain, close...)
	evOrigin                // the connection is (re)created here
	evSummary               // a call to a function summarized by a ParamEffect
	evClosure               // a call of a closure or func literal: apply its summary
	evLaunch                // a go statement hands the connection to a goroutine
)

// event is what one instruction does to one connection.
type event struct {
	kind evKind
	conn int
	eff  effect
	pos  token.Pos
	what string // the function or method responsible, for messages

	pe *ParamEffect // evSummary

	// evClosure, evLaunch: the callee and which of its free variables
	// (or, with param set, parameters) is the connection.
	callee *ssa.Function
	index  int
	param  bool
}

// condWhen is the outcome of a condition that carries information.
type condWhen uint8

const (
	whenNonNil      condWhen = iota // an error value is not nil
	whenFalse                       // a bool (Scanner.Scan) is false
	whenNonPositive                 // a byte count is <= 0
)

// condFact: when a value has outcome `when`, the connection's conversation
// is over (or, with dead, the connection was never created).
type condFact struct {
	conn int
	when condWhen
	dead bool
}

func (f *funcFlow) addCond(v ssa.Value, c condFact) {
	f.conds[v] = append(f.conds[v], c)
}

// collectEvents scans the function once and records every event.
func (f *funcFlow) collectEvents() {
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			switch i := instr.(type) {
			case *ssa.Call:
				if id, ok := f.originAt[i]; ok {
					f.addEvent(i, event{kind: evOrigin, conn: id, pos: i.Pos()})
				}
				for _, ev := range f.callEvents(i, i.Pos()) {
					f.addEvent(i, ev)
				}
			case *ssa.Defer:
				f.deferIndex[i] = len(f.defers)
				f.defers = append(f.defers, i)
				f.deferEvents = append(f.deferEvents, f.callEvents(i, i.Pos()))
			case *ssa.Go:
				for _, ev := range f.goEvents(i) {
					f.addEvent(i, ev)
				}
			case *ssa.Store:
				if ref, ok := f.alias[i.Val]; ok {
					if cell, isCell := f.alias[i.Addr]; !isCell || cell.conn != ref.conn || cell.role != roleCell {
						f.escape(i, ref.conn)
					}
				} else if cell, ok := f.alias[i.Addr]; ok && cell.role == roleCell && !isNilConst(i.Val) {
					// The variable is re-pointed at something we do not follow.
					f.escape(i, cell.conn)
				}
			case *ssa.Return:
				for _, r := range i.Results {
					if ref, ok := f.alias[r]; ok {
						f.escape(i, ref.conn)
					}
				}
			case *ssa.Send:
				f.escapeOperand(i, i.X)
			case *ssa.MapUpdate:
				f.escapeOperand(i, i.Key)
				f.escapeOperand(i, i.Value)
			case *ssa.Select:
				for _, st := range i.States {
					if st.Send != nil {
						f.escapeOperand(i, st.Send)
					}
				}
			case *ssa.MakeClosure:
				if !onlyCalled(i, true) {
					for _, b := range i.Bindings {
						f.escapeOperand(i, b)
					}
				}
			case *ssa.Slice, *ssa.IndexAddr, *ssa.FieldAddr:
				// Taking the address of a cell's contents, or slicing it,
				// lets the connection go where we cannot see.
				for _, op := range i.Operands(nil) {
					if ref, ok := f.alias[*op]; ok && ref.role == roleCell {
						f.escape(i, ref.conn)
					}
				}
			}
		}
	}
}

func (f *funcFlow) addEvent(instr ssa.Instruction, ev event) {
	f.events[instr] = append(f.events[instr], ev)
}

func (f *funcFlow) escape(instr ssa.Instruction, conn int) {
	f.addEvent(instr, event{kind: evEffect, conn: conn, eff: effEscape, pos: instr.Pos()})
}

func (f *funcFlow) escapeOperand(instr ssa.Instruction, v ssa.Value) {
	if ref, ok := f.alias[v]; ok {
		f.escape(instr, ref.conn)
	}
}

func isNilConst(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.IsNil()
}

// onlyCalled reports whether a function value (a closure, or a literal
// without free variables) is only ever called, deferred or, with goOK,
// started as a goroutine: then its effects are applied where that happens.
func onlyCalled(v ssa.Value, goOK bool) bool {
	refs := v.Referrers()
	if refs == nil {
		return false
	}
	for _, r := range *refs {
		if _, isDebug := r.(*ssa.DebugRef); isDebug {
			continue
		}
		call, ok := r.(ssa.CallInstruction)
		if !ok || call.Common().Value != v {
			return false
		}
		if _, isGo := r.(*ssa.Go); isGo && !goOK {
			return false
		}
		for _, a := range call.Common().Args {
			if a == v {
				return false
			}
		}
	}
	return true
}

// callName describes a call's target for messages: "io.Copy",
// "(*bufio.Reader).ReadString", "net.Conn.Close".
func callName(cc *ssa.CallCommon) string {
	if cc.IsInvoke() {
		return types.TypeString(cc.Value.Type(), shortQualifier) + "." + cc.Method.Name()
	}
	if fn := cc.StaticCallee(); fn != nil {
		if obj, ok := fn.Object().(*types.Func); ok {
			if recv := obj.Signature().Recv(); recv != nil {
				return "(" + types.TypeString(recv.Type(), shortQualifier) + ")." + obj.Name()
			}
			if obj.Pkg() != nil {
				return obj.Pkg().Name() + "." + obj.Name()
			}
		}
		return fn.Name()
	}
	return "function value"
}

func shortQualifier(p *types.Package) string { return p.Name() }

// receiver splits a method call into receiver, method name and arguments.
func receiver(cc *ssa.CallCommon) (recv ssa.Value, name string, args []ssa.Value, ok bool) {
	if cc.IsInvoke() {
		return cc.Value, cc.Method.Name(), cc.Args, true
	}
	fn := cc.StaticCallee()
	if fn == nil || fn.Signature.Recv() == nil || len(cc.Args) == 0 {
		return nil, "", nil, false
	}
	return cc.Args[0], fn.Name(), cc.Args[1:], true
}

// callEvents computes what a call (or deferred call) does to each tracked
// connection among its receiver and arguments. For a plain *ssa.Call it
// also records the conditions on its results.
func (f *funcFlow) callEvents(instr ssa.CallInstruction, pos token.Pos) []event {
	cc := instr.Common()
	call, _ := instr.(*ssa.Call)
	what := callName(cc)
	var evs []event
	handled := make(map[ssa.Value]bool)
	emit := func(v ssa.Value, eff effect) {
		ref, ok := f.alias[v]
		if !ok || handled[v] {
			return
		}
		handled[v] = true
		if eff == effNone {
			return
		}
		evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: eff, pos: pos, what: what})
		if call != nil {
			f.condsForResult(call, ref.conn, eff)
		}
	}

	// Closures and function literals called directly.
	if fnv, ok := closureCallee(cc); ok {
		if mc, isClosure := cc.Value.(*ssa.MakeClosure); isClosure {
			for i, b := range mc.Bindings {
				if ref, ok := f.alias[b]; ok {
					evs = append(evs, event{kind: evClosure, conn: ref.conn, pos: pos, what: "func literal", callee: fnv, index: i})
					handled[b] = true
				}
			}
		}
		for i, a := range cc.Args {
			if ref, ok := f.alias[a]; ok && !handled[a] {
				handled[a] = true
				evs = append(evs, event{kind: evClosure, conn: ref.conn, pos: pos, what: "func literal", callee: fnv, index: i, param: true})
			}
		}
		return evs
	}

	callee := cc.StaticCallee()
	name := funcName(callee)

	// User-configured drain and graceful-close functions come first.
	if f.pkg.cfg.drain[name] || f.pkg.cfg.graceful[name] {
		for _, a := range cc.Args {
			emit(a, effDrain)
		}
		if f.pkg.cfg.graceful[name] {
			for _, a := range cc.Args {
				if ref, ok := f.alias[a]; ok {
					evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: effClose, pos: pos, what: what})
				}
			}
		}
		return evs
	}

	// Methods of tracked connections and wrappers.
	if recv, method, args, ok := receiver(cc); ok {
		if ref, tracked := f.alias[recv]; tracked && ref.role != roleCell && ref.kind != kindFD {
			eff := methodEffect(ref.role, ref.kind, method, args, ref.closes)
			emit(recv, eff)
			if eff == effNone && ref.role == roleConn && call != nil {
				// SetKeepAlive, SetDeadline...: they fail only on a broken
				// or closed socket, so their error ends the conversation too.
				f.condsForResult(call, ref.conn, effWrite)
			}
			copyArgs(method, args, emit)
			if method == "Scan" && call != nil && eff == effRead {
				f.addCond(call, condFact{conn: ref.conn, when: whenFalse})
			}
		} else if _, known := argEffects[name]; !known && (cc.IsInvoke() || callee != nil && len(callee.Blocks) == 0) {
			// io.Discard.(io.ReaderFrom).ReadFrom(c) and friends.
			copyArgs(method, args, emit)
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
			if ref, ok := f.alias[cc.Args[0]]; ok && ref.kind == kindFD {
				emit(cc.Args[0], fdEffect(name, cc.Args))
			}
		}
		for _, a := range cc.Args {
			handled[a] = true // other system calls do not keep descriptors
		}
	default:
		if sum := f.pkg.summaryOf(callee); sum != nil {
			for i, a := range cc.Args {
				ref, ok := f.alias[a]
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
				if call != nil && (pe.ErrDone || pe.ErrRead && inLoop(call.Block())) {
					f.condsForResult(call, ref.conn, effRead)
				}
			}
		}
	}

	// Anything tracked that was not understood leaves our sight.
	for _, a := range cc.Operands(nil) {
		if ref, ok := f.alias[*a]; ok && !handled[*a] {
			handled[*a] = true
			evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: effEscape, pos: pos, what: what})
		}
	}
	return evs
}

// copyArgs applies the io.ReaderFrom / io.WriterTo idioms to a method's
// arguments: x.ReadFrom(c) reads c to EOF, x.WriteTo(c) writes to c.
func copyArgs(method string, args []ssa.Value, emit func(ssa.Value, effect)) {
	eff := effNone
	switch method {
	case "ReadFrom":
		eff = effDrain
	case "WriteTo":
		eff = effWrite
	default:
		return
	}
	for _, a := range args {
		emit(a, eff)
	}
}

func isWrapper(name string) bool { _, ok := wrappers[name]; return ok }

// closureCallee returns the function literal a call invokes directly.
func closureCallee(cc *ssa.CallCommon) (*ssa.Function, bool) {
	switch v := cc.Value.(type) {
	case *ssa.MakeClosure:
		fn := v.Fn.(*ssa.Function)
		return fn, fn.Parent() != nil
	case *ssa.Function:
		return v, v.Parent() != nil
	}
	return nil, false
}

// condsForResult records that a failed result of call (a non-nil error, a
// zero byte count) ends the conversation on conn.
func (f *funcFlow) condsForResult(call *ssa.Call, conn int, eff effect) {
	switch eff {
	case effRead, effDrain, effWrite:
	default:
		return
	}
	t := call.Type()
	tuple, isTuple := t.(*types.Tuple)
	if !isTuple {
		if isErrorType(t) {
			f.addCond(call, condFact{conn: conn, when: whenNonNil})
		}
		return
	}
	for _, r := range *call.Referrers() {
		ext, ok := r.(*ssa.Extract)
		if !ok {
			continue
		}
		et := tuple.At(ext.Index).Type()
		switch {
		case isErrorType(et):
			f.addCond(ext, condFact{conn: conn, when: whenNonNil})
		case ext.Index == 0 && eff == effRead && isFDType(et):
			f.addCond(ext, condFact{conn: conn, when: whenNonPositive})
		}
	}
}

// goEvents: a go statement hands its connections to the goroutine. A
// function literal is checked from the state at the go statement; a named
// helper that only closes or drains is applied here; anything else owns
// the connection from now on.
func (f *funcFlow) goEvents(g *ssa.Go) []event {
	cc := g.Common()
	var evs []event
	seen := make(map[ssa.Value]bool)
	if fnv, ok := closureCallee(cc); ok {
		if mc, isClosure := cc.Value.(*ssa.MakeClosure); isClosure {
			for i, b := range mc.Bindings {
				if ref, ok := f.alias[b]; ok {
					seen[b] = true
					evs = append(evs, event{kind: evLaunch, conn: ref.conn, pos: g.Pos(), callee: fnv, index: i})
				}
			}
		}
		for i, a := range cc.Args {
			if ref, ok := f.alias[a]; ok && !seen[a] {
				seen[a] = true
				evs = append(evs, event{kind: evLaunch, conn: ref.conn, pos: g.Pos(), callee: fnv, index: i, param: true})
			}
		}
		return evs
	}
	if callee := cc.StaticCallee(); callee != nil && !cc.IsInvoke() {
		if sum := f.pkg.summaryOf(callee); sum != nil {
			for i, a := range cc.Args {
				ref, ok := f.alias[a]
				if !ok || seen[a] {
					continue
				}
				seen[a] = true
				if pe := sum.param(i); pe != nil && !pe.Uses && !pe.Escapes {
					evs = append(evs, event{kind: evSummary, conn: ref.conn, pos: g.Pos(), what: callName(cc), pe: pe})
				}
			}
		}
	}
	for _, a := range cc.Operands(nil) {
		if ref, ok := f.alias[*a]; ok {
			evs = append(evs, event{kind: evEffect, conn: ref.conn, eff: effEscape, pos: g.Pos(), what: callName(cc)})
		}
	}
	return evs
}
