package analyzer

import (
	"math/bits"
	"strings"
)

// This file is the lattice of the dataflow: the abstract states of a
// connection, their sets, the transfer functions, and the judgement of a
// Close from the states that may hold there.
//
// The abstract state of one connection at one program point has four
// parts: how far its input has been consumed (status), whether our side
// has half-closed (sent FIN with CloseWrite or shutdown(SHUT_WR)), whether
// SO_LINGER has been set to zero, and whether we have written to it (what
// an RST could destroy). The set of states that may hold at a point is a
// 32-bit mask, so the dataflow merges paths with a bitwise OR.
//
// In a function's own analysis a parameter or captured connection starts in
// statusUnread, not written, which then means "as the caller left it":
// summaries are relative, and compose applies them to the caller's
// absolute state.

// status is how far a connection's input has been consumed.
type status uint8

const (
	// statusUnread: peer input may still be queued in the kernel.
	statusUnread status = iota
	// statusDone: read to EOF, or a read or write failed (the conversation
	// is over and an abortive end is acceptable).
	statusDone
	// statusClosed: Close has run; later Closes are no-ops.
	statusClosed
	// statusEscaped: the connection left this function's ownership on this
	// path; nothing more is said about it.
	statusEscaped
)

// state is one abstract state, an index 0..31: the status in the high
// bits, then written, half-closed and linger-zero.
type state uint8

const (
	lingerBit    state = 1 << 0
	halfCloseBit state = 1 << 1
	writtenBit   state = 1 << 2
	flagBits           = lingerBit | halfCloseBit | writtenBit
	statusShift        = 3
)

func mkState(s status, halfClosed, lingerZero bool) state {
	st := state(s) << statusShift
	if halfClosed {
		st |= halfCloseBit
	}
	if lingerZero {
		st |= lingerBit
	}
	return st
}

func (s state) status() status   { return status(s >> statusShift) }
func (s state) halfClosed() bool { return s&halfCloseBit != 0 }
func (s state) lingerZero() bool { return s&lingerBit != 0 }
func (s state) written() bool    { return s&writtenBit != 0 }
func (s state) withStatus(st status) state {
	return state(st)<<statusShift | s&flagBits
}

// mask is a set of states.
type mask uint32

func (m mask) has(s state) bool { return m&(1<<s) != 0 }

// each calls f for every state in m.
func (m mask) each(f func(state)) {
	for m != 0 {
		s := state(bits.TrailingZeros32(uint32(m)))
		f(s)
		m &^= 1 << s
	}
}

// Frequently used masks.
var (
	maskUnread  = mask(1) << mkState(statusUnread, false, false)
	maskClosed  = mask(1) << mkState(statusClosed, false, false)
	maskEscaped = mask(1) << mkState(statusEscaped, false, false)
)

// statusMask is the set of all states whose status is st.
func statusMask(st status) mask { return mask(0xff) << (8 * uint(st)) }

// mapStates applies f to every state in m.
func (m mask) mapStates(f func(state) state) mask {
	var out mask
	m.each(func(s state) { out |= 1 << f(s) })
	return out
}

// Transfer functions. Closed and escaped states absorb every event except a
// new origin, which the flow resets explicitly.

func (m mask) live(f func(state) state) mask {
	return m.mapStates(func(s state) state {
		if st := s.status(); st == statusClosed || st == statusEscaped {
			return s
		}
		return f(s)
	})
}

func (m mask) drain() mask {
	return m.live(func(s state) state { return s.withStatus(statusDone) })
}

func (m mask) halfClose() mask {
	return m.live(func(s state) state { return s | halfCloseBit })
}

func (m mask) write() mask {
	return m.live(func(s state) state { return s | writtenBit })
}

// writtenOnly keeps the states in which something was written (and the
// closed and escaped ones).
func (m mask) writtenOnly() mask {
	var out mask
	m.each(func(s state) {
		if st := s.status(); st == statusClosed || st == statusEscaped || s.written() {
			out |= 1 << s
		}
	})
	return out
}

// lingerZero reports whether a live state of m has SO_LINGER at zero.
func (m mask) lingerZero() bool {
	zero := false
	m.each(func(s state) {
		if st := s.status(); (st == statusUnread || st == statusDone) && s.lingerZero() {
			zero = true
		}
	})
	return zero
}

func (m mask) setLinger(zero bool) mask {
	return m.live(func(s state) state {
		if zero {
			return s | lingerBit
		}
		return s &^ lingerBit
	})
}

func (m mask) close() mask {
	return m.live(func(state) state { return mkState(statusClosed, false, false) })
}

func (m mask) escape() mask {
	if m == 0 {
		return 0
	}
	return m.live(func(state) state { return mkState(statusEscaped, false, false) })
}

// pending marks a dialed connection as owing a reply: we wrote to it, so
// a read to EOF no longer covers what the peer will send.
func pending(m mask) mask {
	return m.live(func(s state) state {
		if s.status() == statusDone {
			return s.withStatus(statusUnread)
		}
		return s
	})
}

// compose applies a callee's relative result rel to the caller's states m.
// A relative statusUnread means "unchanged by the callee"; the flags the
// callee sets add to the caller's.
func compose(m, rel mask) mask {
	var out mask
	m.each(func(s state) {
		if st := s.status(); st == statusClosed || st == statusEscaped {
			out |= 1 << s
			return
		}
		rel.each(func(r state) {
			st := s.status()
			if r.status() != statusUnread {
				st = r.status()
			}
			if st == statusClosed || st == statusEscaped {
				out |= 1 << mkState(st, false, false)
				return
			}
			out |= 1 << (state(st)<<statusShift | (s|r)&flagBits)
		})
	})
	return out
}

// verdict is what a Close does given the states that may hold there, in
// increasing order of what it can cost.
type verdict int

const (
	verdictClean verdict = iota
	verdictReject
	verdictHalfCloseUndrained
	verdictUnread
	verdictLingerZero
	verdictProxyEarly   // set by the proxy rule, never by verdictOf
	verdictReaderActive // likewise: a Close while a reader goroutine may still read
	verdictProxyCut     // likewise: a copy goroutine closes a conn another one uses
	verdictEOFLost      // likewise: a copy direction ends without half-closing its destination
)

// verdictOf decides what to report for a Close reached in the states m.
// An escaped state anywhere silences the report: ownership is unclear.
func verdictOf(m mask) verdict {
	if m&statusMask(statusEscaped) != 0 {
		return verdictClean
	}
	v := verdictClean
	m.each(func(s state) {
		st := s.status()
		if st != statusUnread && st != statusDone {
			return
		}
		switch {
		case s.lingerZero():
			v = max(v, verdictLingerZero)
		case st == statusUnread && s.halfClosed():
			v = max(v, verdictHalfCloseUndrained)
		case st == statusUnread && s.written():
			v = max(v, verdictUnread)
		case st == statusUnread:
			v = max(v, verdictReject)
		}
	})
	return v
}

// String renders a mask for debugging and test failures.
func (m mask) String() string {
	var parts []string
	m.each(func(s state) {
		p := [...]string{"unread", "done", "closed", "escaped"}[s.status()]
		if s.written() {
			p += "+w"
		}
		if s.halfClosed() {
			p += "+hc"
		}
		if s.lingerZero() {
			p += "+l0"
		}
		parts = append(parts, p)
	})
	return "{" + strings.Join(parts, ",") + "}"
}
