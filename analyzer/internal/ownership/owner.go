package ownership

import (
	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file decides who answers for a Close: the one place where the
// ownership of a connection is read. A Close is judged once, by the
// function that owns the connection there:
//
//   - a connection the function creates (an origin call) is its own;
//   - a parameter whose type only a socket has, that the function reads
//     or writes, is the function's own too (a handler), unless the
//     function is a literal called in place, whose caller owns it; on the
//     paths where it hands the connection on (a go statement, a send, a
//     store, an unknown call) the obligation ends there, and on no other
//     path (the verdict counts the paths where it still owns it);
//   - a Close inside a callee that uses or keeps the connection is the
//     callee's to answer for; a callee that only closes (or drains, or
//     half-closes) is a helper, and its Close is judged at the call; so
//     is one whose parameter may be something other than a socket (some
//     call passes stdio): the callers that pass a socket judge it;
//   - a captured connection's Closes are judged by the function that
//     starts or calls the literal, with its own states.

// CalleeAnswers reports whether a callee answers for its own Closes of a
// connection it is given: it reads, writes or keeps it, and judged them
// itself (its parameter is surely a socket). Where it could not, each
// caller that passes a socket judges them.
func CalleeAnswers(pe *summary.ParamEffect) bool { return pe.OwnsConn() && !pe.Unjudged }

// AnswersFor reports whether fn judges the Closes of its connection c,
// whose summary (for a root) is rs.
func AnswersFor(fn *ssa.Function, c *Conn, rs *summary.Root) bool {
	if c.Conflicted || c.FreeVar >= 0 {
		return false
	}
	if c.Param < 0 {
		return true
	}
	if c.Field != nil && isWrapperClose(fn) {
		return false
	}
	// A function that uses the conn, or hands it on (to goroutines, a
	// store), owns it; it judges its Closes on the paths where it has not
	// handed it on yet (ownership moves per path): the caller, told that
	// the callee owns it, judges none of them.
	return c.Definite && rs != nil && rs.Effect.OwnsConn() && !CalledInline(fn)
}

// isWrapperClose reports whether fn is the Close method of one of the
// program's conn types (a wrapper with Read, Write and Close): it closes
// the conn it holds when its user closes the wrapper, in the user's state
// of that conn, which its own body does not know. Its Closes (after a
// trailer it writes, say) are judged where the wrapper is closed.
func isWrapperClose(fn *ssa.Function) bool {
	recv := fn.Signature.Recv()
	return recv != nil && knowledge.IsClose(fn.Name()) && knowledge.IsConnStructType(recv.Type())
}

// LeavesToCaller reports whether a Close of c in fn, judged there or not,
// is one fn's caller answers for: c is a parameter fn does not own.
func LeavesToCaller(fn *ssa.Function, c *Conn, judged bool, rs *summary.Root) bool {
	return c.Param >= 0 && !(judged && AnswersFor(fn, c, rs))
}

// CalledInline reports whether fn is a function literal that is only
// called where it is written: its parameters are judged by its caller.
func CalledInline(fn *ssa.Function) bool {
	if fn.Parent() == nil {
		return false
	}
	if len(fn.FreeVars) == 0 {
		return knowledge.OnlyCalled(fn, false)
	}
	for _, b := range fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			if mc, ok := instr.(*ssa.MakeClosure); ok && mc.Fn == fn {
				return knowledge.OnlyCalled(mc, false)
			}
		}
	}
	return false
}
