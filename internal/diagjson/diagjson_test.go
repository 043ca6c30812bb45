package diagjson

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	// Two objects as go vet -json prints them, and one as rstlint -json
	// does (several packages), with an error, an empty result and related
	// positions.
	stream := `{"b": {"rstlint": [{"posn": "b.go:3:2", "category": "unread-close", "message": "m",
		"related": [{"posn": "b.go:1:1", "message": "origin"}]}]}}
{"a [a.test]": {}}
{"d": {"rstlint": {"error": "boom"}}, "c": {"rstlint": null}}`
	var got []Package
	n, err := Read(strings.NewReader(stream), func(p Package) error { got = append(got, p); return nil })
	if err != nil || n != 3 {
		t.Fatalf("Read: %d objects, %v; want 3, nil", n, err)
	}
	want := []Package{
		{ID: "b", Results: map[string]Result{"rstlint": {Diagnostics: []Diagnostic{{Posn: "b.go:3:2", Category: "unread-close",
			Message: "m", Related: []Related{{Posn: "b.go:1:1", Message: "origin"}}}}}}},
		{ID: "a [a.test]", Results: map[string]Result{}},
		{ID: "c", Results: map[string]Result{"rstlint": {}}},
		{ID: "d", Results: map[string]Result{"rstlint": {Error: "boom"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a": {"rstlint": []}} {"b":`, "JSON object 2"},
		{`{"a": {"rstlint": {"other": 1}}}`, "neither a list of diagnostics nor an error"},
		{`[1]`, "JSON object 1"},
	} {
		_, err := Read(strings.NewReader(tc.in), func(Package) error { return nil })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Read(%q) = %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
	stop := errors.New("stop")
	if _, err := Read(strings.NewReader(`{"a": {}} {"b": {}}`), func(Package) error { return stop }); err != stop {
		t.Errorf("fn's error: got %v", err)
	}
}

func TestSplitPosn(t *testing.T) {
	for _, tc := range []struct {
		in        string
		file      string
		line, col int
	}{
		{"/x/a.go:12:3", "/x/a.go", 12, 3},
		{"a.go:12", "a.go", 12, 0},
		{"a.go", "a.go", 0, 0},
		{`C:\x\a.go:4:1`, `C:\x\a.go`, 4, 1},
	} {
		f, l, c := SplitPosn(tc.in)
		if f != tc.file || l != tc.line || c != tc.col {
			t.Errorf("SplitPosn(%q) = %q, %d, %d", tc.in, f, l, c)
		}
	}
}
