package main

import (
	"strings"
	"testing"
)

// settingsSrc has the shape of gopls v0.23.0's internal/settings/analysis.go
// that the patch relies on (written for this test, much shortened).
const settingsSrc = `package settings

import (
	"log"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/nilness"
)

type Analyzer struct {
	analyzer   *analysis.Analyzer
	nonDefault bool
}

func initAnalyzers() (res []*Analyzer) {
	for _, suite := range []struct{ name string }{{"vet"}} {
		_ = suite
	}
	for _, a := range []*Analyzer{
		{analyzer: nilness.Analyzer}, // uses go/ssa
	} {
		res = append(res, a)
	}
	log.Print(len(res))
	return res
}
`

func TestPatch(t *testing.T) {
	out, err := patch("analysis.go", []byte(settingsSrc))
	if err != nil {
		t.Fatal(err)
	}
	// Compared with runs of blanks as one space: gofmt aligns comments.
	got := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{
		`"log" rstlint "github.com/rstlint/rstlint/analyzer" "golang.org/x/tools/go/analysis"`,
		"{analyzer: nilness.Analyzer}, // uses go/ssa " + entry + " } {",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("patched file lacks %q:\n%s", want, out)
		}
	}
	if _, err := patch("analysis.go", out); err == nil || !strings.Contains(err.Error(), "already patched") {
		t.Errorf("patching twice: err = %v, want already patched", err)
	}
}

func TestPatchRefuses(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"no list", strings.Replace(settingsSrc, "[]*Analyzer{", "[]*Other{", 1), "no []*Analyzer literal"},
		{"list elsewhere", strings.Replace(settingsSrc, "func initAnalyzers", "func other", 1), "no []*Analyzer literal"},
		{"no import block", "package settings\n\nimport \"log\"\n\nvar _ = log.Print\n", "no parenthesized import block"},
		{"not Go", "package settings\nfunc {", "expected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := patch("analysis.go", []byte(tc.src)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
