package verdict

import (
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"

	"golang.org/x/tools/go/analysis"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/ownership"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file turns candidates into diagnostics: one per position, the
// categories the options turn off left out, suppressed ones dropped, each
// with a one-sentence message (where the connection came from, why this
// path resets, what is lost), related positions (the origin, the last
// read, the SetLinger(0), the copy goroutines), the rule's URL and the fix.

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
		d := diagnostic(pass.Fset, c)
		if !opts.Reports(d.Category) || ignored.covers(pass.Fset.Position(pos)) {
			continue
		}
		d.SuggestedFixes = gracefulFix(pass, c.pos, c.verdict)
		out = append(out, d)
	}
	return out
}

// diagnostic words a Candidate.
func diagnostic(fset *token.FileSet, c Candidate) analysis.Diagnostic {
	w := wording{fset: fset, fd: c.conn.Kind == knowledge.KindFD}
	subject := w.subject(c) + " is closed"
	if c.via != "" {
		subject += " by " + c.via
	}
	d := analysis.Diagnostic{Pos: c.pos}
	related := func(pos token.Pos, msg string) {
		if pos.IsValid() {
			d.Related = append(d.Related, analysis.RelatedInformation{Pos: pos, Message: msg})
		}
	}
	related(c.conn.Pos, "conn "+originWord(c.conn))
	switch c.verdict {
	case verdictProxyEarly:
		d.Category = CategoryProxyEarlyClose
		p := c.proxy
		if p.pipe.Pos.IsValid() {
			d.Message = fmt.Sprintf("%s after %s returned at its first finished direction (%s): the copy still reading it makes Linux send RST",
				subject, p.pipe.What, w.at(p.pipe.Pos))
			related(p.pipe.Pos, "the pipe helper returned here")
			break
		}
		d.Message = fmt.Sprintf("%s after waiting for %d of its %d copy goroutines: input another still reads makes Linux send RST",
			subject, p.waits, len(p.gos))
		for _, pos := range p.gos {
			related(pos, "copy goroutine started here, signalling "+p.signal)
		}
	case verdictProxyCut:
		d.Category = CategoryProxyEarlyClose
		p := c.proxy
		if c.abort {
			d.Message = fmt.Sprintf("%s gets a deadline in the past when the copy goroutine started at %s ends, aborting the one started at %s: the session ends in a reset",
				w.subject(c), w.at(p.gos[0]), w.at(p.gos[1]))
		} else {
			d.Message = fmt.Sprintf("%s when the copy goroutine started at %s ends, while the one started at %s still uses it: Linux sends RST",
				subject, w.at(p.gos[0]), w.at(p.gos[1]))
		}
		related(p.gos[0], "the goroutine that closes")
		related(p.gos[1], "the goroutine still using the conn")
	case verdictEOFLost:
		d.Category = CategoryProxyEOFLost
		d.Message = fmt.Sprintf("the copy into %s ends without CloseWrite: its peer never sees the end of the input, and the other direction waits until a timeout or a reset",
			w.subject(c))
		related(c.proxy.gos[1], "the other direction, still reading it")
	case verdictReaderActive:
		d.Category = CategoryUnreadClose
		d.Message = fmt.Sprintf("%s while the goroutine started at %s may still be reading it: its unread input makes Linux send RST",
			subject, w.at(c.proxy.gos[0]))
		related(c.proxy.gos[0], "reader goroutine started here")
	case verdictLingerZero:
		d.Category = CategoryLingerZero
		if c.leavesAt.IsValid() {
			d.Message = fmt.Sprintf("%s leaves %s with %s set here: every Close of it sends RST and drops what we have not sent",
				w.subject(c), c.fnName, w.pick("SO_LINGER {1, 0}", "SetLinger(0)"))
			related(c.leavesAt, "the conn leaves the function here")
			break
		}
		d.Message = fmt.Sprintf("%s after %s: Linux sends RST and drops what we have not sent",
			subject, w.pick("SO_LINGER {1, 0}", "SetLinger(0)"))
		related(c.lingerAt, "linger set to 0 here")
	case verdictHalfCloseUndrained:
		d.Category = CategoryHalfCloseUndrained
		d.Message = fmt.Sprintf("%s after %s with input unread: Linux sends RST and drops what we have not sent",
			subject, w.pick("shutdown(SHUT_WR)", "CloseWrite"))
		relatedIO(related, c.lastIO)
	case verdictReject:
		d.Category = CategoryRejectUnread
		d.Message = fmt.Sprintf("%s with input %s before anything was written: Linux sends RST, the peer sees a reset instead of EOF",
			subject, readPhrase(c.lastIO))
		relatedIO(related, c.lastIO)
	default:
		d.Category = CategoryUnreadClose
		if c.conn.Client {
			d.Message = fmt.Sprintf("%s with the reply to our write unread: Linux sends RST and the peer may lose data", subject)
		} else {
			d.Message = fmt.Sprintf("%s with input %s: Linux sends RST and the peer may lose our reply", subject, readPhrase(c.lastIO))
		}
		relatedIO(related, c.lastIO)
	}
	d.URL = RuleURL(d.Category)
	return d
}

// readPhrase says how far a server read its input: "never read" or "read
// only in part" (when a read happened; a write is no read).
func readPhrase(last summary.IOSite) string {
	if last.Pos.IsValid() && !last.Write {
		return "read only in part"
	}
	return "never read"
}

// relatedIO adds the last read or write before the Close.
func relatedIO(related func(token.Pos, string), last summary.IOSite) {
	if last.Write {
		related(last.Pos, "last write, by "+last.What)
	} else {
		related(last.Pos, "last read, by "+last.What)
	}
}

// wording holds what the phrases of a message depend on.
type wording struct {
	fset *token.FileSet
	fd   bool // a raw descriptor: socket calls, not methods
}

func (w wording) pick(fd, conn string) string {
	if w.fd {
		return fd
	}
	return conn
}

// subject names the connection: "conn accepted at main.go:59", "conn c
// (parameter of handle)", "socket fd created at srv.go:12".
func (w wording) subject(c Candidate) string {
	noun := w.pick("socket fd", "conn")
	if f := c.conn.Field; f != nil {
		if c.conn.Verb != "" {
			return fmt.Sprintf("%s %s (%s at %s)", noun, c.conn.Name, c.conn.Verb, w.at(c.conn.Pos))
		}
		return fmt.Sprintf("%s %s (a field of %s)", noun, c.conn.Name, types.TypeString(f.Owner, knowledge.ShortQualifier))
	}
	if c.conn.Param >= 0 {
		return fmt.Sprintf("%s %s (parameter of %s)", noun, c.conn.Name, c.fnName)
	}
	if c.conn.Verb == "" {
		return noun + " " + c.conn.Name
	}
	return fmt.Sprintf("%s %s at %s", noun, c.conn.Verb, w.at(c.conn.Pos))
}

// originWord says where a connection came from: "accepted by net.Listener.Accept".
func originWord(c *ownership.Conn) string {
	if c.Verb == "" {
		return "passed in as a parameter"
	}
	if c.From != "" {
		return c.Verb + " by " + c.From
	}
	return c.Verb
}

// at formats a position as "file.go:12".
func (w wording) at(pos token.Pos) string {
	position := w.fset.Position(pos)
	return fmt.Sprintf("%s:%d", filepath.Base(position.Filename), position.Line)
}
