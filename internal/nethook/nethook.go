// Package nethook builds the go command overlay with which rstlint-test
// runs a project's own tests: package net of the user's GOROOT with a hook
// at the top of (*conn).Close that records, in a trace rstlint -trace
// reads, every Close after which Linux answers with RST.
//
// Its one job is the overlay: check that the toolchain's net has the
// exact shape the patch expects, patch copies of two files, add the hook's
// file, and write them with the overlay JSON in a cache directory keyed by
// what they contain. GOROOT is only read.
package nethook

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// EnvVar names the trace file the hook appends to. It is not
// internal/trace.EnvVar (RSTTEST_TRACE), so that a Watcher in the tests
// and the hook do not record the same Close twice into one file.
const EnvVar = "RSTLINT_NETHOOK_TRACE"

// hookSource is the file added to package net. It is not a .go file here:
// it belongs to package net and compiles only there.
//
//go:embed hook.go.in
var hookSource []byte

// HookFile is the name of the file added to GOROOT/src/net in the overlay.
const HookFile = "zz_rstlint_hook_linux.go"

// A patch adds one call to a function of package net. The call goes in
// front of an existing statement, on its line, so that every other line
// of the file keeps its number and std's stack frames stay exact.
type patch struct {
	file   string   // under GOROOT/src/net
	header string   // the function's header line, exactly
	body   []string // its first statements, trimmed, exactly
	before int      // the index in body of the statement the call precedes
	call   string   // the call, with its separator
}

// patches are the two places the hook is called from. The shape is
// checked strictly: a toolchain whose net differs is refused, not guessed
// at.
var patches = []patch{
	{
		file:   "net.go",
		header: "func (c *conn) Close() error {",
		body:   []string{"if !c.ok() {", "return syscall.EINVAL", "}", "err := c.fd.Close()"},
		before: 3,
		call:   "rstlintClose(c); ",
	},
	{
		file:   "fd_posix.go",
		header: "func (fd *netFD) setAddr(laddr, raddr Addr) {",
		body:   []string{"fd.laddr = laddr", "fd.raddr = raddr"},
		before: 0,
		call:   "rstlintOrigin(fd, raddr); ",
	},
}

// ErrShape is wrapped by Prepare's error for a toolchain whose net does
// not have the shape the patch expects.
var ErrShape = errors.New("package net does not have the shape rstlint-test patches")

// Overlay is a prepared overlay.
type Overlay struct {
	// File is the overlay JSON, for go test -overlay=File.
	File string
	// Dir holds File and the files it names.
	Dir string
}

// Prepare checks the net package of goroot (whose go version is version,
// e.g. "go1.26.8", for the messages), writes the overlay under cacheDir
// unless an identical one is there, and returns it. extra are the
// replacements of an overlay the user already gave go test; one that
// replaces a file the hook needs is an error.
func Prepare(goroot, version, cacheDir string, extra map[string]string) (*Overlay, error) {
	netDir := filepath.Join(goroot, "src", "net")
	files := make(map[string][]byte) // GOROOT path -> content
	for _, p := range patches {
		orig := filepath.Join(netDir, p.file)
		src, err := os.ReadFile(orig)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", version, err)
		}
		patched, err := p.apply(src)
		if err != nil {
			return nil, fmt.Errorf("%s (GOROOT %s): %s: %w: %v; rstlint-test supports the Go versions whose net matches it (go1.26, go1.27)", version, goroot, orig, ErrShape, err)
		}
		files[orig] = patched
	}
	files[filepath.Join(netDir, HookFile)] = hookSource

	replace := make(map[string]string, len(files)+len(extra))
	for from, to := range extra {
		if _, ours := files[from]; ours {
			return nil, fmt.Errorf("the -overlay given to go test replaces %s, which rstlint-test patches", from)
		}
		replace[from] = to
	}
	h := sha256.New()
	fmt.Fprintf(h, "nethook v1\n%s\n%s\n", goroot, version)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(h, "%s %d\n", name, len(files[name]))
		h.Write(files[name])
	}
	extraJSON, _ := json.Marshal(extra)
	h.Write(extraJSON)
	dir := filepath.Join(cacheDir, hex.EncodeToString(h.Sum(nil))[:20])
	ov := &Overlay{File: filepath.Join(dir, "overlay.json"), Dir: dir}
	if _, err := os.Stat(ov.File); err == nil {
		return ov, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, name := range names {
		to := filepath.Join(dir, filepath.Base(name))
		if err := writeAtomic(to, files[name]); err != nil {
			return nil, err
		}
		replace[name] = to
	}
	js, err := json.MarshalIndent(struct{ Replace map[string]string }{replace}, "", "\t")
	if err != nil {
		return nil, err
	}
	// The overlay JSON last: its presence says the directory is complete.
	if err := writeAtomic(ov.File, append(js, '\n')); err != nil {
		return nil, err
	}
	return ov, nil
}

// apply returns src with the patch's call added, or why it cannot be.
func (p patch) apply(src []byte) ([]byte, error) {
	lines := strings.SplitAfter(string(src), "\n")
	at := -1
	for i, l := range lines {
		if strings.TrimRight(l, "\r\n") == p.header {
			if at >= 0 {
				return nil, fmt.Errorf("%q appears twice", p.header)
			}
			at = i
		}
	}
	if at < 0 {
		return nil, fmt.Errorf("no line %q", p.header)
	}
	for k, want := range p.body {
		i := at + 1 + k
		if i >= len(lines) || strings.TrimSpace(lines[i]) != want {
			got := "end of file"
			if i < len(lines) {
				got = fmt.Sprintf("%q", strings.TrimSpace(lines[i]))
			}
			return nil, fmt.Errorf("%s: statement %d is %s, want %q", strings.TrimSuffix(p.header, " {"), k+1, got, want)
		}
	}
	i := at + 1 + p.before
	indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
	lines[i] = indent + p.call + lines[i][len(indent):]
	return []byte(strings.Join(lines, "")), nil
}

// ReadOverlay reads the replacements of an overlay JSON the user gave.
func ReadOverlay(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ov struct{ Replace map[string]string }
	if err := json.Unmarshal(data, &ov); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return ov.Replace, nil
}

// writeAtomic writes a file whole or not at all: several rstlint-test
// runs may prepare the same directory at once.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
