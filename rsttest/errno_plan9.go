package rsttest

import "strings"

// isReset matches the text: Plan 9's errors are strings, not errnos.
func isReset(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe"))
}

// errText is the whole error.
func errText(err error) string { return err.Error() }
