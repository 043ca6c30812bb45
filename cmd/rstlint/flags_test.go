package main

import (
	"slices"
	"strings"
	"testing"
)

// TestTraceArgs: every spelling of -trace before the packages becomes the
// analyzer's -tracefile; after them, or after --, it is left alone.
// RSTLINT_TRACE stands for it when no flag names a trace; under go vet
// (a .cfg argument) only RSTLINT_TRACE names it.
func TestTraceArgs(t *testing.T) {
	for _, tc := range []struct {
		in      []string
		env     string
		out     []string
		path    string
		refused bool
	}{
		{in: []string{"rstlint", "-trace=a", "./..."}, out: []string{"rstlint", "-tracefile=a", "./..."}, path: "a"},
		{in: []string{"rstlint", "-trace", "a", "./..."}, out: []string{"rstlint", "-tracefile=a", "./..."}, path: "a"},
		{in: []string{"rstlint", "--trace=a", "-json", "./..."}, out: []string{"rstlint", "-json", "-tracefile=a", "./..."}, path: "a"},
		{in: []string{"rstlint", "-tracefile", "a", "p"}, out: []string{"rstlint", "-tracefile=a", "p"}, path: "a"},
		{in: []string{"rstlint", "-json", "p", "-trace=a"}, out: []string{"rstlint", "-json", "p", "-trace=a"}},
		{in: []string{"rstlint", "--", "-trace=a"}, out: []string{"rstlint", "--", "-trace=a"}},
		{in: []string{"rstlint", "-tracex=a"}, out: []string{"rstlint", "-tracex=a"}},
		{in: []string{"rstlint", "p"}, env: "e", out: []string{"rstlint", "-tracefile=e", "p"}, path: "e"},
		{in: []string{"rstlint", "-trace=a", "p"}, env: "e", out: []string{"rstlint", "-tracefile=a", "p"}, path: "a"},
		{in: []string{"rstlint", "-json", "x.cfg"}, env: "e", out: []string{"rstlint", "-json", "-tracefile=e", "x.cfg"}, path: "e"},
		{in: []string{"rstlint", "-tracefile=e", "x.cfg"}, env: "e", out: []string{"rstlint", "-tracefile=e", "x.cfg"}, path: "e"},
		{in: []string{"rstlint", "x.cfg"}, out: []string{"rstlint", "x.cfg"}},
		{in: []string{"rstlint", "-tracefile=a", "x.cfg"}, refused: true},
		{in: []string{"rstlint", "-tracefile=a", "x.cfg"}, env: "e", refused: true},
	} {
		out, path, err := traceArgs(tc.in, tc.env)
		if tc.refused {
			if err == nil || !strings.Contains(err.Error(), "RSTLINT_TRACE=a") {
				t.Errorf("traceArgs(%q, %q): err %v, want it refused, naming RSTLINT_TRACE=a", tc.in, tc.env, err)
			}
			continue
		}
		if err != nil || !slices.Equal(out, tc.out) || path != tc.path {
			t.Errorf("traceArgs(%q, %q) = %q, %q, %v; want %q, %q", tc.in, tc.env, out, path, err, tc.out, tc.path)
		}
	}
}
