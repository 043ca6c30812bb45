package verdict

import (
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file is every word rstlint says: the message of each diagnostic,
// at most MaxMessage characters (where the connection came from, the
// Close that resets, and what is lost), and its related positions, which
// say the rest (the origin, the last read or write, the SetLinger(0), the
// copy goroutines, the test that saw the reset). A related position's
// message is "label: detail" or "label"; outputs that show related
// positions another way (golangci-lint, SARIF) read them with RelatedLabel
// and ParseConfirmation, not by their phrases.

// MaxMessage bounds a diagnostic's message: the explanation lives on the
// rule page and in the related positions.
const MaxMessage = 100

// word words a candidate.
func word(fset *token.FileSet, c Candidate) analysis.Diagnostic {
	w := wording{fset: fset, c: c}
	d := analysis.Diagnostic{Pos: c.pos}
	related := func(pos token.Pos, label, detail string) {
		if pos.IsValid() {
			d.Related = append(d.Related, analysis.RelatedInformation{Pos: pos, Message: relatedMessage(label, detail)})
		}
	}
	related(c.conn.Pos, "conn "+originLabel(c.conn.Verb), c.conn.From)
	for _, pos := range c.paths {
		related(pos, "on the path that returns here", "")
	}
	d.Category, d.Message = w.message()
	switch c.verdict {
	case ProxyEarly:
		p := c.proxy
		if p.pipe.Pos.IsValid() {
			related(p.pipe.Pos, "pipe helper returned", p.pipe.What)
			break
		}
		for _, pos := range p.gos {
			related(pos, "copy goroutine", "signals "+p.signal)
		}
	case ProxyCut:
		related(c.proxy.gos[0], "direction that ends first", "")
		related(c.proxy.gos[1], "goroutine still using it", "")
	case EOFLost:
		related(c.proxy.gos[1], "other direction", "still reads it")
	case ReaderActive:
		related(c.proxy.gos[0], "reader goroutine", "")
	case LingerZero:
		if c.leavesAt.IsValid() {
			related(c.leavesAt, "conn leaves "+c.fnName, "")
			break
		}
		related(c.lingerAt, "linger set to 0", "")
	default:
		if c.lastIO.Write {
			related(c.lastIO.Pos, "last write", c.lastIO.What)
		} else {
			related(c.lastIO.Pos, "last read", c.lastIO.What)
		}
	}
	d.URL = RuleURL(d.Category)
	return d
}

// wording holds what the phrases of one message depend on.
type wording struct {
	fset *token.FileSet
	c    Candidate
}

// message returns the category and the message, within MaxMessage: with
// the subject's origin named when it fits ("conn accepted at main.go:59"),
// else its kind ("the accepted conn"), else the bare noun ("the conn");
// the related positions name the rest.
func (w wording) message() (string, string) {
	var category, msg string
	for detail := 2; detail >= -3; detail-- {
		category, msg = w.phrase(w.subject(max(detail, 0)), min(0, detail))
		if len(msg) <= MaxMessage {
			return category, msg
		}
	}
	cut := msg[:MaxMessage-3]
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return category, cut + "..."
}

// phrase is the message about subject, and its category; a compact one
// names a function without its package (-1: "Conn.Close"), then without
// its receiver too (-2: "Close"), then leaves out the function that
// closes (-3: a handler's return is that function's Close, and its
// rule page says so).
func (w wording) phrase(subject string, compact int) (string, string) {
	c := w.c
	closed := subject + " is closed"
	if c.via != "" && compact > -3 {
		via := compactFunc(shortFunc(c.via), compact)
		closed += " by " + via
	}
	halfClose, linger := w.pick("shutdown(SHUT_WR)", "CloseWrite"), w.pick("SO_LINGER {1, 0}", "SetLinger(0)")
	// A proxy's end of unknown origin may be no socket: its cut loses
	// the other direction's data, with or without RST.
	cuts, reset, afterUse := "RST cuts", "the other gets a reset", "RST"
	if c.conn.ProxyEnd {
		cuts, reset, afterUse = "that cuts", "the other is cut short", "that is cut short"
	}
	switch c.verdict {
	case ProxyEarly:
		if p := c.proxy; p.pipe.Pos.IsValid() {
			helper := compactFunc(shortFunc(p.pipe.What), compact)
			return CategoryProxyEarlyClose, fmt.Sprintf("%s after %s returned at its first direction: %s the other short",
				closed, helper, cuts)
		}
		others := "the others"
		if len(c.proxy.gos)-c.proxy.waits == 1 {
			others = "the other"
		}
		return CategoryProxyEarlyClose, fmt.Sprintf("%s when %d of its %d copy goroutines ended: %s %s short",
			closed, c.proxy.waits, len(c.proxy.gos), cuts, others)
	case ProxyCut:
		if c.abort {
			return CategoryProxyEarlyClose, subject + " is aborted when one copy direction ends: " + reset
		}
		return CategoryProxyEarlyClose, closed + " when one copy direction ends, while the other uses it: " + afterUse
	case EOFLost:
		return CategoryProxyEOFLost, "the copy into " + subject + " ends without " + halfClose + ": its peer never sees EOF"
	case ReaderActive:
		return CategoryUnreadClose, closed + " while a goroutine still reads it: its unread input makes RST"
	case LingerZero:
		if c.leavesAt.IsValid() {
			return CategoryLingerZero, fmt.Sprintf("%s leaves %s with %s: every Close of it sends RST", subject, c.fnName, linger)
		}
		return CategoryLingerZero, closed + " after " + linger + ": RST drops what is not yet sent"
	case HalfCloseUndrained:
		return CategoryHalfCloseUndrained, closed + " after " + halfClose + " with input unread: RST drops what is unsent"
	case Reject:
		if c.rejected {
			return CategoryRejectUnread, closed + " after rejecting its input, nothing written: the peer gets RST, not EOF"
		}
		return CategoryRejectUnread, fmt.Sprintf("%s with input %s, nothing written: the peer gets RST, not EOF",
			closed, readPhrase(c.lastIO))
	}
	switch {
	case c.rejected:
		return CategoryUnreadClose, closed + " after rejecting its input: RST may destroy our reply"
	case c.conn.Client:
		return CategoryUnreadClose, closed + " with the reply unread: RST may cut our last write short"
	}
	return CategoryUnreadClose, fmt.Sprintf("%s with input %s: RST may destroy our reply", closed, readPhrase(c.lastIO))
}

// readPhrase says how far a server read its input: "never read" or "read
// only in part" (when a read happened; a write is no read).
func readPhrase(last summary.IOSite) string {
	if last.Pos.IsValid() && !last.Write {
		return "read in part"
	}
	return "never read"
}

func (w wording) pick(fd, conn string) string {
	if w.c.conn.Kind == knowledge.KindFD {
		return fd
	}
	return conn
}

// subject names the connection, with detail 2 to 0: "conn accepted at
// main.go:59", "the accepted conn", "the conn"; "conn c" for a parameter
// or captured variable, "conn s.conn (a field of *session)", "conn
// s.conn", "the conn" for a field; "socket fd" for a descriptor.
func (w wording) subject(detail int) string {
	c := w.c.conn
	noun := w.pick("socket fd", "conn")
	switch {
	case detail == 0:
		return "the " + noun
	case c.Field != nil && c.Verb == "" && detail == 2:
		return fmt.Sprintf("%s %s (a field of %s)", noun, c.Name, types.TypeString(c.Field.Owner, knowledge.ShortQualifier))
	case c.Field != nil || c.Verb == "":
		return noun + " " + c.Name
	case detail == 2:
		return fmt.Sprintf("%s %s at %s", noun, c.Verb, w.at(c.Pos))
	}
	return "the " + c.Verb + " " + noun
}

// at formats a position as "file.go:12".
func (w wording) at(pos token.Pos) string {
	position := w.fset.Position(pos)
	return fmt.Sprintf("%s:%d", filepath.Base(position.Filename), position.Line)
}

// originLabel says where a connection came from: "accepted", "passed in".
func originLabel(verb string) string {
	if verb == "" {
		return "passed in"
	}
	return verb
}

// bareFunc is a function's own name: "srv.(*server).handle" is "handle".
// compactFunc shortens a function's name for a message at the given
// compactness: 0 keeps it, -1 drops its package ("(*proxyproto.Conn).Close"
// is "Conn.Close"), -2 its receiver too ("Close").
func compactFunc(name string, compact int) string {
	switch {
	case compact == 0:
		return name
	case compact == -1:
		if end := strings.Index(name, ")."); end > 0 {
			recv := name[:end]
			recv = strings.TrimPrefix(recv[strings.LastIndex(recv, "(")+1:], "*")
			return bareFunc(recv) + "." + name[end+2:]
		}
	}
	return bareFunc(name)
}

func bareFunc(name string) string {
	if i := strings.LastIndex(name, "."); i >= 0 {
		return name[i+1:]
	}
	return name
}

// shortFunc drops the package path of a function name:
// "example.com/srv.(*server).handle" is "srv.(*server).handle".
func shortFunc(name string) string {
	if i := strings.LastIndex(name, "/"); i >= 0 {
		return name[i+1:]
	}
	return name
}

// relatedMessage is a related position's message, "label: detail".
func relatedMessage(label, detail string) string {
	if detail == "" {
		return label
	}
	return label + ": " + detail
}

// RelatedLabel is the label of a related position's message: what names
// the position ("conn accepted", "last read", "linger set to 0").
func RelatedLabel(msg string) string {
	label, _, _ := strings.Cut(msg, ": ")
	return label
}

// Confirmation is what a trace says of a diagnostic's Close: the first
// test that saw it reset (by name), what the kernel found there, and how
// often it reset. It travels as the diagnostic's last related position
// (the only channel every driver's output keeps), whose message
// Message encodes and ParseConfirmation decodes: every output reads it
// there, none from the diagnostic's message.
type Confirmation struct {
	Test       string
	Unread     int  // bytes in the receive queue at the Close
	LingerZero bool // SO_LINGER {1, 0} at the Close
	Resets     int  // how many resets of this Close the trace holds
	Tests      int  // in how many tests
}

// confirmedLabel is the label of a confirmation's related position.
const confirmedLabel = "confirmed"

// ConfirmedPrefix starts a confirmation's related message.
const ConfirmedPrefix = confirmedLabel + ": reset seen in "

// Message encodes c: "confirmed: reset seen in TestX (18 bytes unread)",
// then ", 3 times" when it reset more than once, and " in 2 tests" when
// more than one test saw it.
func (c Confirmation) Message() string {
	var more string
	if c.Resets > 1 || c.Tests > 1 {
		more = fmt.Sprintf(", %d times", c.Resets)
	}
	if c.Tests > 1 {
		more += fmt.Sprintf(" in %d tests", c.Tests)
	}
	return fmt.Sprintf("%s%s (%s)%s", ConfirmedPrefix, c.Test, kernelSaw(c.Unread, c.LingerZero), more)
}

// ParseConfirmation decodes a related position's message that Message
// wrote, and reports whether it is one.
func ParseConfirmation(msg string) (Confirmation, bool) {
	rest, ok := strings.CutPrefix(msg, ConfirmedPrefix)
	if !ok {
		return Confirmation{}, false
	}
	open := strings.LastIndex(rest, " (")
	shut := strings.LastIndex(rest, ")")
	if open < 0 || shut < open {
		return Confirmation{}, false
	}
	c := Confirmation{Test: rest[:open], Resets: 1, Tests: 1}
	for _, part := range strings.Split(rest[open+2:shut], ", ") {
		switch {
		case part == "SO_LINGER 0":
			c.LingerZero = true
		case strings.HasSuffix(part, " bytes unread"):
			c.Unread, _ = strconv.Atoi(strings.TrimSuffix(part, " bytes unread"))
		}
	}
	if times, ok := strings.CutPrefix(rest[shut+1:], ", "); ok {
		times, tests, _ := strings.Cut(times, " times")
		c.Resets, _ = strconv.Atoi(times)
		if n, ok := strings.CutPrefix(tests, " in "); ok {
			c.Tests, _ = strconv.Atoi(strings.TrimSuffix(n, " tests"))
		}
	}
	return c, true
}

// kernelSaw says what the kernel found at a Close: "18 bytes unread",
// "SO_LINGER 0", or both.
func kernelSaw(unread int, lingerZero bool) string {
	switch {
	case lingerZero && unread > 0:
		return fmt.Sprintf("%d bytes unread, SO_LINGER 0", unread)
	case lingerZero:
		return "SO_LINGER 0"
	}
	return fmt.Sprintf("%d bytes unread", unread)
}

// runtimeOnlyMessage words a reset no diagnostic predicted, within
// MaxMessage: what closed (inner names the function whose Close ran,
// "" for one here), the test, and what the kernel found.
func runtimeOnlyMessage(inner, test string, unread int, lingerZero bool) string {
	what := "a Close here"
	if inner != "" {
		what = "a Close in " + shortFunc(inner)
	}
	saw := kernelSaw(unread, lingerZero)
	msg := fmt.Sprintf("%s reset its conn in %s (%s); rstlint did not predict it", what, test, saw)
	if len(msg) > MaxMessage {
		msg = fmt.Sprintf("%s reset its conn in a test (%s); rstlint did not predict it", what, saw)
	}
	if len(msg) > MaxMessage {
		msg = fmt.Sprintf("a Close reset its conn in a test (%s); rstlint did not predict it", saw)
	}
	return msg
}

// directiveMessage is the message of a directive without a reason.
const directiveMessage = "//rstlint:ignore needs a reason: //rstlint:ignore <why this close may reset>"
