package verdict

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

// Config is what the options decide here: which optional categories are
// reported, and the trace of the resets the tests saw.
type Config struct {
	Reject, HalfClose, Linger, Proxy, EOFLost bool
	Trace                                     string
}

// Reports says whether the options report a category: the one place
// where the optional categories are turned off.
func (c *Config) Reports(category string) bool {
	switch category {
	case CategoryRejectUnread:
		return c.Reject
	case CategoryHalfCloseUndrained:
		return c.HalfClose
	case CategoryLingerZero:
		return c.Linger
	case CategoryProxyEarlyClose:
		return c.Proxy
	case CategoryProxyEOFLost:
		return c.EOFLost
	}
	return true
}
