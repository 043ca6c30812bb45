// Package rules holds the rule pages of rstlint's diagnostic categories,
// one Markdown page per category, embedded so that the command can print
// them (rstlint -explain unread-close) where no browser is at hand.
package rules

import (
	"embed"
	"sort"
	"strings"
)

//go:embed *.md
var pages embed.FS

// Page returns the Markdown page of a category, and whether there is one.
func Page(category string) (string, bool) {
	if strings.ContainsAny(category, "/\\.") {
		return "", false
	}
	b, err := pages.ReadFile(category + ".md")
	if err != nil {
		return "", false
	}
	return string(b), true
}

// Categories lists the categories that have a page, sorted.
func Categories() []string {
	entries, _ := pages.ReadDir(".")
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".md"); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
