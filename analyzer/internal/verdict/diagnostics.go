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
	best := make(map[token.Pos]Candidate)
	var order []token.Pos
	for _, c := range cands {
		old, seen := best[c.pos]
		if !seen {
			order = append(order, c.pos)
		}
		if !seen || old.conn.Param >= 0 && c.conn.Param < 0 || old.conn == c.conn && c.verdict > old.verdict {
			best[c.pos] = c
		}
	}
	// By file and offset, not by token.Pos: the order in which a driver
	// parsed the files (in parallel) must not change the output's.
	sort.Slice(order, func(i, j int) bool {
		pi, pj := pass.Fset.Position(order[i]), pass.Fset.Position(order[j])
		if pi.Filename != pj.Filename {
			return pi.Filename < pj.Filename
		}
		return pi.Offset < pj.Offset
	})
	var out []analysis.Diagnostic
	for _, pos := range order {
		c := best[pos]
		d := word(pass.Fset, c)
		if !opts.Reports(d.Category) || ignored.covers(pass.Fset.Position(pos)) {
			continue
		}
		d.SuggestedFixes = gracefulFix(pass, c.pos, c.verdict)
		out = append(out, d)
	}
	return out
}
