package analyzer

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// ParamEffect summarizes what a function does to one of its connection
// parameters, relative to the state the caller hands it: in the masks, an
// "unread" state means "as the caller left it". Callers apply it with
// compose, so helpers that close, drain or half-close a connection are
// understood where they are called, in this package or (as a fact) in
// another one.
type ParamEffect struct {
	Index    int    // the parameter's index in the SSA signature (receiver first)
	AtClose  uint16 // states in which the function closes it (0: never)
	AtReturn uint16 // states in which it is still open at a normal return
	Uses     bool   // it reads or writes data: the function owns the connection
	Reads    bool   // it reads some input
	Writes   bool   // it writes data
	Drains   bool   // it reads the connection to EOF (io.Copy from it...)
	Escapes  bool   // it keeps the connection or hands it on
	ErrDone  bool   // a non-nil error result means a read or write failed
	// ErrRead: some non-nil error results come from a failed read (EOF):
	// a loop that stops only when such a call fails reads to EOF.
	ErrRead bool
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

// String renders the effect compactly, as facts appear in tests.
func (p ParamEffect) String() string {
	s := fmt.Sprintf("%d:", p.Index)
	if p.AtClose != 0 {
		s += " close" + mask(p.AtClose).String()
	}
	s += " return" + mask(p.AtReturn).String()
	for _, flag := range []struct {
		on   bool
		name string
	}{{p.Uses, "uses"}, {p.Reads, "reads"}, {p.Writes, "writes"}, {p.Drains, "drains"}, {p.Escapes, "escapes"}, {p.ErrDone, "errdone"}, {p.ErrRead, "errread"}} {
		if flag.on {
			s += " " + flag.name
		}
	}
	return s
}

// hasConnFacts is a package fact: the package exports ConnFacts, so
// packages importing it are worth analyzing even without socket imports.
type hasConnFacts struct{}

// AFact marks hasConnFacts as an analysis fact.
func (*hasConnFacts) AFact()         {}
func (*hasConnFacts) String() string { return "hasConnFacts" }

// summary is what callers need to know about a callee.
type summary struct {
	params []ParamEffect
}

func (s *summary) param(i int) *ParamEffect {
	for j := range s.params {
		if s.params[j].Index == i {
			return &s.params[j]
		}
	}
	return nil
}

// closeSite is one Close inside a function literal, with the states
// (relative to the closure's entry) in which it runs.
type closeSite struct {
	pos      token.Pos
	rel      mask
	lastIO   token.Pos
	lingerAt token.Pos
	via      string
}

// launchSite is a go statement inside a function literal that hands on one
// of the literal's captured connections.
type launchSite struct {
	callee *ssa.Function
	index  int
	param  bool
	rel    mask
}

// rootResult is the analysis of one parameter or captured connection.
type rootResult struct {
	effect   ParamEffect
	sites    []closeSite
	launches []launchSite
}

// funcResult is the analysis of one function, kept per package run.
type funcResult struct {
	params   map[int]*rootResult
	freeVars map[int]*rootResult
	sum      *summary
}

// summaryOf returns the summary of a callee: from its body when it is in
// this package, from a fact otherwise. nil means nothing is known.
func (p *pkgAnalysis) summaryOf(callee *ssa.Function) *summary {
	if orig := callee.Origin(); orig != nil {
		callee = orig
	}
	if len(callee.Blocks) > 0 {
		r := p.analyze(callee)
		if r == nil {
			return nil
		}
		return r.sum
	}
	obj, ok := callee.Object().(*types.Func)
	if !ok || obj.Pkg() == nil || obj.Pkg() == p.pass.Pkg {
		return nil
	}
	var fact ConnFact
	if !p.pass.ImportObjectFact(obj, &fact) {
		return nil
	}
	return &summary{params: fact.Params}
}

// resultOf returns the analysis of a function literal's root (a free
// variable, or with param set, a parameter).
func (p *pkgAnalysis) rootOf(fn *ssa.Function, index int, param bool) *rootResult {
	r := p.analyze(fn)
	if r == nil {
		return nil
	}
	if param {
		return r.params[index]
	}
	return r.freeVars[index]
}
