package golangci

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/rstlint/rstlint/analyzer"
)

// raw parses a settings block (JSON, a subset of YAML) into what
// golangci-lint hands to a plugin: untyped maps, slices and scalars, as
// viper decodes .golangci.yml; nil when the block is absent.
func raw(t *testing.T, src string) any {
	t.Helper()
	if src == "" {
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(src), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDecodeSettings(t *testing.T) {
	// with returns the default options changed by f.
	with := func(f func(*analyzer.Options)) analyzer.Options {
		o := analyzer.DefaultOptions()
		f(&o)
		return o
	}
	for _, tc := range []struct {
		name string
		json string
		want analyzer.Options
	}{
		{"absent", ``, analyzer.DefaultOptions()},
		{"empty", `{}`, analyzer.DefaultOptions()},
		{"reject off", `{"reject": false}`, with(func(o *analyzer.Options) { o.Reject = false })},
		{"halfclose off", `{"halfclose": false}`, with(func(o *analyzer.Options) { o.HalfClose = false })},
		{"linger off", `{"linger": false}`, with(func(o *analyzer.Options) { o.Linger = false })},
		{"proxy off", `{"proxy": false}`, with(func(o *analyzer.Options) { o.Proxy = false })},
		{"eoflost off", `{"eoflost": false}`, with(func(o *analyzer.Options) { o.EOFLost = false })},
		{"explicit defaults", `{"reject": true, "halfclose": true, "linger": true, "proxy": true, "eoflost": true, "drain": [], "gracefulclose": []}`,
			with(func(o *analyzer.Options) { o.Drain, o.GracefulClose = []string{}, []string{} })},
		{"trace", `{"trace": "/tmp/rst.trace"}`, with(func(o *analyzer.Options) { o.Trace = "/tmp/rst.trace" })},
		{"lists", `{
			"drain": ["example.com/pkg.Drain", "(*example.com/pkg.Conn).Drain"],
			"gracefulclose": [" example.com/pkg.Hangup "]
		}`, with(func(o *analyzer.Options) {
			o.Drain = []string{"example.com/pkg.Drain", "(*example.com/pkg.Conn).Drain"}
			o.GracefulClose = []string{"example.com/pkg.Hangup"}
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := DecodeSettings(raw(t, tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Options(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Options() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestSettingsMatchFlags keeps the settings in step with the command: one
// key per flag of analyzer.Analyzer, with the flag's name.
func TestSettingsMatchFlags(t *testing.T) {
	var keys, flags []string
	st := reflect.TypeFor[Settings]()
	for i := range st.NumField() {
		keys = append(keys, strings.Split(st.Field(i).Tag.Get("json"), ",")[0])
	}
	// The command spells -tracefile as -trace (the drivers own -trace).
	spelled := map[string]string{"tracefile": "trace"}
	analyzer.Analyzer.Flags.VisitAll(func(f *flag.Flag) {
		name := f.Name
		if s, ok := spelled[name]; ok {
			name = s
		}
		flags = append(flags, name)
	})
	slices.Sort(keys)
	slices.Sort(flags)
	if !slices.Equal(keys, flags) {
		t.Errorf("settings keys %q, want the analyzer's flags %q", keys, flags)
	}
}

func TestDecodeSettingsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, json, want string
	}{
		{"unknown key", `{"half-close": false}`, `unknown field "half-close"`},
		{"unknown key beside known", `{"linger": false, "drains": ["x.Y"]}`, `unknown field "drains"`},
		{"wrong type bool", `{"linger": "no"}`, `cannot unmarshal string`},
		{"wrong type list", `{"drain": "example.com/pkg.Drain"}`, `cannot unmarshal string`},
		{"empty name", `{"gracefulclose": [""]}`, `gracefulclose[0] is empty`},
		{"not a map", `["linger"]`, `cannot unmarshal array`},
		{"wrong type trace", `{"trace": ["a"]}`, `cannot unmarshal array`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeSettings(raw(t, tc.json))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if _, err := New(raw(t, tc.json)); err == nil {
				t.Error("New accepted the settings DecodeSettings refused")
			}
		})
	}
}

func TestRegistered(t *testing.T) {
	newPlugin, err := register.GetPlugin("rstlint")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlugin(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.GetLoadMode(); got != register.LoadModeTypesInfo {
		t.Errorf("GetLoadMode() = %q, want %q", got, register.LoadModeTypesInfo)
	}
	as, err := p.BuildAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].Name != "rstlint" {
		t.Fatalf("BuildAnalyzers() = %v, want one analyzer named rstlint", as)
	}
	// The plugin's analyzer must not share the global flags of
	// analyzer.Analyzer: golangci-lint never sets them.
	n := 0
	as[0].Flags.VisitAll(func(*flag.Flag) { n++ })
	if n != 0 {
		t.Errorf("plugin analyzer has %d flags, want none", n)
	}
}

// recorder is an analysistest.Testing that keeps the complaints about
// unmatched diagnostics: the fixture has no // want comments, and the test
// looks at the diagnostics themselves.
type recorder struct{ errs []string }

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// inlined are the related positions the plugin moves into the message,
// by function of the fixture.
var inlined = map[string]string{
	"Unread":  "(conn passed in at fixture.go:12)",
	"Drained": "(conn passed in at fixture.go:39, last read at fixture.go:40)",
	"Linger":  "(conn passed in at fixture.go:31, linger set to 0 at fixture.go:32)",
}

// TestSettingsChangeDiagnostics runs the analyzer the plugin builds on
// testdata/src/fixture and checks which functions are reported, and in
// which category, for each settings block.
func TestSettingsChangeDiagnostics(t *testing.T) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, json string
		want       []string // "category@func", sorted
	}{
		{"defaults", ``, []string{"halfclose-undrained@HalfClose", "linger-zero@Linger",
			"proxy-early-close@Proxy", "proxy-early-close@Proxy", "proxy-eof-lost@Tunnel", "proxy-eof-lost@Tunnel", "reject-unread@Proxy", "reject-unread@Reject", "unread-close@Drained", "unread-close@Unread"}},
		{"reject off", `{"reject": false}`, []string{"halfclose-undrained@HalfClose", "linger-zero@Linger",
			"proxy-early-close@Proxy", "proxy-early-close@Proxy", "proxy-eof-lost@Tunnel", "proxy-eof-lost@Tunnel", "unread-close@Drained", "unread-close@Unread"}},
		{"halfclose off", `{"halfclose": false}`, []string{"linger-zero@Linger",
			"proxy-early-close@Proxy", "proxy-early-close@Proxy", "proxy-eof-lost@Tunnel", "proxy-eof-lost@Tunnel", "reject-unread@Proxy", "reject-unread@Reject", "unread-close@Drained", "unread-close@Unread"}},
		{"linger off", `{"linger": false}`, []string{"halfclose-undrained@HalfClose",
			"proxy-early-close@Proxy", "proxy-early-close@Proxy", "proxy-eof-lost@Tunnel", "proxy-eof-lost@Tunnel", "reject-unread@Proxy", "reject-unread@Reject", "unread-close@Drained", "unread-close@Unread"}},
		{"proxy off", `{"proxy": false}`, []string{"halfclose-undrained@HalfClose", "linger-zero@Linger",
			"proxy-eof-lost@Tunnel", "proxy-eof-lost@Tunnel", "reject-unread@Proxy", "reject-unread@Reject", "unread-close@Drained", "unread-close@Unread"}},
		{"eoflost off", `{"eoflost": false}`, []string{"halfclose-undrained@HalfClose", "linger-zero@Linger",
			"proxy-early-close@Proxy", "proxy-early-close@Proxy", "reject-unread@Proxy", "reject-unread@Reject", "unread-close@Drained", "unread-close@Unread"}},
		{"drain", `{"drain": ["fixture.Slurp"]}`, []string{"halfclose-undrained@HalfClose", "linger-zero@Linger",
			"proxy-early-close@Proxy", "proxy-early-close@Proxy", "proxy-eof-lost@Tunnel", "proxy-eof-lost@Tunnel", "reject-unread@Proxy", "reject-unread@Reject", "unread-close@Unread"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(raw(t, tc.json))
			if err != nil {
				t.Fatal(err)
			}
			as, err := p.BuildAnalyzers()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, res := range analysistest.Run(new(recorder), dir, as[0], "fixture") {
				if res.Err != nil {
					t.Fatal(res.Err)
				}
				for _, d := range res.Diagnostics {
					got = append(got, d.Category+"@"+enclosingFunc(res, d.Pos))
					if len(d.Related) != 0 {
						t.Errorf("%s: diagnostic has related information %v, want none (golangci-lint makes each an issue)",
							res.Action.Package.Fset.Position(d.Pos), d.Related)
					}
					if fn := enclosingFunc(res, d.Pos); tc.name == "defaults" && inlined[fn] != "" && !strings.Contains(d.Message, inlined[fn]) {
						t.Errorf("%s: message %q lacks the related positions %q", fn, d.Message, inlined[fn])
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("diagnostics = %q, want %q", got, tc.want)
			}
		})
	}
}

// enclosingFunc names the function declaration of the fixture around pos.
func enclosingFunc(res *analysistest.Result, pos token.Pos) string {
	for _, f := range res.Action.Package.Syntax {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Pos() <= pos && pos < fd.End() {
				return fd.Name.Name
			}
		}
	}
	return "?"
}

// TestTraceSetting: with a trace, the Close it names is confirmed in the
// message (the one place golangci-lint shows), not repeated among the
// inlined positions, and a traced reset in a function rstlint finds clean
// is reported as runtime-only.
func TestTraceSetting(t *testing.T) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "src", "fixture", "fixture.go")
	frame := func(fn string, line int) string {
		return fmt.Sprintf(`{"func":"fixture.%s","file":%q,"line":%d}`, fn, file, line)
	}
	entry := func(test string, f string) string {
		return fmt.Sprintf(`{"source":"rsttest","test":%q,"frames":[%s],"unread":6,"linger_zero":false,"verdict":"RST"}`+"\n", test, f)
	}
	path := filepath.Join(t.TempDir(), "rst.trace")
	// Unread's Close (line 14), and Slurp's read (line 48), standing in
	// for a Close rstlint does not predict.
	if err := os.WriteFile(path, []byte(entry("TestUnread", frame("Unread", 14))+entry("TestSlurp", frame("Slurp", 48))), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := New(map[string]any{"trace": path})
	if err != nil {
		t.Fatal(err)
	}
	as, _ := p.BuildAnalyzers()
	var got []string
	for _, res := range analysistest.Run(new(recorder), dir, as[0], "fixture") {
		for _, d := range res.Diagnostics {
			if fn := enclosingFunc(res, d.Pos); fn == "Unread" || fn == "Slurp" {
				got = append(got, d.Category+"@"+fn+": "+d.Message)
			}
		}
	}
	slices.Sort(got)
	want := []string{
		"runtime-only@Slurp: a Close here reset its conn in TestSlurp (6 bytes unread); rstlint did not predict it",
		"unread-close@Unread: conn c is closed with input never read: RST may destroy our reply; confirmed in TestUnread (6 bytes unread) (conn passed in at fixture.go:12)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
