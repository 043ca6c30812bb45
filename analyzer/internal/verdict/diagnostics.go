package verdict

import (
	"go/token"
	"sort"

	"golang.org/x/tools/go/analysis"
)

// This file turns candidates into diagnostics: one per position, the
// categories the options turn off left out, suppressed ones dropped, each
// worded by messages.go, with the rule's URL and the fix.

// diagnostics deduplicates the candidates (one diagnostic per position,
// preferring the one whose connection's origin is known), applies the
// options and //rstlint:ignore directives, and words what is left.
func Diagnostics(pass *analysis.Pass, opts *Config, cands []Candidate, ignored Ignored) []analysis.Diagnostic {
	// One diagnostic per position, and a reject beside it: a deferred
	// Close that rejects on one path (the backend dial failed, nothing
	// was read or written) and cuts a copy on another reports both
	// problems.
	//
	// So does a Close that destroys our reply on paths where no copy runs
	// and cuts a copy on others: the reply's unread-close is kept beside
	// the proxy's verdict, and dropped beside any other (it would say
	// again what that one says).
	//
	// A reject after a failed parse and one after our own failure at the
	// same Close are two problems, each kept.
	type site struct {
		pos      token.Pos
		reject   bool
		rejected bool
		beside   bool
	}
	best := make(map[site]Candidate)
	var order []site
	for _, c := range cands {
		key := site{c.pos, c.verdict == Reject, c.verdict == Reject && c.rejected, c.beside}
		old, seen := best[key]
		if !seen {
			order = append(order, key)
		}
		if !seen || old.conn.Param >= 0 && c.conn.Param < 0 || old.conn == c.conn && c.verdict > old.verdict {
			best[key] = c
		}
	}
	// By file and offset, not by token.Pos: the order in which a driver
	// parsed the files (in parallel) must not change the output's.
	sort.Slice(order, func(i, j int) bool {
		pi, pj := pass.Fset.Position(order[i].pos), pass.Fset.Position(order[j].pos)
		if pi.Filename != pj.Filename {
			return pi.Filename < pj.Filename
		}
		if pi.Offset != pj.Offset {
			return pi.Offset < pj.Offset
		}
		if order[i].reject != order[j].reject {
			return !order[i].reject
		}
		if order[i].rejected != order[j].rejected {
			return order[i].rejected
		}
		return !order[i].beside && order[j].beside
	})
	var out []analysis.Diagnostic
	for _, key := range order {
		c, pos := best[key], key.pos
		if key.beside {
			if main, ok := best[site{pos, false, false, false}]; !ok || !main.verdict.IsProxy() {
				continue
			}
		}
		d := word(pass.Fset, c)
		if !opts.Reports(d.Category) || ignored.covers(pass.Fset.Position(pos)) {
			continue
		}
		d.SuggestedFixes = gracefulFix(pass, c.pos, c.verdict)
		out = append(out, d)
	}
	return out
}
