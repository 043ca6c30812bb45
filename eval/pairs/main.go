// Command pairs re-runs rstlint on public before/after fix pairs: commits
// of public Go projects that fix a connection reset or a lost end of
// stream, listed in eval/pairs.tsv. For each pair it builds the tree at
// the fix's parent (before) and at the fix (after), runs rstlint on both,
// and says whether rstlint reported the bug at the site the fix changed
// (flagged before) and no longer reports it there once fixed (clean
// after).
//
// Usage:
//
//	go run ./eval/pairs -repos DIR -work DIR [-tool rstlint] [-pairs eval/pairs.tsv]
//	    [-timeout 20m] [-fresh] [-o FILE] [ID...]
//
//	-repos DIR   the git repositories: DIR/owner+name/repo is a git dir (as
//	             the fetch tool leaves it) or a clone (DIR/owner+name/repo/.git,
//	             DIR/owner+name/.git)
//	-work DIR    where the trees go: DIR/ID/before and DIR/ID/after; kept
//	             between runs unless -fresh; rstlint's raw output is saved
//	             beside them (DIR/ID/before.json, DIR/ID/before.stderr, ...)
//	-tool PATH   the rstlint binary (default: rstlint on PATH)
//	-pairs FILE  the table (default eval/pairs.tsv)
//	-timeout D   time limit of one rstlint run, and of each setup step
//	ID...        only these pairs (default: all)
//
// The table is tab-separated with a header naming its columns: id, repo
// (owner/name), fix and parent (full commit hashes; parent is the fix's
// first parent), module_dir (the folder of the module holding the fix),
// pkgs (package patterns, space-separated, relative to module_dir), site
// (the functions the fix changed, in the parent tree: "file.go:Func",
// "file.go:(*T).Method" or "file.go:T.Method", file relative to module_dir,
// several separated by ";"), shape, source (the commit URL), setup and
// note. Lines starting with # are comments.
//
// The trees are read from git with ls-tree and cat-file (a snapshot that
// lacks some large blobs still gives a tree; the missing files are named).
// A tree without a go.mod in module_dir gets one ("module
// github.com/owner/name", "go 1.16"), then "go mod tidy -e". The setup
// column, ";"-separated, adjusts that: "module=PATH" and "go=VERSION"
// change the generated go.mod; "gopath=IMPORTPATH" analyses the tree in
// GOPATH mode instead (GO111MODULE=off, the tree at GOPATH/src/IMPORTPATH,
// its vendor folder in use), for trees from before modules, and
// "gopathadd=DIR" adds a folder of the tree to that GOPATH; "env=NAME=VALUE"
// sets a variable for the setup steps and rstlint (after the defaults, so
// env=GOFLAGS=-mod=vendor analyses a vendored module offline); any other step
// is a shell command run in module_dir of both trees after the go.mod is
// written (e.g. "go get example.com/dep@v1.2.0"). In module mode every go
// command and rstlint run with GOFLAGS=-mod=mod and GOWORK=off; always with
// GOTOOLCHAIN=local unless it is set.
//
// rstlint runs as "TOOL -test=false -json PKGS" in module_dir. A diagnostic
// is at the site when its position lies in the body of one of the site's
// functions (found with go/parser in that tree; closures belong to their
// enclosing function). Flagged before: some diagnostic of the before tree
// at the site. Clean after: none in the after tree at the functions of the
// same names. Fix cleared: some diagnostic at the site of the before tree
// has no twin at the site of the after tree (same category and message,
// file:line positions aside): the fix removed a report, while reports on
// paths the fix did not change may stay. A verdict is "?" when the site's
// package was not analysed (it did not load or type-check, or the run
// timed out).
//
// Output (stdout or -o): a TSV with a header: id, repo, shape,
// flagged_before, clean_after, fix_cleared, build (ok, or the status of each tree: ok,
// partial: N packages not analysed, build failed: ..., timeout), and the
// diagnostics at the site before and after ("file:line category: message",
// separated by " | "). Totals and progress go to stderr.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rstlint/rstlint/internal/diagjson"
)

func main() {
	var (
		pairsFile = flag.String("pairs", "eval/pairs.tsv", "the table of pairs")
		reposDir  = flag.String("repos", "", "folder of the git repositories (owner+name/repo)")
		workDir   = flag.String("work", "", "folder for the trees (ID/before, ID/after)")
		tool      = flag.String("tool", "rstlint", "the rstlint binary")
		timeout   = flag.Duration("timeout", 20*time.Minute, "time limit of one rstlint run or setup step")
		fresh     = flag.Bool("fresh", false, "make the trees again even if they exist")
		outFile   = flag.String("o", "", "write the TSV here instead of stdout")
	)
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: pairs -repos DIR -work DIR [-tool rstlint] [-pairs eval/pairs.tsv] [-timeout 20m] [-fresh] [-o FILE] [ID...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *reposDir == "" || *workDir == "" {
		flag.Usage()
		os.Exit(2)
	}
	pairs, err := readPairs(*pairsFile)
	if err != nil {
		fatal(err)
	}
	if ids := flag.Args(); len(ids) > 0 {
		var sel []pair
		for _, id := range ids {
			i := slices.IndexFunc(pairs, func(p pair) bool { return p.ID == id })
			if i < 0 {
				fatal(fmt.Errorf("no pair %q in %s", id, *pairsFile))
			}
			sel = append(sel, pairs[i])
		}
		pairs = sel
	}
	toolPath, err := exec.LookPath(*tool)
	if err != nil {
		fatal(err)
	}
	if toolPath, err = filepath.Abs(toolPath); err != nil {
		fatal(err)
	}
	out := os.Stdout
	if *outFile != "" {
		if out, err = os.Create(*outFile); err != nil {
			fatal(err)
		}
	}
	r := runner{repos: *reposDir, work: *workDir, tool: toolPath, timeout: *timeout, fresh: *fresh}
	w := bufio.NewWriter(out)
	fmt.Fprintln(w, "id\trepo\tshape\tflagged_before\tclean_after\tfix_cleared\tbuild\tdiags_before\tdiags_after")
	var flagged, clean, cleared, unknown int
	for _, p := range pairs {
		res := r.run(p)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Repo, p.Shape, res.flagged, res.clean, res.cleared,
			res.build(), oneLine(strings.Join(res.before, " | ")), oneLine(strings.Join(res.after, " | ")))
		w.Flush()
		switch res.flagged {
		case "yes":
			flagged++
			if res.clean == "yes" {
				clean++
			}
			if res.cleared == "yes" {
				cleared++
			}
		case "?":
			unknown++
		}
		logf("%s: flagged before %s, clean after %s, fix cleared %s, build %s", p.ID, res.flagged, res.clean, res.cleared, res.build())
	}
	if err := w.Flush(); err != nil {
		fatal(err)
	}
	if out != os.Stdout {
		if err := out.Close(); err != nil {
			fatal(err)
		}
	}
	logf("%d pairs: flagged before %d, clean after %d of those, the fix cleared a report in %d of those; %d not decided",
		len(pairs), flagged, clean, cleared, unknown)
}

// pair is one row of the table.
type pair struct {
	ID, Repo, Fix, Parent, ModuleDir, Pkgs, Site, Shape, Source, Setup, Note string
}

// readPairs reads the table: a header naming the columns, then one pair a
// line; blank lines and lines starting with # are skipped.
func readPairs(file string) ([]pair, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var cols []string
	var pairs []pair
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if cols == nil {
			cols = fields
			for _, need := range []string{"id", "repo", "fix", "parent", "module_dir", "pkgs", "site"} {
				if !slices.Contains(cols, need) {
					return nil, fmt.Errorf("%s: the header has no column %q", file, need)
				}
			}
			continue
		}
		if len(fields) > len(cols) {
			return nil, fmt.Errorf("%s:%d: %d fields, the header has %d", file, n+1, len(fields), len(cols))
		}
		get := func(name string) string {
			if i := slices.Index(cols, name); i >= 0 && i < len(fields) {
				return strings.TrimSpace(fields[i])
			}
			return ""
		}
		p := pair{ID: get("id"), Repo: get("repo"), Fix: get("fix"), Parent: get("parent"),
			ModuleDir: get("module_dir"), Pkgs: get("pkgs"), Site: get("site"), Shape: get("shape"),
			Source: get("source"), Setup: get("setup"), Note: get("note")}
		if p.ID == "" || p.Repo == "" || p.Fix == "" || p.Parent == "" || p.Site == "" {
			return nil, fmt.Errorf("%s:%d: id, repo, fix, parent and site are required", file, n+1)
		}
		if p.ModuleDir == "" {
			p.ModuleDir = "."
		}
		if p.Pkgs == "" {
			p.Pkgs = "./..."
		}
		if _, err := parseSites(p.Site); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", file, n+1, err)
		}
		pairs = append(pairs, p)
	}
	return pairs, nil
}

// runner runs the pairs.
type runner struct {
	repos, work, tool string
	timeout           time.Duration
	fresh             bool
}

// result is what one pair gave.
type result struct {
	flagged, clean, cleared string // yes, no, ?
	beforeBuild, afterBuild string
	before, after           []string // diagnostics at the site
}

func (r result) build() string {
	if r.beforeBuild == "ok" && r.afterBuild == "ok" {
		return "ok"
	}
	return "before: " + r.beforeBuild + "; after: " + r.afterBuild
}

func (r *runner) run(p pair) result {
	sites, _ := parseSites(p.Site)
	gitDir, err := findGitDir(r.repos, p.Repo)
	if err != nil {
		msg := "build failed: " + err.Error()
		return result{flagged: "?", clean: "?", beforeBuild: msg, afterBuild: msg}
	}
	if first, err := gitOut(gitDir, "rev-parse", p.Fix+"^1"); err == nil && first != p.Parent {
		logf("%s: warning: the first parent of %s is %s, not %s", p.ID, p.Fix, first, p.Parent)
	}
	var res result
	var at [2][]string
	var decided [2]bool
	for i, tree := range []struct{ name, commit string }{{"before", p.Parent}, {"after", p.Fix}} {
		st, diags, ok := r.tree(p, gitDir, tree.name, tree.commit, sites)
		if i == 0 {
			res.beforeBuild = st
		} else {
			res.afterBuild = st
		}
		at[i], decided[i] = diags, ok
	}
	res.before, res.after = at[0], at[1]
	switch {
	case !decided[0]:
		res.flagged = "?"
	case len(at[0]) > 0:
		res.flagged = "yes"
	default:
		res.flagged = "no"
	}
	switch {
	case !decided[1]:
		res.clean = "?"
	case len(at[1]) > 0:
		res.clean = "no"
	default:
		res.clean = "yes"
	}
	switch {
	case res.flagged != "yes" || !decided[1]:
		res.cleared = res.flagged
		if res.flagged == "yes" {
			res.cleared = "?"
		}
	case clearedOne(at[0], at[1]):
		res.cleared = "yes"
	default:
		res.cleared = "no"
	}
	return res
}

// clearedOne reports whether some diagnostic of before has no twin in
// after: one of the same category and message once file:line positions
// are set aside (the fix moves lines), counted as a multiset, so that one
// of two identical reports going away counts.
func clearedOne(before, after []string) bool {
	left := make(map[string]int)
	for _, d := range after {
		left[positionless(d)]++
	}
	for _, d := range before {
		k := positionless(d)
		if left[k] == 0 {
			return true
		}
		left[k]--
	}
	return false
}

// positionRE matches a file:line (and :column) position, as the
// diagnostics of the output start with and their messages quote.
var positionRE = regexp.MustCompile(`[\w./-]+\.go:\d+(:\d+)?`)

// positionless is a site diagnostic ("file:line category: message")
// with every position replaced by the file's base name alone.
func positionless(d string) string {
	return positionRE.ReplaceAllStringFunc(d, func(pos string) string {
		return path.Base(pos[:strings.Index(pos, ".go:")+len(".go")])
	})
}

// tree makes one tree, analyses it and returns its build status, the
// diagnostics at the site, and whether the site's packages were analysed.
func (r *runner) tree(p pair, gitDir, name, commit string, sites []site) (status string, atSite []string, decided bool) {
	top, err := filepath.Abs(filepath.Join(r.work, p.ID, name))
	if err != nil {
		return "build failed: " + err.Error(), nil, false
	}
	st := parseSetup(p)
	// The tree goes to top, or in GOPATH mode to top/gopath/src/IMPORTPATH.
	root, env := top, moduleEnv()
	if st.gopath != "" {
		root = filepath.Join(top, "gopath", "src", filepath.FromSlash(st.gopath))
		gopath := []string{filepath.Join(top, "gopath")}
		for _, d := range st.gopathAdd {
			gopath = append(gopath, filepath.Join(root, filepath.FromSlash(d)))
		}
		env = gopathEnv(strings.Join(gopath, string(filepath.ListSeparator)))
	}
	env = append(env, st.env...)
	modDir := filepath.Join(root, filepath.FromSlash(p.ModuleDir))
	if r.fresh {
		if err := os.RemoveAll(top); err != nil {
			return "build failed: " + err.Error(), nil, false
		}
	}
	done := filepath.Join(top, ".pairs-ready")
	if _, err := os.Stat(done); err != nil {
		logf("%s: %s: extracting %s", p.ID, name, commit)
		if err := os.RemoveAll(top); err != nil {
			return "build failed: " + err.Error(), nil, false
		}
		if err := extract(gitDir, commit, root); err != nil {
			return "build failed: " + err.Error(), nil, false
		}
		if err := r.setup(st, modDir, env); err != nil {
			return "build failed: setup: " + err.Error(), nil, false
		}
		if err := os.WriteFile(done, nil, 0o644); err != nil {
			return "build failed: " + err.Error(), nil, false
		}
	}

	logf("%s: %s: rstlint %s", p.ID, name, p.Pkgs)
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	args := append([]string{"-test=false", "-json"}, strings.Fields(p.Pkgs)...)
	stdout, stderr, runErr := command(ctx, modDir, env, r.tool, args...)
	_ = os.WriteFile(filepath.Join(r.work, p.ID, name+".json"), stdout, 0o644)
	_ = os.WriteFile(filepath.Join(r.work, p.ID, name+".stderr"), stderr, 0o644)
	if ctx.Err() != nil {
		return fmt.Sprintf("timeout after %v", r.timeout), nil, false
	}

	diags, pkgErrs, err := readJSON(stdout)
	if err != nil || (len(diags) == 0 && len(pkgErrs) == 0 && runErr != nil && !isExit(runErr, 3)) {
		return "build failed: " + firstLine(stderr, err), nil, false
	}
	status = "ok"
	if len(pkgErrs) > 0 {
		status = fmt.Sprintf("partial: %d packages not analysed", len(pkgErrs))
	}

	// The site's packages must have been analysed for a verdict.
	modPath := modulePath(filepath.Join(modDir, "go.mod"))
	if st.gopath != "" {
		modPath = path.Join(st.gopath, p.ModuleDir)
	}
	decided = true
	seen := map[string]bool{}
	for _, s := range sites {
		pkg := modPath
		if d := path.Dir(s.File); d != "." {
			pkg += "/" + d
		}
		if seen[pkg] {
			continue
		}
		seen[pkg] = true
		if msg, bad := pkgErrs[pkg]; bad {
			decided = false
			status += "; site package " + pkg + ": " + short(msg)
		}
	}

	var ranges []funcRange
	for _, s := range sites {
		rs, err := findFuncs(filepath.Join(modDir, filepath.FromSlash(s.File)), s)
		if err != nil && name == "before" {
			logf("%s: %s: site %s: %v", p.ID, name, s, err)
		}
		ranges = append(ranges, rs...)
	}
	for _, d := range diags {
		file, line, _ := diagjson.SplitPosn(d.Posn)
		rel, err := filepath.Rel(modDir, file)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		if slices.ContainsFunc(ranges, func(fr funcRange) bool { return fr.contains(rel, line) }) {
			atSite = append(atSite, fmt.Sprintf("%s:%d %s: %s", rel, line, d.Category, d.Message))
		}
	}
	return status, atSite, decided
}

// setupSteps is the setup column of a pair, parsed.
type setupSteps struct {
	modPath, goVersion string   // of a go.mod written where there is none
	gopath             string   // GOPATH mode: the tree's import path
	gopathAdd          []string // GOPATH mode: folders of the tree added to GOPATH
	env                []string // NAME=VALUE, added to the environment
	steps              []string // shell commands
}

// parseSetup reads the setup column: "module=PATH", "go=VERSION",
// "gopath=IMPORTPATH" (analyse in GOPATH mode, GO111MODULE=off, the tree at
// GOPATH/src/IMPORTPATH, its vendor folder in use; for trees from before
// modules), "gopathadd=DIR" (a folder of the tree, relative to its root,
// added to GOPATH: the vendor/ of the days before vendor folders),
// "env=NAME=VALUE" (set for the setup steps and rstlint, after the defaults:
// env=GOFLAGS=-mod=vendor analyses a vendored module offline) and shell
// commands, separated by ";".
func parseSetup(p pair) setupSteps {
	st := setupSteps{modPath: "github.com/" + p.Repo, goVersion: "1.16"}
	for _, step := range strings.Split(p.Setup, ";") {
		step = strings.TrimSpace(step)
		switch {
		case step == "" || step == "-":
		case strings.HasPrefix(step, "module="):
			st.modPath = strings.TrimPrefix(step, "module=")
		case strings.HasPrefix(step, "go="):
			st.goVersion = strings.TrimPrefix(step, "go=")
		case strings.HasPrefix(step, "gopath="):
			st.gopath = strings.TrimPrefix(step, "gopath=")
		case strings.HasPrefix(step, "gopathadd="):
			st.gopathAdd = append(st.gopathAdd, strings.TrimPrefix(step, "gopathadd="))
		case strings.HasPrefix(step, "env="):
			st.env = append(st.env, strings.TrimPrefix(step, "env="))
		default:
			st.steps = append(st.steps, step)
		}
	}
	return st
}

// setup writes a go.mod where the module has none (not in GOPATH mode) and
// runs the setup commands, in modDir.
func (r *runner) setup(st setupSteps, modDir string, env []string) error {
	steps := st.steps
	if _, err := os.Stat(filepath.Join(modDir, "go.mod")); st.gopath == "" && errors.Is(err, os.ErrNotExist) {
		gomod := fmt.Sprintf("module %s\n\ngo %s\n", st.modPath, st.goVersion)
		if err := os.WriteFile(filepath.Join(modDir, "go.mod"), []byte(gomod), 0o644); err != nil {
			return err
		}
		steps = append([]string{"go mod tidy -e"}, steps...)
	}
	for _, step := range steps {
		ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
		_, stderr, err := command(ctx, modDir, env, "sh", "-c", step)
		cancel()
		if err != nil {
			return fmt.Errorf("%s: %s", step, firstLine(stderr, err))
		}
	}
	return nil
}

// moduleEnv is the environment of every go command and rstlint run in
// module mode.
func moduleEnv() []string {
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if os.Getenv("GOTOOLCHAIN") == "" {
		env = append(env, "GOTOOLCHAIN=local")
	}
	return env
}

// gopathEnv is the environment in GOPATH mode.
func gopathEnv(gopath string) []string {
	env := append(os.Environ(), "GO111MODULE=off", "GOPATH="+gopath, "GOFLAGS=", "GOWORK=off")
	if os.Getenv("GOTOOLCHAIN") == "" {
		env = append(env, "GOTOOLCHAIN=local")
	}
	return env
}

// command runs name in dir with env, in its own process group so that a
// timeout ends its children too.
func command(ctx context.Context, dir string, env []string, name string, args ...string) (stdout, stderr []byte, err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.Bytes(), errb.Bytes(), err
}

func isExit(err error, code int) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == code
}

// readJSON reads rstlint's -json output: the diagnostics, and the packages
// it could not analyse with their errors.
func readJSON(data []byte) ([]diagjson.Diagnostic, map[string]string, error) {
	var diags []diagjson.Diagnostic
	errs := map[string]string{}
	_, err := diagjson.Read(bytes.NewReader(data), func(p diagjson.Package) error {
		for _, res := range p.Results {
			if res.Error != "" {
				errs[p.ID] = res.Error
			}
			diags = append(diags, res.Diagnostics...)
		}
		return nil
	})
	return diags, errs, err
}

// findGitDir finds the git directory of repo (owner/name) below dir.
func findGitDir(dir, repo string) (string, error) {
	base := filepath.Join(dir, strings.Replace(repo, "/", "+", 1))
	for _, cand := range []string{filepath.Join(base, "repo", ".git"), filepath.Join(base, "repo"), filepath.Join(base, ".git"), base} {
		if st, err := os.Stat(filepath.Join(cand, "objects")); err == nil && st.IsDir() {
			return filepath.Abs(cand)
		}
	}
	return "", fmt.Errorf("no git directory for %s below %s", repo, dir)
}

func gitOut(gitDir string, args ...string) (string, error) {
	out, err := exec.Command("git", append([]string{"--git-dir=" + gitDir}, args...)...).Output()
	return strings.TrimSpace(string(out)), err
}

// extract writes the tree of commit into dest. It reads the tree with git
// ls-tree and the files with git cat-file, not git archive, so that a
// snapshot that lacks some large blobs (as fetched snapshots may) still
// gives a tree: a missing file is left out and named on stderr.
func extract(gitDir, commit, dest string) error {
	list, err := exec.Command("git", "--git-dir="+gitDir, "ls-tree", "-r", "-z", "--full-tree", commit).Output()
	if err != nil {
		return fmt.Errorf("git ls-tree %s: %v", commit, err)
	}
	type entry struct{ mode, hash, path string }
	var entries []entry
	for _, rec := range strings.Split(string(list), "\x00") {
		// "<mode> <type> <hash>\t<path>"
		meta, file, ok := strings.Cut(rec, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 3 || f[1] != "blob" {
			continue // empty record, or a submodule
		}
		entries = append(entries, entry{f[0], f[2], file})
	}

	cmd := exec.Command("git", "--git-dir="+gitDir, "cat-file", "--batch")
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		w := bufio.NewWriter(in)
		for _, e := range entries {
			fmt.Fprintln(w, e.hash)
		}
		w.Flush()
		in.Close()
	}()
	out := bufio.NewReaderSize(outPipe, 1<<20)
	var missing []string
	for _, e := range entries {
		// "<hash> blob <size>\n<content>\n", or "<hash> missing\n"
		header, err := out.ReadString('\n')
		if err != nil {
			return fmt.Errorf("git cat-file: %v", err)
		}
		f := strings.Fields(header)
		if len(f) != 3 {
			missing = append(missing, e.path)
			continue
		}
		var size int64
		if _, err := fmt.Sscan(f[2], &size); err != nil {
			return fmt.Errorf("git cat-file: bad header %q", header)
		}
		data := make([]byte, size+1)
		if _, err := io.ReadFull(out, data); err != nil {
			return fmt.Errorf("git cat-file: %v", err)
		}
		name := filepath.Clean(filepath.FromSlash(e.path))
		if strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			continue
		}
		target := filepath.Join(dest, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		switch e.mode {
		case "120000":
			_ = os.Symlink(string(data[:size]), target)
		default:
			perm := os.FileMode(0o644)
			if e.mode == "100755" {
				perm = 0o755
			}
			if err := os.WriteFile(target, data[:size], perm); err != nil {
				return err
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git cat-file: %v", err)
	}
	if len(missing) > 0 {
		logf("%d files of %s are not in the snapshot, left out: %s", len(missing), commit, strings.Join(missing, " "))
	}
	return nil
}

// modulePath reads the module path of a go.mod.
func modulePath(gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// site is one function of the site column: File (slash-separated, relative
// to the module folder), the receiver's type name (none for a function)
// and the function's name.
type site struct {
	File, Recv, Name string
}

func (s site) String() string {
	if s.Recv != "" {
		return fmt.Sprintf("%s:(%s).%s", s.File, s.Recv, s.Name)
	}
	return s.File + ":" + s.Name
}

// parseSites parses "file.go:Func;file.go:(*T).M;file.go:T.M".
func parseSites(spec string) ([]site, error) {
	var sites []site
	for _, part := range strings.Split(spec, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		i := strings.LastIndex(part, ".go:")
		if i < 0 {
			return nil, fmt.Errorf("site %q: want file.go:Func", part)
		}
		s := site{File: path.Clean(part[:i+3])}
		fn := part[i+4:]
		switch {
		case strings.HasPrefix(fn, "("):
			j := strings.Index(fn, ").")
			if j < 0 {
				return nil, fmt.Errorf("site %q: want file.go:(*T).Method", part)
			}
			s.Recv, s.Name = strings.TrimPrefix(fn[1:j], "*"), fn[j+2:]
		case strings.Contains(fn, "."):
			j := strings.Index(fn, ".")
			s.Recv, s.Name = fn[:j], fn[j+1:]
		default:
			s.Name = fn
		}
		if k := strings.Index(s.Recv, "["); k >= 0 { // T[K] names T
			s.Recv = s.Recv[:k]
		}
		if !token.IsIdentifier(s.Name) || (s.Recv != "" && !token.IsIdentifier(s.Recv)) {
			return nil, fmt.Errorf("site %q: bad function name", part)
		}
		sites = append(sites, s)
	}
	if len(sites) == 0 {
		return nil, errors.New("empty site")
	}
	return sites, nil
}

// funcRange is the lines of a function's body in a file.
type funcRange struct {
	File       string // as in the site
	Start, End int
}

func (r funcRange) contains(file string, line int) bool {
	return file == r.File && r.Start <= line && line <= r.End
}

// findFuncs parses file and returns the body of the function s names (none
// if the file or the function is not there).
func findFuncs(file string, s site) ([]funcRange, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return funcsIn(src, s)
}

// funcsIn returns the bodies of the functions of src that s names.
func funcsIn(src []byte, s site) ([]funcRange, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, s.File, src, parser.SkipObjectResolution)
	if f == nil {
		return nil, err
	}
	var rs []funcRange
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Body == nil || fd.Name.Name != s.Name || recvName(fd) != s.Recv {
			continue
		}
		rs = append(rs, funcRange{File: s.File, Start: fset.Position(fd.Body.Lbrace).Line, End: fset.Position(fd.Body.Rbrace).Line})
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("no function %s in %s", s, s.File)
	}
	return rs, err
}

// recvName is the name of the receiver's type of a method ("" for a
// function), without * or type parameters.
func recvName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	t := fd.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// firstLine is the first non-blank line of a command's stderr, or err.
func firstLine(stderr []byte, err error) string {
	for _, line := range strings.Split(string(stderr), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return short(line)
		}
	}
	if err != nil {
		return short(err.Error())
	}
	return "no output"
}

// short keeps an error message on one line of at most 300 bytes.
func short(s string) string {
	s = oneLine(s)
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// oneLine keeps a text on one TSV field.
func oneLine(s string) string {
	return strings.NewReplacer("\t", " ", "\r", " ", "\n", " ").Replace(s)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pairs: "+format+"\n", args...)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "pairs:", err)
	os.Exit(1)
}
