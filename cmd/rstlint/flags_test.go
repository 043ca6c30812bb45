package main

import (
	"slices"
	"testing"
)

// TestTraceFlag: every spelling of -trace before the packages becomes the
// analyzer's -tracefile; after them, or after --, it is left alone.
func TestTraceFlag(t *testing.T) {
	for _, tc := range []struct {
		in, out []string
		path    string
	}{
		{[]string{"rstlint", "-trace=a", "./..."}, []string{"rstlint", "-tracefile=a", "./..."}, "a"},
		{[]string{"rstlint", "-trace", "a", "./..."}, []string{"rstlint", "-tracefile=a", "./..."}, "a"},
		{[]string{"rstlint", "--trace=a", "-json", "./..."}, []string{"rstlint", "-tracefile=a", "-json", "./..."}, "a"},
		{[]string{"rstlint", "-tracefile", "a", "p"}, []string{"rstlint", "-tracefile=a", "p"}, "a"},
		{[]string{"rstlint", "-json", "p", "-trace=a"}, []string{"rstlint", "-json", "p", "-trace=a"}, ""},
		{[]string{"rstlint", "--", "-trace=a"}, []string{"rstlint", "--", "-trace=a"}, ""},
		{[]string{"rstlint", "-tracex=a"}, []string{"rstlint", "-tracex=a"}, ""},
	} {
		out, path := traceFlag(tc.in)
		if !slices.Equal(out, tc.out) || path != tc.path {
			t.Errorf("traceFlag(%q) = %q, %q; want %q, %q", tc.in, out, path, tc.out, tc.path)
		}
	}
}
