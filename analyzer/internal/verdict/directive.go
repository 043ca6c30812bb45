package verdict

import (
	"go/ast"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// This file reads the //rstlint:ignore directives, which suppress a
// diagnostic on their line or the next, and reports those without a
// reason.

// Ignored is the set of lines a directive covers.
type Ignored map[lineKey]bool

type lineKey struct {
	file string
	line int
}

// covers reports whether a directive is on the diagnostic's line or the
// line above.
func (ig Ignored) covers(p token.Position) bool {
	return ig[lineKey{p.Filename, p.Line}] || ig[lineKey{p.Filename, p.Line - 1}]
}

// directives finds the //rstlint:ignore comments of the package and, if
// report is set, reports those without a reason.
func Directives(pass *analysis.Pass, report bool) Ignored {
	ignored := make(Ignored)
	for _, file := range pass.Files {
		for _, group := range file.Comments {
			for _, c := range group.List {
				directive(pass, c, ignored, report)
			}
		}
	}
	return ignored
}

// directive reads one comment. "// rstlint:ignore", with a space as many
// write "// nolint", is the same directive: silently not honouring it
// would keep a diagnostic its author believes suppressed.
func directive(pass *analysis.Pass, c *ast.Comment, ignored Ignored, report bool) {
	const prefix = "rstlint:ignore"
	text, ok := strings.CutPrefix(c.Text, "//")
	if !ok {
		return
	}
	text = strings.TrimLeft(text, " \t")
	if !strings.HasPrefix(text, prefix) {
		return
	}
	rest := text[len(prefix):]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return // another word, such as //rstlint:ignored
	}
	position := pass.Fset.Position(c.Pos())
	// A trailing "// ..." is another comment, not the reason.
	if i := strings.Index(rest, "//"); i >= 0 {
		rest = rest[:i]
	}
	if strings.TrimSpace(rest) == "" {
		if !report {
			return
		}
		pass.Report(analysis.Diagnostic{
			Pos:      c.Pos(),
			Category: CategoryDirective,
			URL:      RuleURL(CategoryDirective),
			Message:  directiveMessage,
		})
		return
	}
	ignored[lineKey{position.Filename, position.Line}] = true
}
