package analyzer

import (
	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/verdict"
)

// This file is what can be configured: the diagnostic categories, the
// options that turn the optional ones off, and the user's additions to
// the catalogue.

// Diagnostic categories, stable across releases.
const (
	CategoryUnreadClose        = verdict.CategoryUnreadClose
	CategoryRejectUnread       = verdict.CategoryRejectUnread
	CategoryHalfCloseUndrained = verdict.CategoryHalfCloseUndrained
	CategoryLingerZero         = verdict.CategoryLingerZero
	CategoryProxyEarlyClose    = verdict.CategoryProxyEarlyClose
	CategoryProxyEOFLost       = verdict.CategoryProxyEOFLost
	CategoryDirective          = verdict.CategoryDirective
	// CategoryRuntimeOnly is a Close that reset the connection while tests
	// ran (a trace entry) on a path no diagnostic predicted: reported only
	// with a trace.
	CategoryRuntimeOnly = verdict.CategoryRuntimeOnly
)

// RuleURL is the page that explains a diagnostic category.
func RuleURL(category string) string { return verdict.RuleURL(category) }

// Options configure an analyzer made by New. The zero value reports
// nothing optional: DefaultOptions are the defaults of the flags.
type Options struct {
	Reject        bool     // report reject-unread
	HalfClose     bool     // report halfclose-undrained
	Linger        bool     // report linger-zero
	Proxy         bool     // report proxy-early-close
	EOFLost       bool     // report proxy-eof-lost
	Drain         []string // functions that read their connection argument to EOF (types.Func.FullName)
	GracefulClose []string // functions that close their connection argument gracefully
	// Trace is the path of a trace of the Closes that reset while tests
	// ran (rsttest, RSTTEST_TRACE): diagnostics whose Close reset are
	// marked confirmed, and resets none predicted are reported as
	// runtime-only. A trace that cannot be read is ignored: check it
	// first with CheckTrace to tell the user.
	Trace string
}

// DefaultOptions are the options of Analyzer's default flags.
func DefaultOptions() Options {
	return Options{Reject: true, HalfClose: true, Linger: true, Proxy: true, EOFLost: true}
}

// config is the options in the form the stages use.
type config struct {
	verdict verdict.Config
	user    knowledge.UserFuncs
}

func (o Options) config() *config {
	set := func(l []string) map[string]bool {
		m := make(map[string]bool, len(l))
		for _, s := range l {
			m[s] = true
		}
		return m
	}
	return &config{
		verdict: verdict.Config{Reject: o.Reject, HalfClose: o.HalfClose, Linger: o.Linger, Proxy: o.Proxy, EOFLost: o.EOFLost, Trace: o.Trace},
		user:    knowledge.UserFuncs{Drain: set(o.Drain), Graceful: set(o.GracefulClose)},
	}
}

// CheckTrace reads the trace at path and returns why it cannot be used:
// missing, empty, truncated or not rsttest's. Drivers call it before
// analysing (rstlint -trace, the golangci-lint plugin) to report a bad
// trace; the analyzer itself reports without a trace it cannot read.
func CheckTrace(path string) error { return verdict.CheckTrace(path) }

// ConfirmedPrefix starts what a confirmed diagnostic adds to its message
// and its related information: "confirmed: reset seen in TestX (18 bytes
// unread)".
const ConfirmedPrefix = verdict.ConfirmedPrefix

// MaxMessage bounds a diagnostic's message: the rest is in its related
// positions and on its rule page.
const MaxMessage = verdict.MaxMessage

// Confirmation is what a trace says of a diagnostic's Close: the test that
// saw it reset and what the kernel found. It is the last related position
// of a confirmed diagnostic (and of a runtime-only one).
type Confirmation = verdict.Confirmation

// ParseConfirmation reads a related position's message: the confirmation
// it carries, if it is one. JSON and SARIF outputs and the golangci-lint
// plugin read confirmations with it.
func ParseConfirmation(msg string) (Confirmation, bool) { return verdict.ParseConfirmation(msg) }

// RelatedLabel is what names a related position, from its message: "conn
// accepted", "last read", "linger set to 0", "confirmed".
func RelatedLabel(msg string) string { return verdict.RelatedLabel(msg) }
