package verdict

import (
	"go/token"
	"sort"

	"golang.org/x/tools/go/analysis"

	"github.com/rstlint/rstlint/analyzer/internal/dataflow"
	"github.com/rstlint/rstlint/analyzer/internal/ownership"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
	"github.com/rstlint/rstlint/internal/trace"
)

// This file meets the runtime: with a trace of the Closes that reset
// while tests ran (rsttest.Watcher, RSTTEST_TRACE), each diagnostic whose
// Close reset is marked confirmed, and each reset that no diagnostic
// predicted is reported where it happened, as runtime-only.
//
// A trace entry names the Close's call stack, innermost first. The two
// views name a Close differently, so an entry is matched by function and
// call, not by line alone:
//
//   - a direct Close, or a Close in a goroutine literal: the innermost
//     frame is the Close's own line;
//   - a deferred Close runs at its function's exit: the frame names a
//     return statement, or the closing brace, of the function that holds
//     the defer statement rstlint reports;
//   - a Close inside a helper that closes its parameter for its caller is
//     reported by rstlint at the helper's call: the walk leaves such a
//     frame for the next one out, the call.
//
// The walk from the innermost frame outwards stops at the first frame that
// does not leave the Close to its caller: a diagnostic there is confirmed;
// without one the reset is runtime-only, reported there. Helpers in
// imported packages are known by their delegatedCloses fact.

// confirmation is one trace entry matched to one place.
type confirmation struct {
	entry trace.Entry
	frame trace.Frame // the frame matched
}

// delegatedPlaces are the package's Closes that leave the judgement to
// the caller: the conn is a parameter of a function that does not answer
// for it, and the function's callers are known (not a literal called
// through a variable, whose callers cannot see what it does).
func delegatedPlaces(ix *sourceIndex, analysed []*dataflow.Analysis) []closePlace {
	var out []closePlace
	for _, fa := range analysed {
		if fa.Fn.Parent() != nil && !ownership.CalledInline(fa.Fn) {
			continue
		}
		for _, o := range fa.Flow.Closes {
			c := fa.Track.Conns[o.Conn]
			if !ownership.LeavesToCaller(fa.Fn, c, o.Judged, fa.Summary.Params[c.Key()]) {
				continue
			}
			if p, ok := ix.place(o.Pos); ok {
				out = append(out, p)
			}
		}
	}
	return out
}

// exportDelegated exports the delegated places for the walks of importing
// packages.
func exportDelegated(ix *sourceIndex, places []closePlace) {
	var lines []string
	for _, p := range places {
		name := ix.names[p.file]
		for l := range p.exits {
			for _, k := range ix.keys(name) {
				lines = append(lines, lineKeyString(k, l))
			}
		}
		for _, k := range ix.keys(name) {
			lines = append(lines, lineKeyString(k, p.line))
		}
	}
	sort.Strings(lines)
	summary.ExportDelegated(ix.pass, lines)
}

// confirm matches the trace against the package's diagnostics: it marks
// those whose Close reset as confirmed and appends a runtime-only
// diagnostic for each place where a reset happened that none predicted.
func Confirm(pass *analysis.Pass, lt *Trace, analysed []*dataflow.Analysis, diags []analysis.Diagnostic, ignored Ignored) []analysis.Diagnostic {
	ix := newSourceIndex(pass)
	delegated := delegatedPlaces(ix, analysed)
	exportDelegated(ix, delegated)
	if len(lt.entries) == 0 {
		return diags
	}
	depDelegated := summary.ImportedDelegated(pass)
	places := make([]closePlace, len(diags))
	for i, d := range diags {
		places[i], _ = ix.place(d.Pos)
	}
	confirmed := make([][]confirmation, len(diags))
	var missed []confirmation
	for _, e := range lt.entries {
		i, at, ok := walk(ix, e, places, delegated, depDelegated)
		switch {
		case !ok:
		case i >= 0:
			confirmed[i] = append(confirmed[i], confirmation{e, at})
		default:
			missed = append(missed, confirmation{e, at})
		}
	}
	for i := range diags {
		if len(confirmed[i]) > 0 {
			markConfirmed(ix, &diags[i], confirmed[i])
		}
	}
	return append(diags, runtimeOnly(ix, missed, ignored)...)
}

// walk follows an entry's frames from the innermost outwards, through
// delegating frames, to the first that answers for the Close. It returns
// the diagnostic there (or -1 for none) and the frame, or !ok when that
// frame is not this package's (another package answers, or none
// analysed).
func walk(ix *sourceIndex, e trace.Entry, diags, delegated []closePlace, depDelegated map[string]bool) (int, trace.Frame, bool) {
	for k, f := range e.Frames {
		file := ix.files[frameFile(f)]
		if file == nil {
			if depDelegated[lineKeyString(frameFile(f), f.Line)] {
				continue
			}
			return -1, f, false
		}
		for i, p := range diags {
			if p.file == file && p.at(f.Line) {
				return i, f, true
			}
		}
		passes := false
		for _, p := range delegated {
			if p.file == file && p.at(f.Line) {
				passes = true
			}
		}
		if !passes || k == len(e.Frames)-1 {
			return -1, f, true
		}
	}
	return -1, trace.Frame{}, false
}

// confirmationOf says what the confirmations of one place say: the first
// test by name, what the kernel found in it, and how many resets and
// tests there were; and that test's confirmation.
func confirmationOf(cs []confirmation) (Confirmation, confirmation) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].entry.Test < cs[j].entry.Test })
	tests := make(map[string]bool)
	for _, c := range cs {
		tests[c.entry.Test] = true
	}
	first := cs[0]
	return Confirmation{Test: first.entry.Test, Unread: first.entry.Unread, LingerZero: first.entry.LingerZero,
		Resets: len(cs), Tests: len(tests)}, first
}

// markConfirmed adds the confirmation to a diagnostic, as its last
// related position: where the trace saw the Close.
func markConfirmed(ix *sourceIndex, d *analysis.Diagnostic, cs []confirmation) {
	conf, first := confirmationOf(cs)
	pos := ix.linePos(first.frame)
	if !pos.IsValid() {
		pos = d.Pos
	}
	d.Related = append(d.Related, analysis.RelatedInformation{Pos: pos, Message: conf.Message()})
}

// runtimeOnly reports the resets no diagnostic predicted, one per place,
// with where the conn came from, when the trace says, and the
// confirmation as related positions.
func runtimeOnly(ix *sourceIndex, missed []confirmation, ignored Ignored) []analysis.Diagnostic {
	byPos := make(map[token.Pos][]confirmation)
	var order []token.Pos
	for _, m := range missed {
		pos := ix.linePos(m.frame)
		if !pos.IsValid() {
			continue
		}
		if _, ok := byPos[pos]; !ok {
			order = append(order, pos)
		}
		byPos[pos] = append(byPos[pos], m)
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	var out []analysis.Diagnostic
	for _, pos := range order {
		if ignored.covers(ix.pass.Fset.Position(pos)) {
			continue
		}
		conf, first := confirmationOf(byPos[pos])
		e := first.entry
		inner := ""
		if f := e.Frames[0]; f != first.frame {
			inner = f.Func
		}
		d := analysis.Diagnostic{
			Pos:      pos,
			Category: CategoryRuntimeOnly,
			URL:      RuleURL(CategoryRuntimeOnly),
			Message:  runtimeOnlyMessage(inner, e.Test, e.Unread, e.LingerZero),
		}
		if e.Origin != nil {
			if from := ix.linePos(*e.Origin); from.IsValid() {
				d.Related = append(d.Related, analysis.RelatedInformation{Pos: from, Message: relatedMessage("conn from", "")})
			}
		}
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: pos, Message: conf.Message()})
		out = append(out, d)
	}
	return out
}
