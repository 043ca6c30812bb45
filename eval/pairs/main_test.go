package main

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// src is the file the site matcher is tested on; the comments give the
// line numbers the tests expect.
const src = `package p // 1

import "net" // 3

func serve(c net.Conn) { // 5
	go func() { // 6
		c.Close() // 7
	}() // 8
} // 9

type T struct{ c net.Conn } // 11

func (t *T) Close() error { // 13
	return t.c.Close() // 14
} // 15

func (t T) Name() string { return "t" } // 17

type G[K comparable] struct{ m map[K]net.Conn } // 19

func (g *G[K]) Close(k K) { // 21
	g.m[k].Close() // 22
} // 23

func Close() {} // 25

func decl() // 27
`

func TestParseSites(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		want    []site
		wantErr string
	}{
		{"a.go:serve", []site{{File: "a.go", Name: "serve"}}, ""},
		{"dir/a.go:(*T).Close", []site{{File: "dir/a.go", Recv: "T", Name: "Close"}}, ""},
		{"a.go:T.Name", []site{{File: "a.go", Recv: "T", Name: "Name"}}, ""},
		{"a.go:(*G[K]).Close", []site{{File: "a.go", Recv: "G", Name: "Close"}}, ""},
		{"./x/../a.go:serve; b.go:(T).Name ;", []site{{File: "a.go", Name: "serve"}, {File: "b.go", Recv: "T", Name: "Name"}}, ""},
		{"a.go", nil, "want file.go:Func"},
		{"a.go:(*T.Close", nil, "want file.go:(*T).Method"},
		{"a.go:serve()", nil, "bad function name"},
		{" ; ", nil, "empty site"},
	} {
		got, err := parseSites(tc.spec)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseSites(%q) = %v, %v; want error containing %q", tc.spec, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseSites(%q) = %v, %v; want %v", tc.spec, got, err, tc.want)
		}
	}
}

func TestFuncsIn(t *testing.T) {
	for _, tc := range []struct {
		site       string
		start, end int // the body's lines; 0 when the function is not there
	}{
		{"a.go:serve", 5, 9},           // a function, with a closure inside
		{"a.go:(*T).Close", 13, 15},    // a method with a pointer receiver
		{"a.go:T.Close", 13, 15},       // named without the star
		{"a.go:T.Name", 17, 17},        // a value receiver, on one line
		{"a.go:(*G[K]).Close", 21, 23}, // a generic receiver
		{"a.go:G.Close", 21, 23},
		{"a.go:Close", 25, 25},   // the function, not the methods of the same name
		{"a.go:decl", 0, 0},      // no body
		{"a.go:(*T).Open", 0, 0}, // no such method
		{"a.go:(*U).Close", 0, 0},
	} {
		sites, err := parseSites(tc.site)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := funcsIn([]byte(src), sites[0])
		if tc.start == 0 {
			if err == nil || len(rs) != 0 {
				t.Errorf("%s: got %v, %v; want no function", tc.site, rs, err)
			}
			continue
		}
		want := []funcRange{{File: "a.go", Start: tc.start, End: tc.end}}
		if err != nil || !reflect.DeepEqual(rs, want) {
			t.Errorf("%s: got %v, %v; want %v", tc.site, rs, err, want)
		}
	}
}

func TestFuncRangeContains(t *testing.T) {
	sites, _ := parseSites("a.go:serve")
	rs, err := funcsIn([]byte(src), sites[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file string
		line int
		want bool
	}{
		{"a.go", 7, true},  // inside the closure: belongs to serve
		{"a.go", 5, true},  // the line of the opening brace
		{"a.go", 9, true},  // the closing brace
		{"a.go", 4, false}, // before
		{"a.go", 14, false},
		{"b.go", 7, false}, // another file
	} {
		if got := rs[0].contains(tc.file, tc.line); got != tc.want {
			t.Errorf("contains(%s, %d) = %v, want %v", tc.file, tc.line, got, tc.want)
		}
	}
}

func TestReadPairs(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/pairs.tsv"
	table := "# a comment\n" +
		"id\trepo\tfix\tparent\tmodule_dir\tpkgs\tsite\tshape\tsource\tsetup\tnote\n" +
		"a\to/n\tf1\tp1\t\t\tx.go:F\tshape\tsrc\tgopath=example.com/n\tnote\n" +
		"\n" +
		"b\to/n\tf2\tp2\tsub\t./cmd/...\tx.go:(*T).M;y.go:G\t\t\t\n"
	if err := writeFile(file, table); err != nil {
		t.Fatal(err)
	}
	pairs, err := readPairs(file)
	if err != nil {
		t.Fatal(err)
	}
	want := []pair{
		{ID: "a", Repo: "o/n", Fix: "f1", Parent: "p1", ModuleDir: ".", Pkgs: "./...", Site: "x.go:F", Shape: "shape",
			Source: "src", Setup: "gopath=example.com/n", Note: "note"},
		{ID: "b", Repo: "o/n", Fix: "f2", Parent: "p2", ModuleDir: "sub", Pkgs: "./cmd/...", Site: "x.go:(*T).M;y.go:G"},
	}
	if !reflect.DeepEqual(pairs, want) {
		t.Errorf("readPairs:\n got  %+v\n want %+v", pairs, want)
	}
	if st := parseSetup(pairs[0]); st.gopath != "example.com/n" || st.modPath != "github.com/o/n" {
		t.Errorf("parseSetup = %+v", st)
	}

	if err := writeFile(file, "id\trepo\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := readPairs(file); err == nil || !strings.Contains(err.Error(), "no column") {
		t.Errorf("readPairs without the needed columns: %v", err)
	}
}

func writeFile(name, data string) error { return os.WriteFile(name, []byte(data), 0o644) }

func TestClearedOne(t *testing.T) {
	before := []string{
		"tcp_proxy.go:38 reject-unread: conn client is closed with input never read",
		"tcp_proxy.go:51 proxy-early-close: conn dialed at tcp_proxy.go:35 is aborted",
	}
	for _, tc := range []struct {
		name   string
		after  []string
		expect bool
	}{
		{"the fixed report gone, another stays", []string{"tcp_proxy.go:40 reject-unread: conn client is closed with input never read"}, true},
		{"both stay, lines moved", []string{
			"tcp_proxy.go:40 reject-unread: conn client is closed with input never read",
			"tcp_proxy.go:55 proxy-early-close: conn dialed at tcp_proxy.go:37 is aborted",
		}, false},
		{"another category at the same line", []string{
			"tcp_proxy.go:38 reject-unread: conn client is closed with input never read",
			"tcp_proxy.go:51 proxy-eof-lost: conn dialed at tcp_proxy.go:35 is aborted",
		}, true},
		{"all gone", nil, true},
	} {
		if got := clearedOne(before, tc.after); got != tc.expect {
			t.Errorf("%s: clearedOne = %v, want %v", tc.name, got, tc.expect)
		}
	}
	// One of two identical reports going away counts.
	twice := []string{"a.go:1 linger-zero: x at a.go:3", "a.go:2 linger-zero: x at a.go:3"}
	if !clearedOne(twice, twice[:1]) {
		t.Error("one of two identical reports gone: clearedOne = false, want true")
	}
	if clearedOne(twice[:1], twice) {
		t.Error("a report added: clearedOne = true, want false")
	}
}
