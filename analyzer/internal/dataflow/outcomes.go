package dataflow

import (
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/ownership"
)

// This file is branch refinement: what the outcome of a call, seen on an
// edge of an If, says about a connection. On the edge where a read's
// error is not nil the conversation is over; on the edge where Dial's
// error is not nil the connection was never made. The event stage records
// which values carry such outcomes; the dataflow asks, for each edge,
// which outcomes hold there.

// valueTest is a test of a value that carries an outcome.
type valueTest uint8

const (
	testNonNil      valueTest = iota // an error value is not nil
	testFalse                        // a bool (Scanner.Scan, a comparison) is false
	testTrue                         // a bool (a comparison) is true
	testNonPositive                  // a byte count is <= 0
	// testNotEOF: an error is not the end of input (the false edge of
	// err == io.EOF or errors.Is(err, io.EOF)): a source that failed.
	testNotEOF
	testNil // an error value is nil
)

// consequence is what an outcome means for the connection's states.
type consequence uint8

const (
	// over: a read, write or half-close failed, or the input was read to
	// its end: the conversation is over, a Close resets nothing of value.
	over consequence = iota
	// neverMade: the connection was never created (Dial failed).
	neverMade
	// rejected: a read failed on the content of what the peer sent (a
	// parser, a decrypting reader, a preface or magic that does not
	// match, input sent before our answer was due): only the socket's own
	// failure ends the conversation, so the rest of the input is still
	// queued, and the path is judged as one where the program rejects
	// the peer.
	rejected
	// notStream: the value failed an assertion that every TCP and unix
	// conn passes (w.(interface{ CloseWrite() error })): it has no
	// half-close to send, or an assertion to the socket type a conn is
	// known to be, an edge that cannot be taken.
	notStream
	// assumedSocket: a parameter or captured conn failed an assertion to
	// a socket type (w.(*net.TCPConn)). The caller, who knows what it
	// passes, judges that edge (ParamEffect.AssumesSocket).
	assumedSocket
	// helperErr: a call of the program's own function returned a non-nil
	// error: the conn resumes from the callee's states at its error
	// returns (ParamEffect.AtErr), not from all its returns.
	helperErr
	// helperOK: the same call's error is nil: the conn resumes from the
	// callee's states at its returns of a nil error (ParamEffect.AtOK).
	helperOK
)

// outcome: when a value passes its test, consequence holds for the
// connection.
type outcome struct {
	conn   int
	test   valueTest
	then   consequence
	socket knowledge.Socket // the type an assumedSocket assertion named
	call   *ssa.Call        // helperErr: the call whose error it is
}

// outcomes maps the values that carry outcomes to them.
type outcomes map[ssa.Value][]outcome

func (o outcomes) add(v ssa.Value, oc outcome) { o[v] = append(o[v], oc) }

// addOriginError records that a non-nil error from an origin call means
// its connection was never made.
func (o outcomes) addOriginError(call *ssa.Call, conn int) {
	if _, isTuple := call.Type().(*types.Tuple); !isTuple {
		return
	}
	for _, r := range *call.Referrers() {
		if ext, ok := r.(*ssa.Extract); ok && ext.Index != 0 && knowledge.IsErrorType(ext.Type()) {
			o.add(ext, outcome{conn: conn, test: testNonNil, then: neverMade})
		}
	}
}

// addFailure records that a failed result of call (a non-nil error, a
// zero byte count) ends the conversation on conn, for a call whose effect
// on it is eff: a read, a write, or a half-close (shutdown fails only on a
// socket that is already broken or closed).
func (o outcomes) addFailure(call *ssa.Call, conn int, eff knowledge.Effect, then consequence) {
	switch eff {
	case knowledge.EffRead, knowledge.EffDrain, knowledge.EffWrite, knowledge.EffHalfClose:
	default:
		return
	}
	t := call.Type()
	tuple, isTuple := t.(*types.Tuple)
	if !isTuple {
		if knowledge.IsErrorType(t) {
			o.add(call, outcome{conn: conn, test: testNonNil, then: then})
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
		case knowledge.IsErrorType(et):
			o.add(ext, outcome{conn: conn, test: testNonNil, then: then})
		case ext.Index == 0 && eff == knowledge.EffRead && knowledge.IsFDType(et):
			o.add(ext, outcome{conn: conn, test: testNonPositive})
		}
	}
}

// addHelperFailure records what the failure result of a call of the
// program's own function (a non-nil error, or a false last bool with no
// error beside it) says of conn: over when only a failed read or write
// of it produces one, rejected when the function can also fail on what
// it read.
func (o outcomes) addHelperFailure(call *ssa.Call, conn int, then consequence) {
	o.addFailure(call, conn, knowledge.EffRead, then)
	t := call.Type()
	tuple, isTuple := t.(*types.Tuple)
	if !isTuple {
		if isBool(t) {
			o.add(call, outcome{conn: conn, test: testFalse, then: then})
		}
		return
	}
	if tuple.Len() == 0 {
		return
	}
	for i := range tuple.Len() {
		if knowledge.IsErrorType(tuple.At(i).Type()) {
			return
		}
	}
	if last := tuple.Len() - 1; isBool(tuple.At(last).Type()) {
		for _, r := range *call.Referrers() {
			if ext, ok := r.(*ssa.Extract); ok && ext.Index == last {
				o.add(ext, outcome{conn: conn, test: testFalse, then: then})
			}
		}
	}
}

// addHelperErr records that a non-nil error of a call of the program's
// own function sends conn k to the callee's states at its error returns,
// and a nil one to its states at its returns of a nil error.
func (o outcomes) addHelperErr(call *ssa.Call, conn int) {
	t := call.Type()
	tuple, isTuple := t.(*types.Tuple)
	if !isTuple {
		if knowledge.IsErrorType(t) {
			o.add(call, outcome{conn: conn, test: testNonNil, then: helperErr, call: call})
			o.add(call, outcome{conn: conn, test: testNil, then: helperOK, call: call})
		}
		return
	}
	for _, r := range *call.Referrers() {
		if ext, ok := r.(*ssa.Extract); ok && ext.Index == tuple.Len()-1 && knowledge.IsErrorType(ext.Type()) {
			o.add(ext, outcome{conn: conn, test: testNonNil, then: helperErr, call: call})
			o.add(ext, outcome{conn: conn, test: testNil, then: helperOK, call: call})
		}
	}
}

// addStreamAssertion records what the failed edge of a comma-ok
// assertion of conn to *net.TCPConn, *net.UnixConn or a stream-conn
// interface (`if tc, ok := c.(*net.TCPConn); ok { tc.CloseWrite() }`)
// means. A conn that fails the interface has no half-close to send: the
// edge is not judged. An assertion to a socket type is a half-close only
// where the conn's type is proven: a unix conn, a TLS conn, another
// stack's conn or a wrapper fails `c.(*net.TCPConn)` and sends no FIN.
// So the edge cannot be taken for a conn whose origin proves that type;
// for a parameter or captured conn the caller judges it
// (assumedSocket); for any other conn it is judged here.
func (o outcomes) addStreamAssertion(ta *ssa.TypeAssert, conn int, c *ownership.Conn) {
	if !ta.CommaOk {
		return
	}
	oc, ok := streamAssertion(ta.AssertedType, conn, c)
	if !ok {
		return
	}
	for _, r := range *ta.Referrers() {
		if ext, ok := r.(*ssa.Extract); ok && ext.Index == 1 {
			o.add(ext, oc)
		}
	}
}

// addCapturedAssertions records the same outcome on the ok results of
// such assertions that a literal captured (ownership's CapturedOK): the
// goroutine that tests isBC, captured from bc, isBC := c.(tcpCloser),
// half-closes only where the assertion held, as its parent would.
func (o outcomes) addCapturedAssertions(tr *ownership.Tracking) {
	for fv, a := range tr.CapturedOK {
		oc, ok := streamAssertion(a.Asserted, a.Conn, tr.Conns[a.Conn])
		if !ok {
			continue
		}
		o.add(fv, oc)
		for _, r := range *fv.Referrers() {
			if load, ok := r.(*ssa.UnOp); ok && load.Op == token.MUL {
				o.add(load, oc) // a cell: each load of it
			}
		}
	}
}

// streamAssertion is what the failed edge of an assertion of conn c to
// asserted means (addStreamAssertion), if anything.
func streamAssertion(asserted types.Type, conn int, c *ownership.Conn) (outcome, bool) {
	if !knowledge.AssertsStream(asserted) {
		return outcome{}, false
	}
	oc := outcome{conn: conn, test: testFalse, then: notStream}
	if want := knowledge.SocketOfType(asserted); want != knowledge.NoSocket && want != c.Socket {
		if !c.IsRoot() {
			return outcome{}, false
		}
		oc.then, oc.socket = assumedSocket, want
	}
	return oc, true
}

// onEdge returns the outcomes that hold on the edge of an If on cond taken
// when cond evaluates to branch.
func (o outcomes) onEdge(cond ssa.Value, branch bool) []outcome {
	var derived []outcome
	switch c := cond.(type) {
	case *ssa.UnOp:
		if c.Op == token.NOT {
			return o.onEdge(c.X, !branch)
		}
	case *ssa.BinOp:
		derived = o.onComparison(c, branch)
	case *ssa.Call:
		if knowledge.FuncName(c.Common().StaticCallee()) == "errors.Is" && len(c.Call.Args) == 2 {
			switch {
			case branch:
				derived = o.of(c.Call.Args[0], testNonNil, 0)
				if isEndOfInput(c.Call.Args[1]) {
					derived = asOver(derived)
				}
			case isEndOfInput(c.Call.Args[1]):
				derived = o.of(c.Call.Args[0], testNotEOF, 0)
			}
		}
	}
	test := testFalse
	if branch {
		test = testTrue
	}
	return append(derived, o.of(cond, test, 0)...)
}

func (o outcomes) onComparison(c *ssa.BinOp, branch bool) []outcome {
	x, y, op := c.X, c.Y, c.Op
	if _, isConst := x.(*ssa.Const); isConst {
		x, y, op = y, x, flip(op)
	}
	switch op {
	case token.EQL, token.NEQ:
		if knowledge.IsNilConst(y) {
			if (op == token.NEQ) == branch {
				return o.of(x, testNonNil, 0)
			}
			return o.of(x, testNil, 0)
		}
		if knowledge.IsErrorType(x.Type()) && (op == token.EQL) != branch && isEndOfInput(y) {
			return o.of(x, testNotEOF, 0)
		}
		if knowledge.IsErrorType(x.Type()) && (op == token.EQL) == branch {
			// err == io.EOF: err is not nil on the equal edge, and it is
			// the end of the input, the socket's, whatever the call.
			if knownNonNil(y) {
				if isEndOfInput(y) {
					return asOver(o.of(x, testNonNil, 0))
				}
				return o.of(x, testNonNil, 0)
			}
			if knownNonNil(x) {
				return o.of(y, testNonNil, 0)
			}
		}
	}
	if k, ok := knowledge.ConstInt(y); ok && impliesNonPositive(op, k, branch) {
		return o.of(x, testNonPositive, 0)
	}
	return nil
}

// flip mirrors a comparison: k < x is x > k.
func flip(op token.Token) token.Token {
	switch op {
	case token.LSS:
		return token.GTR
	case token.GTR:
		return token.LSS
	case token.LEQ:
		return token.GEQ
	case token.GEQ:
		return token.LEQ
	}
	return op
}

// impliesNonPositive reports whether (n op k) == branch implies n <= 0.
// The integers n >= 1 satisfying it form an interval; if it is not empty
// it contains 1, k-1, k, k+1 or a large number.
func impliesNonPositive(op token.Token, k int64, branch bool) bool {
	holds := func(n int64) bool {
		var r bool
		switch op {
		case token.EQL:
			r = n == k
		case token.NEQ:
			r = n != k
		case token.LSS:
			r = n < k
		case token.LEQ:
			r = n <= k
		case token.GTR:
			r = n > k
		case token.GEQ:
			r = n >= k
		default:
			return true
		}
		return r == branch
	}
	for _, n := range []int64{1, k - 1, k, k + 1, 1 << 40} {
		if n >= 1 && holds(n) {
			return false
		}
	}
	return true
}

// isEndOfInput reports whether v is io.EOF or io.ErrUnexpectedEOF: the
// peer ended its input, a failure of the socket, not of the content.
func isEndOfInput(v ssa.Value) bool {
	u, ok := v.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return false
	}
	g, ok := u.X.(*ssa.Global)
	return ok && g.Pkg != nil && g.Pkg.Pkg.Path() == "io" && (g.Name() == "EOF" || g.Name() == "ErrUnexpectedEOF")
}

// asOver turns outcomes into the end of the conversation.
func asOver(ocs []outcome) []outcome {
	out := make([]outcome, len(ocs))
	for i, oc := range ocs {
		oc.then = over
		out[i] = oc
	}
	return out
}

// knownNonNil reports whether an error value is certainly not nil: a
// sentinel variable like io.EOF or a freshly made error.
func knownNonNil(v ssa.Value) bool {
	switch v := v.(type) {
	case *ssa.UnOp:
		_, isGlobal := v.X.(*ssa.Global)
		return v.Op == token.MUL && isGlobal
	case *ssa.MakeInterface:
		return true
	case *ssa.Call:
		switch knowledge.FuncName(v.Common().StaticCallee()) {
		case "errors.New", "fmt.Errorf":
			return true
		}
	}
	return false
}

// of returns the outcomes recorded for v passing test, looking through
// phis whose other inputs all carry the same outcomes (a nil error or a
// true constant on some input does not pass the test).
func (o outcomes) of(v ssa.Value, test valueTest, depth int) []outcome {
	var out []outcome
	for _, c := range o[v] {
		if c.test == test {
			out = append(out, c)
		}
	}
	if len(out) > 0 || depth > knowledge.MaxDepth {
		return out
	}
	if stored := storedBefore(v); stored != nil {
		return o.of(stored, test, depth+1) // err = c.Write(b); if err != nil, err a named result
	}
	phi, ok := v.(*ssa.Phi)
	if !ok {
		return nil
	}
	// What a phi's value implies is what every edge's value implies: a
	// named result set by a write on one path and by a helper that fails
	// only when its writes fail on another (whose error also says which
	// of the helper's returns the path took) fails when a write failed.
	var common []outcome
	first := true
	for _, e := range phi.Edges {
		if knowledge.IsNilConst(e) && test == testNonNil || knowledge.IsTrueConst(e) && test == testFalse || knowledge.IsFalseConst(e) && test == testTrue {
			continue
		}
		ocs := o.of(e, test, depth+1)
		if first {
			common, first = slices.Clone(ocs), false
		} else {
			common = slices.DeleteFunc(common, func(c outcome) bool { return !slices.Contains(ocs, c) })
		}
		if len(common) == 0 {
			return nil
		}
	}
	return common
}

// storedBefore returns the value a load of a local variable reads when
// the variable was stored earlier in the load's block (a named result,
// which a function with defers keeps in memory: _, err = c.Write(b); if
// err != nil), or nil. Only a variable whose address nothing else takes
// is followed: nothing but its own stores writes it.
func storedBefore(v ssa.Value) ssa.Value {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	if !followable(load.X) {
		return nil
	}
	instrs := load.Block().Instrs
	return lastStore(instrs[:slices.Index(instrs, ssa.Instruction(load))], load.X)
}

// lastStore returns the value of the last store to addr among instrs, or
// nil.
func lastStore(instrs []ssa.Instruction, addr ssa.Value) ssa.Value {
	for j := len(instrs) - 1; j >= 0; j-- {
		if st, ok := instrs[j].(*ssa.Store); ok && st.Addr == addr {
			return st.Val
		}
	}
	return nil
}

// storedOnPath returns the value a load of a local variable reads on the
// only path to it: the last store before the load in its block, or else
// in the block's single predecessor, and so on up to MaxDepth blocks (a
// named result set by err = h() and returned by a later bare return).
// It returns nil where a block has several predecessors, and for a
// variable that anything but its own stores may write.
func storedOnPath(v ssa.Value) ssa.Value {
	if stored := storedBefore(v); stored != nil {
		return stored
	}
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL || !followable(load.X) {
		return nil
	}
	b := load.Block()
	for range knowledge.MaxDepth {
		if len(b.Preds) != 1 {
			return nil
		}
		b = b.Preds[0]
		if stored := lastStore(b.Instrs, load.X); stored != nil {
			return stored
		}
	}
	return nil
}

// nilOnPath reports what the path to block b says of the error v: an If
// on v != nil or v == nil, met walking back from b through blocks of one
// predecessor (at most MaxDepth), tells whether v is nil there. A
// variable's loads stand for the value stored on their path.
func nilOnPath(b *ssa.BasicBlock, v ssa.Value) (isNil, known bool) {
	same := func(x ssa.Value) bool {
		if x == v {
			return true
		}
		stored := storedOnPath(x)
		return stored != nil && stored == v
	}
	for range knowledge.MaxDepth {
		if len(b.Preds) != 1 {
			return false, false
		}
		p := b.Preds[0]
		if cond, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If); ok && len(p.Succs) == 2 && p.Succs[0] != p.Succs[1] {
			if cmp, ok := cond.Cond.(*ssa.BinOp); ok && (cmp.Op == token.EQL || cmp.Op == token.NEQ) {
				for _, sides := range [][2]ssa.Value{{cmp.X, cmp.Y}, {cmp.Y, cmp.X}} {
					if knowledge.IsNilConst(sides[1]) && same(sides[0]) {
						took := p.Succs[0] == b // the edge where cond holds
						return (cmp.Op == token.EQL) == took, true
					}
				}
			}
		}
		b = p
	}
	return false, false
}

// followable reports whether addr is a local variable that nothing but
// its own stores writes: an Alloc whose address is only stored to and
// loaded from.
func followable(addr ssa.Value) bool {
	alloc, ok := addr.(*ssa.Alloc)
	if !ok {
		return false
	}
	for _, r := range *alloc.Referrers() {
		switch r := r.(type) {
		case *ssa.Store:
			if r.Addr != alloc {
				return false // its address is stored somewhere
			}
		case *ssa.UnOp, *ssa.DebugRef:
		default:
			return false // captured, passed, or sliced: written elsewhere
		}
	}
	return true
}

// Protocol breaks. Some checks tell the program that the peer broke the
// protocol: a fixed preface that does not match, input sent before the
// answer it had to wait for. Their outcomes are recorded here, beside
// those of the calls, from the buffers and readers the event stage notes.

// noteFixedRead records the buffer of a read of an exact size from a
// tracked connection: io.ReadFull(c, buf) fills buf, r.Peek(n) returns n
// bytes. Such a buffer holds what every conforming peer sends first when
// the program compares it to a preface or magic (protocolCheck).
func (c *eventCollector) noteFixedRead(call *ssa.Call, name string) {
	cc := call.Common()
	if name == "io.ReadFull" && len(cc.Args) == 2 {
		if ref, ok := c.tr.Alias[cc.Args[0]]; ok && ref.Role != knowledge.RoleWriter && ref.Role != knowledge.RoleCell {
			c.fixedReads[cc.Args[1]] = ref.Conn
		}
		return
	}
	if recv, method, args, ok := knowledge.Receiver(cc); ok && method == "Peek" && len(args) == 1 {
		if ref, ok := c.tr.Alias[recv]; ok && (ref.Role == knowledge.RoleReader || ref.Role == knowledge.RoleRW) {
			if _, isConst := knowledge.ConstInt(args[0]); isConst {
				c.fixedReads[call] = ref.Conn
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
					c.outcomes.add(x, outcome{conn: k, test: mismatch, then: rejected})
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
			if n, ok := knowledge.ConstInt(zero); ok && n == 0 {
				if k, ok := c.bufferedOf(buffered); ok {
					c.outcomes.add(x, outcome{conn: k, test: early, then: rejected})
					return
				}
			}
		}
	case *ssa.Call:
		if knowledge.FuncName(x.Common().StaticCallee()) == "bytes.Equal" && len(x.Call.Args) == 2 {
			a, b := x.Call.Args[0], x.Call.Args[1]
			for _, sides := range [][2]ssa.Value{{a, b}, {b, a}} {
				if k, ok := c.readInFull(sides[0]); ok && isPreface(sides[1]) {
					c.outcomes.add(x, outcome{conn: k, test: testFalse, then: rejected})
					return
				}
			}
		}
	}
}

// readInFull reports whether v is (a slice or conversion of) a buffer a
// fixed-size read filled, and of which connection.
func (c *eventCollector) readInFull(v ssa.Value) (int, bool) {
	for range knowledge.MaxDepth {
		if k, ok := c.fixedReads[v]; ok {
			return k, true
		}
		w, ok := knowledge.Step(v)
		if !ok {
			break
		}
		v = w
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
	recv, method, _, ok := knowledge.Receiver(call.Common())
	if !ok || method != "Buffered" {
		return 0, false
	}
	ref, ok := c.tr.Alias[recv]
	if !ok || ref.Role != knowledge.RoleReader && ref.Role != knowledge.RoleRW {
		return 0, false
	}
	return ref.Conn, true
}

// isPreface reports whether v is what a protocol's preface or magic looks
// like in code: a constant string of at least 4 bytes (or its []byte
// conversion), or the value of a package variable.
func isPreface(v ssa.Value) bool {
	v = knowledge.Through(v)
	if s, ok := knowledge.ConstString(v); ok {
		return len(s) >= 4
	}
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		_, isGlobal := u.X.(*ssa.Global)
		return isGlobal
	}
	return false
}
