// Package lattice is the lattice of rstlint's dataflow: the abstract
// states of a connection, their sets, and the transfer functions on them.
// The verdict on a Close, from the states that may hold there, is the
// verdict package's.
//
// The abstract State of one connection at one program point has five
// parts: how far its input has been consumed (Status), whether our side
// has half-closed (sent FIN with CloseWrite or shutdown(SHUT_WR)), whether
// SO_LINGER has been set to zero, whether we have written to it (what an
// RST could destroy), and whether a read of it failed on the content of
// what the peer sent (a parser or a decrypting reader rejected it: the
// rest of the input is still queued; only the socket's own failure ends
// the conversation). The set of states that may hold at a point is a
// 64-bit Mask, so the dataflow merges paths with a bitwise OR.
//
// In a function's own analysis a parameter or captured connection starts in
// Unread, not written, which then means "as the caller left it":
// summaries are relative, and Compose applies them to the caller's
// absolute State.
package lattice

import (
	"math/bits"
	"strings"
)

// Status is how far a connection's input has been consumed.
type Status uint8

const (
	// Unread: peer input may still be queued in the kernel.
	Unread Status = iota
	// Done: read to EOF, or a read or write failed (the conversation
	// is over and an abortive end is acceptable).
	Done
	// Closed: Close has run; later Closes are no-ops.
	Closed
	// Escaped: the connection left this function's ownership on this
	// path; nothing more is said about it.
	Escaped
)

// State is one abstract State, an index 0..63: the Status in the high
// bits, then rejected, written, half-closed and linger-zero.
type State uint8

const (
	lingerBit    State = 1 << 0
	halfCloseBit State = 1 << 1
	writtenBit   State = 1 << 2
	rejectedBit  State = 1 << 3
	flagBits           = lingerBit | halfCloseBit | writtenBit | rejectedBit
	statusShift        = 4
)

// NewState makes a state of status s, not written.
func NewState(s Status, halfClosed, lingerZero bool) State {
	st := State(s) << statusShift
	if halfClosed {
		st |= halfCloseBit
	}
	if lingerZero {
		st |= lingerBit
	}
	return st
}

// Status is how far the state's input was consumed.
func (s State) Status() Status { return Status(s >> statusShift) }

// HalfClosed reports whether our side sent FIN.
func (s State) HalfClosed() bool { return s&halfCloseBit != 0 }

// LingerZero reports whether SO_LINGER is on with 0 seconds.
func (s State) LingerZero() bool { return s&lingerBit != 0 }

// Written reports whether we wrote to the connection.
func (s State) Written() bool { return s&writtenBit != 0 }

// Rejected reports whether a read failed on what the peer sent.
func (s State) Rejected() bool { return s&rejectedBit != 0 }

// WithStatus is s with status st, its flags kept.
func (s State) WithStatus(st Status) State {
	return State(st)<<statusShift | s&flagBits
}

// Mask is a set of states.
type Mask uint64

// Has reports whether s is in m.
func (m Mask) Has(s State) bool { return m&(1<<s) != 0 }

// each calls f for every State in m.
func (m Mask) Each(f func(State)) {
	for m != 0 {
		s := State(bits.TrailingZeros64(uint64(m)))
		f(s)
		m &^= 1 << s
	}
}

// Frequently used masks.
var (
	MaskUnread  = Mask(1) << NewState(Unread, false, false)
	MaskClosed  = Mask(1) << NewState(Closed, false, false)
	MaskEscaped = Mask(1) << NewState(Escaped, false, false)
)

// StatusMask is the set of all states whose Status is st.
func StatusMask(st Status) Mask { return Mask(0xffff) << (16 * uint(st)) }

// mapStates applies f to every State in m.
func (m Mask) mapStates(f func(State) State) Mask {
	var out Mask
	m.Each(func(s State) { out |= 1 << f(s) })
	return out
}

// Transfer functions. Closed and escaped states absorb every event except a
// new origin, which the flow resets explicitly.

func (m Mask) live(f func(State) State) Mask {
	return m.mapStates(func(s State) State {
		if st := s.Status(); st == Closed || st == Escaped {
			return s
		}
		return f(s)
	})
}

// Drain moves the live states to Done: read to EOF, or the conversation is over.
func (m Mask) Drain() Mask {
	return m.live(func(s State) State { return s.WithStatus(Done) &^ rejectedBit })
}

// HalfClose marks the live states half-closed.
func (m Mask) HalfClose() Mask {
	return m.live(func(s State) State { return s | halfCloseBit })
}

// Reject marks the live states that are still unread as rejected: a read
// failed on what the peer sent, and the rest of its input is queued.
func (m Mask) Reject() Mask {
	return m.live(func(s State) State {
		if s.Status() == Unread {
			return s | rejectedBit
		}
		return s
	})
}

// MaybeNotHalfClosed adds to m each of its half-closed states without the
// half-close: for a conn not known to be a socket, given to code that
// half-closes only where an assertion to one holds.
func (m Mask) MaybeNotHalfClosed() Mask {
	return m | m.mapStates(func(s State) State { return s &^ halfCloseBit })
}

// Write marks the live states written.
func (m Mask) Write() Mask {
	return m.live(func(s State) State { return s | writtenBit })
}

// writtenOnly keeps the states in which something was written (and the
// closed and escaped ones).
func (m Mask) WrittenOnly() Mask {
	var out Mask
	m.Each(func(s State) {
		if st := s.Status(); st == Closed || st == Escaped || s.Written() {
			out |= 1 << s
		}
	})
	return out
}

// lingerZero reports whether a live State of m has SO_LINGER at zero.
func (m Mask) LingerZero() bool {
	zero := false
	m.Each(func(s State) {
		if st := s.Status(); (st == Unread || st == Done) && s.LingerZero() {
			zero = true
		}
	})
	return zero
}

// SetLinger sets or clears SO_LINGER 0 on the live states.
func (m Mask) SetLinger(zero bool) Mask {
	return m.live(func(s State) State {
		if zero {
			return s | lingerBit
		}
		return s &^ lingerBit
	})
}

// Close moves the live states to Closed.
func (m Mask) Close() Mask {
	return m.live(func(State) State { return NewState(Closed, false, false) })
}

// Escape moves the live states to Escaped: the connection leaves this
// function's ownership.
func (m Mask) Escape() Mask {
	if m == 0 {
		return 0
	}
	return m.live(func(State) State { return NewState(Escaped, false, false) })
}

// pending marks a dialed connection as owing a reply: we wrote to it, so
// a read to EOF no longer covers what the peer will send.
func Pending(m Mask) Mask {
	return m.live(func(s State) State {
		if s.Status() == Done {
			return s.WithStatus(Unread)
		}
		return s
	})
}

// compose applies a callee's relative result rel to the caller's states m.
// A relative Unread means "unchanged by the callee"; the flags the
// callee sets add to the caller's.
func Compose(m, rel Mask) Mask {
	var out Mask
	m.Each(func(s State) {
		if st := s.Status(); st == Closed || st == Escaped {
			out |= 1 << s
			return
		}
		rel.Each(func(r State) {
			st := s.Status()
			if r.Status() != Unread {
				st = r.Status()
			}
			if st == Closed || st == Escaped {
				out |= 1 << NewState(st, false, false)
				return
			}
			out |= 1 << (State(st)<<statusShift | (s|r)&flagBits)
		})
	})
	return out
}

// String renders a Mask for debugging and test failures.
func (m Mask) String() string {
	var parts []string
	m.Each(func(s State) {
		p := [...]string{"unread", "done", "closed", "escaped"}[s.Status()]
		if s.Written() {
			p += "+w"
		}
		if s.HalfClosed() {
			p += "+hc"
		}
		if s.LingerZero() {
			p += "+l0"
		}
		if s.Rejected() {
			p += "+rj"
		}
		parts = append(parts, p)
	})
	return "{" + strings.Join(parts, ",") + "}"
}

// Words renders a mask in words a test's regular expression can name
// without escapes: "unread:w,done", "none" for the empty set.
func (m Mask) Words() string {
	if m == 0 {
		return "none"
	}
	var parts []string
	m.Each(func(s State) {
		p := [...]string{"unread", "done", "closed", "escaped"}[s.Status()]
		if s.Written() {
			p += ":w"
		}
		if s.HalfClosed() {
			p += ":hc"
		}
		if s.LingerZero() {
			p += ":l0"
		}
		if s.Rejected() {
			p += ":rj"
		}
		parts = append(parts, p)
	})
	return strings.Join(parts, ",")
}
