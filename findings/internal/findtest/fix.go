package findtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// EnvFixed is set in the go test that Fix.Run starts: that test binary was
// built with the fix applied.
const EnvFixed = "FINDINGS_FIXED"

// Fixed reports whether this test binary was built with the fix (see Fix.Run).
func Fixed() bool { return os.Getenv(EnvFixed) != "" }

// Fix is the smallest fix of a finding: a unified diff of one file of a
// public module. Only the diff is kept in this repository; the patched
// module is made at test time from the module cache's copy.
type Fix struct {
	Module string // module path, as in go.mod
	File   string // the file the diff changes, slash-separated, relative to the module's root
	Diff   string // the diff's path, relative to the test's package directory
}

// Run runs the calling test again, in a go test of its own package built
// with the fix applied, with EnvFixed set: there the test checks the fixed
// outcome (Fixed reports true). Run relays that test's log and passes,
// fails or skips as it did.
//
// The module is copied from the module cache to a temporary directory, the
// diff applied to the copy, and the go test uses a temporary go.mod
// (-modfile) that replaces the module with the copy. (An -overlay cannot
// do it: the go command refuses to overlay files in the module cache.)
func (f Fix) Run(t *testing.T) {
	t.Helper()
	modfile := f.prepare(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCmd(t), "test", "-count=1", "-v", "-timeout=9m",
		"-modfile="+modfile, "-run="+runPattern(t.Name()), ".")
	cmd.Env = append(os.Environ(), EnvFixed+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("with the fix (%s, %s patched by %s), go test says:\n%s", f.Module, f.File, f.Diff, indent(out))
	name := regexp.QuoteMeta(t.Name())
	switch {
	case regexp.MustCompile(`(?m)^\s*--- PASS: `+name+` `).Match(out) && err == nil:
	case regexp.MustCompile(`(?m)^\s*--- SKIP: `+name+` `).Match(out) && err == nil:
		t.Skip("skipped with the fix (see its log)")
	default:
		t.Fatalf("the test with the fix did not pass: %v", err)
	}
}

// goCmd returns the go command: go test puts GOROOT/bin first in PATH.
func goCmd(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the fixed module: %v", err)
	}
	return p
}

// goOut runs the go command and returns its standard output.
func goOut(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(goCmd(t), args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%v: %s", err, ee.Stderr)
		}
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// prepare copies the module, patches the copy, and writes the go.mod (and
// go.sum) that replace the module with it; it returns that go.mod's path.
func (f Fix) prepare(t *testing.T) string {
	t.Helper()
	tmp := t.TempDir()
	dir := goOut(t, "list", "-m", "-f", "{{.Dir}}", f.Module)
	copyDir := filepath.Join(tmp, "module")
	if err := os.CopyFS(copyDir, os.DirFS(dir)); err != nil {
		t.Fatalf("copying %s: %v", dir, err)
	}
	file := filepath.Join(copyDir, filepath.FromSlash(f.File))
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	diff, err := os.ReadFile(f.Diff)
	if err != nil {
		t.Fatal(err)
	}
	patched, err := Apply(src, diff)
	if err != nil {
		t.Fatalf("%s does not apply to %s: %v", f.Diff, filepath.Join(dir, f.File), err)
	}
	if err := os.WriteFile(file, patched, 0o644); err != nil {
		t.Fatal(err)
	}

	gomod := goOut(t, "env", "GOMOD")
	modfile := filepath.Join(tmp, "go.mod")
	for _, c := range [][2]string{{gomod, modfile}, {strings.TrimSuffix(gomod, ".mod") + ".sum", strings.TrimSuffix(modfile, ".mod") + ".sum"}} {
		b, err := os.ReadFile(c[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(c[1], b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The go.mod's own directory replacements are relative to its
	// directory: make them absolute for the copy elsewhere.
	var mod struct {
		Replace []struct {
			Old, New struct{ Path, Version string }
		}
	}
	if err := json.Unmarshal([]byte(goOut(t, "mod", "edit", "-json", modfile)), &mod); err != nil {
		t.Fatal(err)
	}
	edits := []string{"mod", "edit", "-replace=" + f.Module + "=" + copyDir}
	for _, r := range mod.Replace {
		if r.New.Version == "" && !filepath.IsAbs(r.New.Path) {
			edits = append(edits, "-replace="+r.Old.Path+"="+filepath.Join(filepath.Dir(gomod), r.New.Path))
		}
	}
	goOut(t, append(edits, modfile)...)
	return modfile
}

// runPattern is the -run pattern that selects exactly the test named name.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

func indent(b []byte) string {
	s := strings.TrimRight(string(b), "\n")
	return "\t| " + strings.ReplaceAll(s, "\n", "\n\t| ")
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@`)

// Apply applies a unified diff of one file to src. Every context and removed
// line must match src exactly where its hunk says: a diff made for another
// version of the file does not apply.
func Apply(src, diff []byte) ([]byte, error) {
	text := string(src)
	final := strings.HasSuffix(text, "\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	dl := strings.Split(strings.TrimSuffix(string(diff), "\n"), "\n")

	var out []string
	pos, i, hunks := 0, 0, 0
	for i < len(dl) && !strings.HasPrefix(dl[i], "@@") {
		i++
	}
	for i < len(dl) {
		m := hunkHeader.FindStringSubmatch(dl[i])
		if m == nil {
			return nil, fmt.Errorf("diff line %d: want a hunk header, got %q", i+1, dl[i])
		}
		start, _ := strconv.Atoi(m[1])
		oldN, newN := count(m[2]), count(m[4])
		if start > 0 {
			start--
		}
		if start < pos || start > len(lines) {
			return nil, fmt.Errorf("hunk at line %d is out of order or beyond the file's %d lines", start+1, len(lines))
		}
		out = append(out, lines[pos:start]...)
		pos = start
		hunks++
		gotOld, gotNew := 0, 0
		for i++; i < len(dl) && !strings.HasPrefix(dl[i], "@@"); i++ {
			l := dl[i]
			if strings.HasPrefix(l, `\`) { // "\ No newline at end of file"
				continue
			}
			op, body := byte(' '), ""
			if l != "" {
				op, body = l[0], l[1:]
			}
			switch op {
			case ' ', '-':
				if pos >= len(lines) || lines[pos] != body {
					return nil, fmt.Errorf("line %d: want %q, the file has %q", pos+1, body, at(lines, pos))
				}
				if op == ' ' {
					out = append(out, body)
					gotNew++
				}
				pos++
				gotOld++
			case '+':
				out = append(out, body)
				gotNew++
			default:
				return nil, fmt.Errorf("diff line %d: unexpected %q", i+1, l)
			}
		}
		if gotOld != oldN || gotNew != newN {
			return nil, fmt.Errorf("hunk %d: header says -%d +%d lines, its body has -%d +%d", hunks, oldN, newN, gotOld, gotNew)
		}
	}
	if hunks == 0 {
		return nil, fmt.Errorf("no hunk in the diff")
	}
	out = append(out, lines[pos:]...)
	res := strings.Join(out, "\n")
	if final {
		res += "\n"
	}
	return []byte(res), nil
}

func count(s string) int {
	if s == "" {
		return 1
	}
	n, _ := strconv.Atoi(s)
	return n
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of file)"
}
