package analyzer

import (
	"fmt"
	"go/ast"
	"go/token"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// This file turns observations into diagnostics: the judgement, the
// message that names the path and the fix, related positions, and
// //rstlint:ignore directives.

// candidate is a diagnostic before deduplication and suppression.
type candidate struct {
	pos      token.Pos
	verdict  verdict
	conn     *connInfo
	fnName   string // the function whose parameter conn is, if it is one
	lastIO   token.Pos
	lastWhat string
	lingerAt token.Pos
	via      string
	detail   string // the proxy rule's account of the goroutines
}

// report queues the diagnostics of a function: Closes of connections it
// creates, of parameters it owns, and in goroutines it starts.
func (f *funcFlow) report(res *funcResult) {
	for _, key := range f.obsOrder {
		if !f.reportsFor(key.conn, res) {
			continue
		}
		o := f.obs[key]
		f.candidate(key.pos, key.conn, o.m, o.lastIO, o.lingerAt, o.via)
	}
	// A connection handed to several goroutines has no single owner: one
	// may close while another still reads to EOF. Say nothing about it.
	launched := make(map[int]int)
	for _, key := range f.launchOrd {
		launched[key.conn]++
	}
	for _, key := range f.launchOrd {
		c := f.conns[key.conn]
		if c.conflicted || c.freeVar >= 0 || launched[key.conn] > 1 || c.param >= 0 && !c.definite {
			continue // a captured connection's goroutines are judged by the launcher
		}
		l := f.launches[key]
		f.reportLaunch(key.conn, l.ev.callee, l.ev.index, l.ev.param, l.m, l.lastIO, 0)
	}
	f.proxyReport()
}

// reportsFor decides whether this function judges the Closes of conn k:
// connections it creates, and parameters of functions that own them.
func (f *funcFlow) reportsFor(k int, res *funcResult) bool {
	c := f.conns[k]
	if c.conflicted || c.freeVar >= 0 {
		return false
	}
	if c.param < 0 {
		return true
	}
	rr := res.params[c.param]
	return c.definite && rr != nil && rr.effect.Uses && !rr.effect.Escapes && !f.calledInline()
}

// calledInline reports whether fn is a function literal that is only
// called where it is written: its parameters are judged by its caller.
func (f *funcFlow) calledInline() bool {
	if f.fn.Parent() == nil {
		return false
	}
	if len(f.fn.FreeVars) == 0 {
		return onlyCalled(f.fn, false)
	}
	for _, b := range f.fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			if mc, ok := instr.(*ssa.MakeClosure); ok && mc.Fn == f.fn {
				return onlyCalled(mc, false)
			}
		}
	}
	return false
}

// reportLaunch judges the Closes in a goroutine started with conn k in
// the states launch.
func (f *funcFlow) reportLaunch(k int, callee *ssa.Function, index int, param bool, m mask, lastIO token.Pos, depth int) {
	rr := f.pkg.rootOf(callee, index, param)
	if rr == nil || rr.effect.Escapes && len(rr.launches) == 0 || depth > 8 {
		return
	}
	for _, site := range rr.sites {
		io := lastIO
		if site.lastIO != token.NoPos {
			io = site.lastIO
		}
		f.candidate(site.pos, k, compose(m, site.rel), io, site.lingerAt, site.via)
	}
	for _, l := range rr.launches {
		f.reportLaunch(k, l.callee, l.index, l.param, compose(m, l.rel), lastIO, depth+1)
	}
}

func (f *funcFlow) candidate(pos token.Pos, k int, m mask, lastIO, lingerAt token.Pos, via string) {
	v := judge(m)
	if v == verdictClean || !pos.IsValid() {
		return
	}
	c := f.conns[k]
	what := f.pkg.readDesc[lastIO]
	f.pkg.cands = append(f.pkg.cands, candidate{
		pos: pos, verdict: v, conn: c, fnName: f.fn.Name(),
		lastIO: lastIO, lastWhat: what, lingerAt: lingerAt, via: via,
	})
}

// reportAll deduplicates the candidates (one diagnostic per position,
// preferring the one whose connection's origin is known), applies the
// flags and //rstlint:ignore directives, and reports.
func (p *pkgAnalysis) reportAll() {
	ignored := p.directives()
	best := make(map[token.Pos]candidate)
	var order []token.Pos
	for _, c := range p.cands {
		old, seen := best[c.pos]
		if !seen {
			order = append(order, c.pos)
		}
		if !seen || old.conn.param >= 0 && c.conn.param < 0 || old.conn == c.conn && c.verdict > old.verdict {
			best[c.pos] = c
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	for _, pos := range order {
		c := best[pos]
		switch {
		case c.verdict == verdictHalfCloseUndrained && !p.cfg.halfClose,
			c.verdict == verdictProxyEarly && !p.cfg.proxy,
			c.verdict == verdictLingerZero && !p.cfg.linger:
			continue
		}
		position := p.pass.Fset.Position(pos)
		if ignored[lineKey{position.Filename, position.Line}] || ignored[lineKey{position.Filename, position.Line - 1}] {
			continue
		}
		d := p.diagnostic(c)
		d.URL = RuleURL(d.Category)
		d.SuggestedFixes = p.gracefulFix(c.pos, c.verdict)
		p.pass.Report(d)
	}
}

// diagnostic writes the message: where the connection came from, which
// Close resets it and why, and what to do instead.
func (p *pkgAnalysis) diagnostic(c candidate) analysis.Diagnostic {
	subject := p.subject(c)
	via := ""
	if c.via != "" {
		via = " by " + c.via
	}
	d := analysis.Diagnostic{Pos: c.pos}
	related := func(pos token.Pos, msg string) {
		if pos.IsValid() {
			d.Related = append(d.Related, analysis.RelatedInformation{Pos: pos, Message: msg})
		}
	}
	related(c.conn.pos, "connection "+originWord(c.conn))
	fd := c.conn.kind == kindFD
	switch c.verdict {
	case verdictProxyEarly:
		d.Category = CategoryProxyEarlyClose
		d.Message = fmt.Sprintf("%s is closed%s when %s: the direction still reading it may leave its input unread, "+
			"and Linux sends RST; wait for every direction before Close (CloseWrite the destination after each copy)",
			subject, via, c.detail)
	case verdictLingerZero:
		d.Category = CategoryLingerZero
		d.Message = fmt.Sprintf("%s is closed%s after SO_LINGER was set to 0 (%s): Linux sends RST and discards unsent data; "+
			"if this is deliberate (to avoid TIME_WAIT), say so with //rstlint:ignore <reason>, otherwise do not set a zero linger",
			subject, via, p.at("set", c.lingerAt))
		related(c.lingerAt, "linger set to 0 here")
	case verdictHalfCloseUndrained:
		d.Category = CategoryHalfCloseUndrained
		d.Message = fmt.Sprintf("%s is closed%s after %s without reading to EOF (%s): input still queued makes Linux send RST "+
			"and drop unsent data; after the half-close, %s",
			subject, via, halfCloseWord(fd), p.lastIOPhrase(c), drainFix(fd))
		related(c.lastIO, "last partial read")
	default:
		d.Category = CategoryUnreadClose
		if c.conn.client {
			d.Message = fmt.Sprintf("%s is closed%s with the peer's reply possibly unread (%s, no read after it on this path): "+
				"Linux sends RST instead of FIN and the peer can lose data; read the reply, or %s, %s, then Close",
				subject, via, p.at("last written by "+c.lastWhat, c.lastIO), halfCloseWord(fd), drainFix(fd))
			related(c.lastIO, "last write")
		} else {
			d.Message = fmt.Sprintf("%s is closed%s with input possibly unread (%s; no read to EOF or %s on this path): "+
				"Linux sends RST instead of FIN and the peer can lose data; %s, %s, then Close",
				subject, via, p.lastIOPhrase(c), halfCloseWord(fd), halfCloseWord(fd), drainFix(fd))
			related(c.lastIO, "last partial read")
		}
	}
	return d
}

func (p *pkgAnalysis) subject(c candidate) string {
	noun := "conn"
	if c.conn.kind == kindFD {
		noun = "socket fd"
	}
	if c.conn.param >= 0 {
		return fmt.Sprintf("%s %s (parameter of %s)", noun, c.conn.name, c.fnName)
	}
	return fmt.Sprintf("%s %s", noun, p.at(originWord(c.conn), c.conn.pos))
}

func originWord(c *connInfo) string {
	if c.verb == "" {
		return "passed in as a parameter"
	}
	if c.from != "" {
		return c.verb + " by " + c.from
	}
	return c.verb
}

func (p *pkgAnalysis) lastIOPhrase(c candidate) string {
	if !c.lastIO.IsValid() {
		return "never read"
	}
	return p.at("read only in part, last by "+c.lastWhat, c.lastIO)
}

func halfCloseWord(fd bool) string {
	if fd {
		return "shutdown(SHUT_WR)"
	}
	return "CloseWrite"
}

func drainFix(fd bool) string {
	if fd {
		return "read until Read returns 0 with a receive timeout"
	}
	return "drain with a read deadline (io.Copy(io.Discard, io.LimitReader(c, n)))"
}

// at formats "what at file.go:12".
func (p *pkgAnalysis) at(what string, pos token.Pos) string {
	if !pos.IsValid() {
		return what
	}
	position := p.pass.Fset.Position(pos)
	return fmt.Sprintf("%s at %s:%d", what, filepath.Base(position.Filename), position.Line)
}

// RuleURL is the page that explains a diagnostic category.
func RuleURL(category string) string {
	return "https://github.com/rstlint/rstlint/blob/main/docs/rules/" + category + ".md"
}

type lineKey struct {
	file string
	line int
}

// directives finds the //rstlint:ignore comments, and reports those
// without a reason.
func (p *pkgAnalysis) directives() map[lineKey]bool {
	ignored := make(map[lineKey]bool)
	for _, file := range p.pass.Files {
		for _, group := range file.Comments {
			for _, c := range group.List {
				p.directive(c, ignored)
			}
		}
	}
	return ignored
}

func (p *pkgAnalysis) directive(c *ast.Comment, ignored map[lineKey]bool) {
	const prefix = "//rstlint:ignore"
	if !strings.HasPrefix(c.Text, prefix) {
		return
	}
	rest := c.Text[len(prefix):]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return // another word, such as //rstlint:ignored
	}
	position := p.pass.Fset.Position(c.Pos())
	// A trailing "// ..." is another comment, not the reason.
	if i := strings.Index(rest, "//"); i >= 0 {
		rest = rest[:i]
	}
	if strings.TrimSpace(rest) == "" {
		p.pass.Report(analysis.Diagnostic{
			Pos:      c.Pos(),
			Category: CategoryDirective,
			URL:      RuleURL(CategoryDirective),
			Message:  "//rstlint:ignore needs a reason: write //rstlint:ignore <why this close may reset>",
		})
		return
	}
	ignored[lineKey{position.Filename, position.Line}] = true
}
