package analyzer

// This file is what can be configured: the diagnostic categories, the
// options that turn the optional ones off, and the user's additions to
// the catalogue.

// Diagnostic categories, stable across releases.
const (
	CategoryUnreadClose        = "unread-close"
	CategoryRejectUnread       = "reject-unread"
	CategoryHalfCloseUndrained = "halfclose-undrained"
	CategoryLingerZero         = "linger-zero"
	CategoryProxyEarlyClose    = "proxy-early-close"
	CategoryProxyEOFLost       = "proxy-eof-lost"
	CategoryDirective          = "directive"
	// CategoryRuntimeOnly is a Close that reset the connection while tests
	// ran (a trace entry) on a path no diagnostic predicted: reported only
	// with a trace.
	CategoryRuntimeOnly = "runtime-only"
)

// RuleURL is the page that explains a diagnostic category.
func RuleURL(category string) string {
	return "https://github.com/rstlint/rstlint/blob/main/docs/rules/" + category + ".md"
}

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

// config is the options in the form the analysis uses.
type config struct {
	reject, halfClose, linger, proxy, eofLost bool
	user                                      userFuncs
	trace                                     string
}

func (o Options) config() *config {
	set := func(l []string) map[string]bool {
		m := make(map[string]bool, len(l))
		for _, s := range l {
			m[s] = true
		}
		return m
	}
	return &config{reject: o.Reject, halfClose: o.HalfClose, linger: o.Linger, proxy: o.Proxy, eofLost: o.EOFLost,
		user: userFuncs{drain: set(o.Drain), graceful: set(o.GracefulClose)}, trace: o.Trace}
}

// reports says whether the options report a category: the one place
// where the optional categories are turned off.
func (c *config) reports(category string) bool {
	switch category {
	case CategoryRejectUnread:
		return c.reject
	case CategoryHalfCloseUndrained:
		return c.halfClose
	case CategoryLingerZero:
		return c.linger
	case CategoryProxyEarlyClose:
		return c.proxy
	case CategoryProxyEOFLost:
		return c.eofLost
	}
	return true
}

// userFuncs are the user's additions to the catalogue: functions that
// read their connection arguments to EOF (-drain), and functions that
// close them gracefully (-gracefulclose), by types.Func.FullName.
type userFuncs struct {
	drain, graceful map[string]bool
}
