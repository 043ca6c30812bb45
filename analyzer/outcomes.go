package analyzer

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
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
)

// consequence is what an outcome means for the connection's states.
type consequence uint8

const (
	// over: a read, write or half-close failed, or the input was read to
	// its end: the conversation is over, a Close resets nothing of value.
	over consequence = iota
	// neverMade: the connection was never created (Dial failed).
	neverMade
	// brokenPeer: only a peer that broke the protocol gets here (a fixed
	// preface or magic read in full did not match): no conforming peer
	// takes the path, so it is not judged.
	brokenPeer
	// earlyInput: the peer sent input before we answered (Buffered() > 0
	// on the conn's reader), which the program treats as a protocol
	// violation: the path is not judged while nothing was written.
	earlyInput
	// notStream: the value failed an assertion that every TCP and unix
	// conn passes (w.(interface{ CloseWrite() error })), or one to the
	// socket type itself (w.(*net.TCPConn)): on that path it is not a
	// socket the program handles as one, and there is nothing to judge.
	notStream
)

// outcome: when a value passes its test, consequence holds for the
// connection.
type outcome struct {
	conn int
	test valueTest
	then consequence
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
		if ext, ok := r.(*ssa.Extract); ok && ext.Index != 0 && isErrorType(ext.Type()) {
			o.add(ext, outcome{conn: conn, test: testNonNil, then: neverMade})
		}
	}
}

// addFailure records that a failed result of call (a non-nil error, a
// zero byte count) ends the conversation on conn, for a call whose effect
// on it is eff: a read, a write, or a half-close (shutdown fails only on a
// socket that is already broken or closed).
func (o outcomes) addFailure(call *ssa.Call, conn int, eff effect) {
	switch eff {
	case effRead, effDrain, effWrite, effHalfClose:
	default:
		return
	}
	t := call.Type()
	tuple, isTuple := t.(*types.Tuple)
	if !isTuple {
		if isErrorType(t) {
			o.add(call, outcome{conn: conn, test: testNonNil})
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
			o.add(ext, outcome{conn: conn, test: testNonNil})
		case ext.Index == 0 && eff == effRead && isFDType(et):
			o.add(ext, outcome{conn: conn, test: testNonPositive})
		}
	}
}

// addStreamAssertion records that the ok result of a comma-ok assertion
// of conn to a stream-conn interface is false only for a value that is no
// stream conn. An assertion to *net.TCPConn or *net.UnixConn counts too:
// `if tc, ok := c.(*net.TCPConn); ok { tc.CloseWrite() }` is how Go
// programs half-close the sockets they make, and the conns that fail it
// (a pipe, a wrapper, a conn of a kind the program does not name) are not
// ones it treats as sockets; judging that edge would report the fix.
func (o outcomes) addStreamAssertion(ta *ssa.TypeAssert, conn int) {
	if !ta.CommaOk || !isStreamConnInterface(ta.AssertedType) && !isSocketConnType(ta.AssertedType) {
		return
	}
	for _, r := range *ta.Referrers() {
		if ext, ok := r.(*ssa.Extract); ok && ext.Index == 1 {
			o.add(ext, outcome{conn: conn, test: testFalse, then: notStream})
		}
	}
}

// streamConnMethods are the methods both *net.TCPConn and *net.UnixConn
// have, with CloseWrite the one that marks an interface as theirs.
var streamConnMethods = map[string]bool{
	"CloseWrite": true, "CloseRead": true, "Read": true, "Write": true, "Close": true,
	"LocalAddr": true, "RemoteAddr": true, "SetDeadline": true, "SetReadDeadline": true,
	"SetWriteDeadline": true, "SetReadBuffer": true, "SetWriteBuffer": true,
}

// isSocketConnType reports whether t is *net.TCPConn or *net.UnixConn.
func isSocketConnType(t types.Type) bool {
	return isNamedType(t, true, "net", "TCPConn") || isNamedType(t, true, "net", "UnixConn")
}

// isStreamConnInterface reports whether every TCP and unix conn
// implements t: an interface with CloseWrite and only methods they share.
func isStreamConnInterface(t types.Type) bool {
	iface, ok := t.Underlying().(*types.Interface)
	if !ok || iface.NumMethods() == 0 {
		return false
	}
	closeWrite := false
	for m := range iface.Methods() {
		if !streamConnMethods[m.Name()] {
			return false
		}
		if m.Name() == "CloseWrite" {
			sig := m.Signature()
			if sig.Params().Len() != 0 || sig.Results().Len() != 1 || !isErrorType(sig.Results().At(0).Type()) {
				return false
			}
			closeWrite = true
		}
	}
	return closeWrite
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
		if funcName(c.Common().StaticCallee()) == "errors.Is" && branch && len(c.Call.Args) == 2 {
			derived = o.of(c.Call.Args[0], testNonNil, 0)
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
		if isNilConst(y) {
			if (op == token.NEQ) == branch {
				return o.of(x, testNonNil, 0)
			}
			return nil
		}
		if isErrorType(x.Type()) && (op == token.EQL) == branch {
			// err == io.EOF: err is not nil on the equal edge.
			if knownNonNil(y) {
				return o.of(x, testNonNil, 0)
			}
			if knownNonNil(x) {
				return o.of(y, testNonNil, 0)
			}
		}
	}
	if k, ok := constInt(y); ok && impliesNonPositive(op, k, branch) {
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
		return funcName(v.Common().StaticCallee()) == "errors.New"
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
	if len(out) > 0 || depth > 4 {
		return out
	}
	phi, ok := v.(*ssa.Phi)
	if !ok {
		return nil
	}
	var common []outcome
	for _, e := range phi.Edges {
		if isNilConst(e) && test == testNonNil || isTrueConst(e) && test == testFalse || isFalseConst(e) && test == testTrue {
			continue
		}
		ocs := o.of(e, test, depth+1)
		if len(ocs) == 0 {
			return nil
		}
		if common == nil {
			common = ocs
		} else if !sameOutcomes(common, ocs) {
			return nil
		}
	}
	return common
}

func sameOutcomes(a, b []outcome) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
