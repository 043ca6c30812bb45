package verdict

import (
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

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

// CheckTrace reads the trace at path and returns why it cannot be used:
// missing, empty, truncated or not rsttest's. Drivers call it before
// analysing (rstlint -trace, the golangci-lint plugin) to report a bad
// trace; the analyzer itself reports without a trace it cannot read.
func CheckTrace(path string) error {
	return LoadTrace(path).err
}

// Trace is a trace read once per process, however many packages
// are analysed.
type Trace struct {
	entries []trace.Entry // those that name frames of the program
	err     error
}

var traceCache struct {
	sync.Mutex
	m map[traceKey]*Trace
}

// traceKey identifies a trace file's content well enough to re-read it
// when a long-lived driver (gopls) sees it rewritten.
type traceKey struct {
	path string
	size int64
	mod  int64
}

func LoadTrace(p string) *Trace {
	key := traceKey{path: p}
	if fi, err := os.Stat(p); err == nil {
		key.size, key.mod = fi.Size(), fi.ModTime().UnixNano()
	}
	traceCache.Lock()
	defer traceCache.Unlock()
	if lt, ok := traceCache.m[key]; ok {
		return lt
	}
	lt := new(Trace)
	entries, err := trace.Read(p)
	if err != nil {
		lt.err = err
	} else {
		for _, e := range entries {
			if len(e.Frames) > 0 {
				lt.entries = append(lt.entries, e)
			}
		}
	}
	if traceCache.m == nil {
		traceCache.m = make(map[traceKey]*Trace)
	}
	traceCache.m[key] = lt
	return lt
}

// confirmation is one trace entry matched to one place.
type confirmation struct {
	entry trace.Entry
	frame trace.Frame // the frame matched
}

// sourceIndex is what matching needs of the package's files.
type sourceIndex struct {
	pass  *analysis.Pass
	files map[string]*ast.File // by the name the build used, and by importdir/base
	names map[*ast.File]string // the build's name of each file
	dir   string               // the package's import path without _test: its files' trimpath directory
}

func newSourceIndex(pass *analysis.Pass) *sourceIndex {
	ix := &sourceIndex{pass: pass, files: make(map[string]*ast.File), names: make(map[*ast.File]string),
		dir: strings.TrimSuffix(pass.Pkg.Path(), "_test")}
	for _, f := range pass.Files {
		name := pass.Fset.File(f.Pos()).Name()
		ix.names[f] = name
		for _, k := range ix.keys(name) {
			ix.files[k] = f
		}
	}
	return ix
}

// keys are the names a frame may give the file: the build's, and the one
// a -trimpath binary records (importpath/file.go).
func (ix *sourceIndex) keys(file string) []string {
	return []string{filepath.ToSlash(file), ix.dir + "/" + filepath.Base(file)}
}

// frameFile is a frame's file as the keys spell it: a -trimpath frame of
// a module dependency names its version (example.com/m@v1.2.0/x.go).
func frameFile(f trace.Frame) string {
	file := filepath.ToSlash(f.File)
	if strings.HasPrefix(file, "/") || filepath.IsAbs(f.File) {
		return file
	}
	if at := strings.Index(file, "@"); at >= 0 {
		if slash := strings.Index(file[at:], "/"); slash >= 0 {
			file = file[:at] + file[at+slash:]
		}
	}
	return file
}

func lineKeyString(file string, line int) string { return fmt.Sprintf("%s:%d", file, line) }

// funcAt is the innermost function (declaration or literal) whose body
// holds pos.
func funcAt(file *ast.File, pos token.Pos) (body *ast.BlockStmt) {
	ast.Inspect(file, func(n ast.Node) bool {
		if n == nil || pos < n.Pos() || pos >= n.End() {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Body != nil {
				body = n.Body
			}
		case *ast.FuncLit:
			body = n.Body
		}
		return true
	})
	return body
}

// exitLines are the lines at which a deferred call of the function with
// this body runs, as a stack names them: its return statements and its
// closing brace.
func exitLines(fset *token.FileSet, body *ast.BlockStmt) map[int]bool {
	lines := map[int]bool{fset.Position(body.Rbrace).Line: true}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its returns are its own
		case *ast.ReturnStmt:
			lines[fset.Position(n.Pos()).Line] = true
		}
		return true
	})
	return lines
}

// deferAt reports whether a defer statement starts at pos: rstlint reports
// a deferred Close at its defer statement.
func deferAt(file *ast.File, pos token.Pos) bool {
	found := false
	ast.Inspect(file, func(n ast.Node) bool {
		if found || n == nil || pos < n.Pos() || pos >= n.End() {
			return false
		}
		if d, ok := n.(*ast.DeferStmt); ok && d.Pos() == pos {
			found = true
		}
		return true
	})
	return found
}

// closePlace is a place of the package where rstlint judges or passes on
// a Close: a diagnostic, or a delegated Close.
type closePlace struct {
	file  *ast.File
	line  int
	exits map[int]bool // for a deferred Close: the lines at which it runs
}

// at reports whether the frame (in the place's file) names this place.
func (p closePlace) at(line int) bool { return line == p.line || p.exits[line] }

func (ix *sourceIndex) place(pos token.Pos) (closePlace, bool) {
	tf := ix.pass.Fset.File(pos)
	if tf == nil {
		return closePlace{}, false
	}
	var file *ast.File
	for _, f := range ix.pass.Files {
		if f.Pos() <= pos && pos < f.End() {
			file = f
		}
	}
	if file == nil {
		return closePlace{}, false
	}
	p := closePlace{file: file, line: tf.Line(pos)}
	if deferAt(file, pos) {
		if body := funcAt(file, pos); body != nil {
			p.exits = exitLines(ix.pass.Fset, body)
		}
	}
	return p, true
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

// why says what the kernel found at the Close: "18 bytes unread".
func why(e trace.Entry) string {
	switch {
	case e.LingerZero && e.Unread > 0:
		return fmt.Sprintf("%d bytes unread, SO_LINGER 0", e.Unread)
	case e.LingerZero:
		return "SO_LINGER 0"
	}
	return fmt.Sprintf("%d bytes unread", e.Unread)
}

// seenIn names the tests of the confirmations, first by name.
func seenIn(cs []confirmation) (first confirmation, more string) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].entry.Test < cs[j].entry.Test })
	tests := make(map[string]bool)
	for _, c := range cs {
		tests[c.entry.Test] = true
	}
	switch n := len(cs) - 1; {
	case n == 0:
	case len(tests) == 1:
		more = fmt.Sprintf(", %d times", len(cs))
	default:
		more = fmt.Sprintf(" and %d more tests", len(tests)-1)
	}
	return cs[0], more
}

// ConfirmedPrefix starts what a confirmed diagnostic adds to its message
// and its related information: "confirmed: reset seen in TestX (18 bytes
// unread)".
const ConfirmedPrefix = "confirmed: reset seen in "

func markConfirmed(ix *sourceIndex, d *analysis.Diagnostic, cs []confirmation) {
	c, more := seenIn(cs)
	note := fmt.Sprintf("%s%s (%s)%s", ConfirmedPrefix, c.entry.Test, why(c.entry), more)
	d.Message += "; " + note
	if pos := ix.linePos(c.frame); pos.IsValid() {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: pos, Message: note})
	}
}

// runtimeOnly reports the resets no diagnostic predicted, one per place.
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
		c, more := seenIn(byPos[pos])
		e := c.entry
		what := "a Close here"
		if inner := e.Frames[0]; inner != c.frame {
			what = "a Close in " + shortFunc(inner.Func) + ", called here,"
		}
		from := ""
		if e.Origin != nil {
			from = fmt.Sprintf(" (conn from %s:%d)", path.Base(filepath.ToSlash(e.Origin.File)), e.Origin.Line)
		}
		out = append(out, analysis.Diagnostic{
			Pos:      pos,
			Category: CategoryRuntimeOnly,
			URL:      RuleURL(CategoryRuntimeOnly),
			Message: fmt.Sprintf("%s reset its conn%s in %s (%s)%s, on a path rstlint did not predict: read the input to EOF before closing, or say why with //rstlint:ignore",
				what, from, e.Test, why(e), more),
		})
	}
	return out
}

// shortFunc drops the package path of a runtime function name:
// "example.com/srv.(*server).handle" is "srv.(*server).handle".
func shortFunc(name string) string {
	if i := strings.LastIndex(name, "/"); i >= 0 {
		return name[i+1:]
	}
	return name
}

// linePos is the position to report a frame at: the first call on its
// line, else the first node there.
func (ix *sourceIndex) linePos(f trace.Frame) token.Pos {
	file := ix.files[frameFile(f)]
	if file == nil {
		return token.NoPos
	}
	tf := ix.pass.Fset.File(file.Pos())
	if f.Line < 1 || f.Line > tf.LineCount() {
		return token.NoPos
	}
	var call, first token.Pos
	ast.Inspect(file, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		start, end := tf.Line(n.Pos()), tf.Line(n.End())
		if f.Line < start || f.Line > end {
			return false
		}
		if start == f.Line {
			if !first.IsValid() || n.Pos() < first {
				first = n.Pos()
			}
			if _, ok := n.(*ast.CallExpr); ok && (!call.IsValid() || n.Pos() < call) {
				call = n.Pos()
			}
		}
		return true
	})
	if call.IsValid() {
		return call
	}
	if first.IsValid() {
		return first
	}
	return tf.LineStart(f.Line)
}
