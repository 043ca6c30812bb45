// Package golangci is rstlint as a golangci-lint v2 module plugin.
//
// Importing it (blank import, as `golangci-lint custom` does in the
// binary it builds) registers a linter named "rstlint" with
// github.com/golangci/plugin-module-register. It is enabled and configured
// in .golangci.yml:
//
//	version: "2"
//	linters:
//	  enable:
//	    - rstlint
//	  settings:
//	    custom:
//	      rstlint:
//	        type: module
//	        settings:
//	          reject: true         # report reject-unread (default true)
//	          halfclose: true      # report halfclose-undrained (default true)
//	          linger: true         # report linger-zero (default true)
//	          proxy: true          # report proxy-early-close (default true)
//	          eoflost: true        # report proxy-eof-lost (default true)
//	          drain: []            # functions that read their conn argument to EOF
//	          gracefulclose: []    # functions that close their conn argument gracefully
//
// Unknown settings keys, and values of the wrong type, are errors: a typo
// must not silently leave a check on or off. docs/integrations.md has the
// whole setup, .custom-gcl.yml included.
package golangci

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/rstlint/rstlint/analyzer"
)

// Name is the name the plugin is registered under: the key of
// linters.settings.custom in .golangci.yml, the name in linters.enable and
// in //nolint directives.
const Name = "rstlint"

func init() {
	register.Plugin(Name, New)
}

// Settings are the keys of linters.settings.custom.rstlint.settings: one
// per flag of the rstlint command, named like it. A key left out keeps the
// flag's default.
type Settings struct {
	// Reject reports reject-unread (flag -reject). Default true.
	Reject *bool `json:"reject"`
	// HalfClose reports halfclose-undrained (flag -halfclose). Default true.
	HalfClose *bool `json:"halfclose"`
	// Linger reports linger-zero (flag -linger). Default true.
	Linger *bool `json:"linger"`
	// Proxy reports proxy-early-close (flag -proxy). Default true.
	Proxy *bool `json:"proxy"`
	// EOFLost reports proxy-eof-lost (flag -eoflost). Default true.
	EOFLost *bool `json:"eoflost"`
	// Drain lists functions that read their connection argument to EOF,
	// spelled as types.Func.FullName (flag -drain).
	Drain []string `json:"drain"`
	// GracefulClose lists functions that close their connection argument
	// gracefully, spelled as types.Func.FullName (flag -gracefulclose).
	GracefulClose []string `json:"gracefulclose"`
	// Trace is the path of a trace of the Closes that reset while tests
	// ran (rsttest, RSTTEST_TRACE; flag -trace): diagnostics whose Close
	// reset say "confirmed", and resets none predicted are reported as
	// runtime-only. A relative path is relative to where golangci-lint
	// runs. Default none.
	Trace string `json:"trace"`
}

// DecodeSettings decodes the raw settings golangci-lint hands to a plugin
// (nil when the settings key is absent). register.DecodeSettings is strict:
// it re-encodes the value as JSON and decodes it with DisallowUnknownFields,
// so an unknown key or a value of the wrong type is an error.
func DecodeSettings(raw any) (Settings, error) {
	s, err := register.DecodeSettings[Settings](raw)
	if err != nil {
		return Settings{}, fmt.Errorf("%s settings: %w", Name, err)
	}
	for _, l := range []struct {
		key   string
		names []string
	}{{"drain", s.Drain}, {"gracefulclose", s.GracefulClose}} {
		for i, n := range l.names {
			if l.names[i] = strings.TrimSpace(n); l.names[i] == "" {
				return Settings{}, fmt.Errorf("%s settings: %s[%d] is empty", Name, l.key, i)
			}
		}
	}
	return s, nil
}

// Options returns the analyzer options the settings stand for, with the
// defaults of analyzer.DefaultOptions for the keys left out.
func (s Settings) Options() analyzer.Options {
	o := analyzer.DefaultOptions()
	if s.Reject != nil {
		o.Reject = *s.Reject
	}
	if s.HalfClose != nil {
		o.HalfClose = *s.HalfClose
	}
	if s.Linger != nil {
		o.Linger = *s.Linger
	}
	if s.Proxy != nil {
		o.Proxy = *s.Proxy
	}
	if s.EOFLost != nil {
		o.EOFLost = *s.EOFLost
	}
	o.Drain = s.Drain
	o.GracefulClose = s.GracefulClose
	o.Trace = s.Trace
	return o
}

// Plugin is the register.LinterPlugin for rstlint.
type Plugin struct {
	settings Settings
}

var _ register.LinterPlugin = (*Plugin)(nil)

// New is the register.NewPlugin constructor: it decodes the settings and
// fails on any it does not know. A trace that cannot be read (missing,
// empty, truncated, not rsttest's) is reported on stderr, naming the file
// and line, and rstlint then reports as without it, as the command does.
func New(settings any) (register.LinterPlugin, error) {
	s, err := DecodeSettings(settings)
	if err != nil {
		return nil, err
	}
	if s.Trace != "" {
		if err := analyzer.CheckTrace(s.Trace); err != nil {
			fmt.Fprintf(os.Stderr, "%s: trace: %v (reporting without the trace)\n", Name, err)
		}
	}
	return &Plugin{settings: s}, nil
}

// BuildAnalyzers returns rstlint configured by the settings. It uses
// analyzer.New, not analyzer.Analyzer, whose options are global flags, and
// moves the related positions of its diagnostics into their messages (see
// inlineRelated).
func (p *Plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{inlineRelated(analyzer.New(p.settings.Options()))}, nil
}

// inlineRelated returns a copy of a whose diagnostics carry their related
// positions in the message, "(conn accepted at main.go:59, last read at
// main.go:61)", instead of as related information, and a confirmation by
// the trace as "; confirmed in TestX (18 bytes unread)". golangci-lint v2
// turns each related position into an issue of its own ("rstlint(related
// information): ..." on the line of the Accept): a //nolint:rstlint on the
// reported Close does not cover it, and under issues.uniq-by-line it can
// hide another linter's issue on its line. In the message, a golangci-lint
// user still sees where the conn came from and what was last read. The
// positions are read with analyzer.RelatedLabel and
// analyzer.ParseConfirmation, not by their words.
func inlineRelated(a *analysis.Analyzer) *analysis.Analyzer {
	run := a.Run
	b := *a
	b.Run = func(pass *analysis.Pass) (any, error) {
		p := *pass
		p.Report = func(d analysis.Diagnostic) {
			var parts []string
			confirmed := ""
			for _, r := range d.Related {
				if c, ok := analyzer.ParseConfirmation(r.Message); ok {
					if d.Category != analyzer.CategoryRuntimeOnly { // its message says it already
						confirmed = fmt.Sprintf("; confirmed in %s (%d bytes unread)", c.Test, c.Unread)
					}
					continue
				}
				pos := pass.Fset.Position(r.Pos)
				parts = append(parts, fmt.Sprintf("%s at %s:%d", analyzer.RelatedLabel(r.Message), filepath.Base(pos.Filename), pos.Line))
			}
			d.Message += confirmed
			if len(parts) > 0 {
				d.Message += " (" + strings.Join(parts, ", ") + ")"
			}
			d.Related = nil
			pass.Report(d)
		}
		return run(&p)
	}
	return &b
}

// GetLoadMode asks for type information: rstlint builds the SSA of a
// package itself, and only of one that may hold a connection.
func (p *Plugin) GetLoadMode() string {
	return register.LoadModeTypesInfo
}
