package analyzer

import (
	"fmt"
	"go/token"
	"strings"
)

// This file is the vocabulary of summaries: what a function does to a
// connection it is given. ParamEffect travels to other packages as an
// analysis fact (ConnFact); a function literal's summary (rootSummary)
// also keeps its Close sites and go statements, for the function that
// calls or starts it. summary.go builds, exports and looks them up.

// ParamEffect summarizes what a function does to one of its connection
// parameters, relative to the state the caller hands it: in the masks, an
// "unread" state means "as the caller left it". Callers apply it with
// compose, so helpers that close, drain or half-close a connection are
// understood where they are called, in this package or (as a fact) in
// another one.
type ParamEffect struct {
	Index int // the parameter's index in the SSA signature (receiver first)
	// Field, when set, names an owning field of the struct the parameter
	// points to: the effect is on the conn in that field (s.conn).
	Field    string
	AtClose  uint32 // states in which the function closes it (0: never)
	AtReturn uint32 // states in which it is still open at a normal return
	Uses     bool   // it reads or writes data: the function owns the connection
	Reads    bool   // it reads some input
	Writes   bool   // it writes data
	Drains   bool   // it reads the connection to EOF (io.Copy from it...)
	Escapes  bool   // it keeps the connection or hands it on
	ErrDone  bool   // a non-nil error result means a read or write failed
	// ErrRead: some non-nil error results come from a failed read (EOF):
	// a loop that stops only when such a call fails reads to EOF.
	ErrRead bool
	// SetsLinger: the function sets SO_LINGER on the conn to the value of
	// its parameter LingerParam (tryLinger(c, secs)): a constant 0 at the
	// call is SetLinger(0).
	SetsLinger  bool
	LingerParam int
	// LeftReading: the function returns while a copy goroutine it started
	// may still read the conn (a pipe helper that returns after its first
	// direction): a Close by the caller then cuts that copy short.
	LeftReading bool
}

// String renders the effect compactly, as facts appear in tests.
func (p ParamEffect) String() string {
	s := fmt.Sprintf("%d:", p.Index)
	if p.Field != "" {
		s = fmt.Sprintf("%d.%s:", p.Index, p.Field)
	}
	if p.AtClose != 0 {
		s += " close" + mask(p.AtClose).String()
	}
	s += " return" + mask(p.AtReturn).String()
	for _, flag := range []struct {
		on   bool
		name string
	}{{p.Uses, "uses"}, {p.Reads, "reads"}, {p.Writes, "writes"}, {p.Drains, "drains"}, {p.Escapes, "escapes"}, {p.ErrDone, "errdone"}, {p.ErrRead, "errread"},
		{p.SetsLinger, fmt.Sprintf("linger=%d", p.LingerParam)}, {p.LeftReading, "leftreading"}} {
		if flag.on {
			s += " " + flag.name
		}
	}
	return s
}

// ConnFact is the fact exported for a function or method with at least one
// connection parameter it does something to.
type ConnFact struct {
	Params []ParamEffect
}

// AFact marks ConnFact as an analysis fact.
func (*ConnFact) AFact() {}

func (f *ConnFact) String() string {
	var parts []string
	for _, p := range f.Params {
		parts = append(parts, p.String())
	}
	return "conn(" + strings.Join(parts, "; ") + ")"
}

// WrapperFact is the fact exported for a function that wraps one of its
// connection parameters in a value of its package's own conn type (whose
// Read, Write and Close go to that conn): its first result is the same
// conn.
type WrapperFact struct {
	Param int // the wrapped parameter's index in the SSA signature
}

// AFact marks WrapperFact as an analysis fact.
func (*WrapperFact) AFact() {}

func (f *WrapperFact) String() string { return fmt.Sprintf("wraps(%d)", f.Param) }

// OriginFact is the fact exported for a function whose first result is
// always a conn from one origin, which it hands to its caller and keeps
// nowhere (a listener wrapper's Accept, a dial helper): its callers own a
// conn of that origin.
type OriginFact struct {
	Verb   string // "accepted", "dialed", "hijacked"
	Kind   int    // the origin's kind (stream, TLS)
	Client bool   // we speak first: the peer only answers what we send
}

// AFact marks OriginFact as an analysis fact.
func (*OriginFact) AFact() {}

func (f *OriginFact) String() string { return "origin(" + f.Verb + ")" }

// hasConnFacts is a package fact: the package exports ConnFacts, so
// packages importing it are worth analyzing even without socket imports.
type hasConnFacts struct{}

// AFact marks hasConnFacts as an analysis fact.
func (*hasConnFacts) AFact()         {}
func (*hasConnFacts) String() string { return "hasConnFacts" }

// paramEffects is what callers need to know about a callee: one effect per
// connection parameter it does something to.
type paramEffects []ParamEffect

// param returns the effect on parameter i (or on its owning field named
// field), or nil when nothing is known (the parameter escapes, or is no
// connection; the field is not touched).
func (ps paramEffects) param(i int, field string) *ParamEffect {
	for j := range ps {
		if ps[j].Index == i && ps[j].Field == field {
			return &ps[j]
		}
	}
	return nil
}

// ioSite is a read or write of a connection, for messages: the last
// partial read (servers) or the last read or write (clients) before a
// Close.
type ioSite struct {
	pos   token.Pos
	what  string // the function or method, e.g. "(*bufio.Reader).ReadString"
	write bool   // a write, not a read
}

// later returns whichever of a and b comes later in the source; merging
// paths keeps the latest site, so that the result does not depend on the
// order paths are merged in.
func later(a, b ioSite) ioSite {
	if b.pos > a.pos {
		return b
	}
	return a
}

// rootSummary is what a function literal does to one of its captured
// connections (or parameters): its effect, and every Close and go
// statement, relative to the literal's entry, for the function that calls
// or starts it to judge with its own states.
type rootSummary struct {
	effect   ParamEffect
	sites    []closeSite
	launches []launchSite
	aborts   []token.Pos // deadlines set in the past, which abort other users' reads
}

// closeSite is one Close of the connection inside the function, with the
// states (relative to the function's entry) in which it runs.
type closeSite struct {
	pos      token.Pos
	rel      mask
	lastIO   ioSite
	lingerAt token.Pos
	via      string // the helper that closes, when not a direct Close
}

// launchSite is a go statement inside the function that hands the
// connection on to a function literal, and that literal's summary (nil
// when unknown).
type launchSite struct {
	root *rootSummary
	rel  mask
}
