package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/rstlint/rstlint/analyzer"
	"github.com/rstlint/rstlint/docs/rules"
)

// TestEveryCategoryHasAPage: each category the analyzer reports links to
// a page (its URL) and -explain prints it; no page is left over.
func TestEveryCategoryHasAPage(t *testing.T) {
	categories := []string{
		analyzer.CategoryUnreadClose, analyzer.CategoryRejectUnread, analyzer.CategoryHalfCloseUndrained,
		analyzer.CategoryLingerZero, analyzer.CategoryProxyEarlyClose, analyzer.CategoryProxyEOFLost,
		analyzer.CategoryDirective, analyzer.CategoryRuntimeOnly,
	}
	for _, c := range categories {
		page, ok := rules.Page(c)
		if !ok || !strings.HasPrefix(page, "# "+c+"\n") {
			t.Errorf("no page for %s, or one that does not start with its title", c)
		}
	}
	slices.Sort(categories)
	if got := rules.Categories(); !slices.Equal(got, categories) {
		t.Errorf("pages %q, want one per category %q", got, categories)
	}
	if _, ok := rules.Page("../README"); ok {
		t.Error("Page reads outside the rule pages")
	}
}
