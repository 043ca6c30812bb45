// Package dataflow is the third stage of rstlint's analysis: for each
// function, what each instruction does to each connection (events.go),
// what the outcomes of calls say on the edges of an If (outcomes.go), the
// states each connection may be in at each point (solve.go, on the
// lattice), the copy goroutines (launches.go), and the summary the
// function's callers read (summarize.go). A function's analysis reads the
// summaries of its callees from a summary.Table that the driver filled
// before, bottom-up: nothing here analyzes another function.
package dataflow

import (
	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/ownership"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// Analysis is everything the stages computed for one function.
type Analysis struct {
	Fn      *ssa.Function
	CFG     *CFG
	Track   *ownership.Tracking
	Events  *Events
	Flow    *Flow
	Groups  []*CopyGroup
	Summary *summary.Func
}

// HasConns reports whether the function has connections: only then were
// the stages after tracking run.
func (a *Analysis) HasConns() bool { return a.Flow != nil }

// Analyze runs the stages on fn, which must have a body: tracking, events,
// the dataflow, copy goroutines, and the summary (summary.None for a
// function that holds no connection).
func Analyze(fn *ssa.Function, ctx *ownership.Context, user knowledge.UserFuncs) *Analysis {
	a := &Analysis{Fn: fn, Track: ownership.Track(fn, ctx)}
	if len(a.Track.Conns) == 0 {
		a.Summary = summary.None() // known to do nothing to connections
		return a
	}
	a.CFG = NewCFG(fn)
	a.Events = collectEvents(fn, a.Track, a.CFG, user, ctx.Table)
	a.Flow = solve(fn, a.Track, a.Events, a.CFG)
	a.Groups = copyGroups(fn, a.CFG, a.Events)
	a.Summary = summarize(fn, a.Track, a.Events, a.Flow, a.Groups)
	return a
}
