// Command costbench measures what rstlint costs where users run it, beside
// the nilness pass (the same SSA cost class) run the same way:
//
//   - standalone: `rstlint ./...` against `nilness ./...` (both singlechecker
//     commands), on each target;
//   - golangci-lint: one custom golangci-lint binary with the rstlint plugin
//     (integration/golangci.sh builds it), run with rstlint alone and with
//     govet running nilness alone, its cache cleaned before each run;
//   - gopls: `gopls check FILE` with gopls built with rstlint
//     (integration/gopls.sh) and stock gopls, each on a fresh gopls cache.
//
// Targets are "tiny" (a 7-line program that imports net/http, written to
// a temporary module), "std" (standalone only), or module folders (the
// evaluation's projects). Runs alternate (rstlint, then its baseline) for
// -rounds rounds after one untimed warm-up of each, so the build cache is
// warm and the machine's drift falls on both. Each run's wall time and the
// peak RSS of its process tree (wait4's ru_maxrss) are recorded; the
// medians and their ratios are printed, one line per target and driver:
//
//	standalone  tiny   rstlint 5.1s 560MiB  nilness 4.9s 515MiB  ratio 1.04x time 1.09x RSS
//
// Usage:
//
//	costbench -rstlint BIN -nilness BIN [-gcl BIN] [-gopls BIN -gopls-stock BIN] [-rounds N] target...
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

var (
	rounds     = flag.Int("rounds", 3, "timed runs of each tool per target")
	rstlint    = flag.String("rstlint", "", "the rstlint command")
	nilness    = flag.String("nilness", "", "a singlechecker of nilness (bench/nilnessvet)")
	gcl        = flag.String("gcl", "", "a golangci-lint custom build with the rstlint plugin (optional)")
	goplsRst   = flag.String("gopls", "", "gopls built with rstlint (optional)")
	goplsStock = flag.String("gopls-stock", "", "stock gopls of the same version (with -gopls)")
	timeout    = flag.Duration("timeout", 30*time.Minute, "limit of one run")
)

// run is one measured command.
type run struct {
	wall time.Duration
	rss  int64 // KiB
}

func main() {
	flag.Parse()
	if *rstlint == "" || *nilness == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: costbench -rstlint BIN -nilness BIN [-gcl BIN] [-gopls BIN -gopls-stock BIN] [-rounds N] target...")
		os.Exit(2)
	}
	work, err := os.MkdirTemp("", "costbench")
	check(err)
	defer os.RemoveAll(work)
	fmt.Printf("# costbench: %d rounds, alternating; medians of wall time and peak RSS; %s\n", *rounds, goVersion())
	for _, target := range flag.Args() {
		dir, pattern := target, "./..."
		switch target {
		case "tiny":
			dir = filepath.Join(work, "tiny")
			writeTiny(dir)
		case "std":
			dir, pattern = work, "std"
		}
		compare("standalone", target,
			cmd(dir, *rstlint, "-test=false", pattern), cmd(dir, *nilness, "-test=false", pattern), "rstlint", "nilness")
		if target == "std" {
			continue
		}
		if *gcl != "" {
			rstCfg, nilCfg := writeGolangciConfigs(work)
			cache := filepath.Join(work, "gcl-cache")
			clean := func() { c := exec.Command(*gcl, "cache", "clean"); c.Env = gclEnv(cache); c.Run() }
			compareWith("golangci", target, clean,
				gclCmd(dir, cache, rstCfg), gclCmd(dir, cache, nilCfg), "rstlint", "govet/nilness")
		}
		if *goplsRst != "" && *goplsStock != "" {
			file := firstNetFile(dir)
			if file == "" {
				fmt.Printf("gopls       %-28s no file importing net: skipped\n", short(target))
				continue
			}
			compareWith("gopls", target+" "+filepath.Base(file), nil,
				goplsCmd(work, dir, *goplsRst, file), goplsCmd(work, dir, *goplsStock, file), "with rstlint", "stock")
		}
	}
}

// command is how to start one measured run: a fresh *exec.Cmd each time.
type command func() *exec.Cmd

func cmd(dir, bin string, args ...string) command {
	return func() *exec.Cmd {
		c := exec.Command(bin, args...)
		c.Dir = dir
		c.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		return c
	}
}

func compare(driver, target string, a, b command, an, bn string) {
	compareWith(driver, target, nil, a, b, an, bn)
}

// compareWith warms up both commands, then alternates them, calling
// before (if set) before each run, and prints the medians.
func compareWith(driver, target string, before func(), a, b command, an, bn string) {
	measure := func(c command) (run, error) {
		if before != nil {
			before()
		}
		return measureOnce(c())
	}
	for _, c := range []command{a, b} {
		if _, err := measure(c); err != nil {
			fmt.Printf("%-11s %-28s warm-up failed: %v\n", driver, short(target), err)
			return
		}
	}
	var ra, rb []run
	for i := 0; i < *rounds; i++ {
		for _, x := range []struct {
			c   command
			out *[]run
		}{{a, &ra}, {b, &rb}} {
			r, err := measure(x.c)
			if err != nil {
				fmt.Printf("%-11s %-28s failed: %v\n", driver, short(target), err)
				return
			}
			*x.out = append(*x.out, r)
		}
	}
	ma, mb := median(ra), median(rb)
	fmt.Printf("%-11s %-28s %s %6.1fs %5dMiB  %s %6.1fs %5dMiB  ratio %.2fx time %.2fx RSS\n",
		driver, short(target), an, ma.wall.Seconds(), ma.rss/1024, bn, mb.wall.Seconds(), mb.rss/1024,
		ma.wall.Seconds()/mb.wall.Seconds(), float64(ma.rss)/float64(mb.rss))
}

// measureOnce runs c and returns its wall time and peak RSS. Exit codes
// 0, 1 (golangci-lint issues) and 3 (diagnostics) are results, not
// failures; anything else is.
func measureOnce(c *exec.Cmd) (run, error) {
	var out strings.Builder
	c.Stdout, c.Stderr = &out, &out
	start := time.Now()
	if err := c.Start(); err != nil {
		return run{}, err
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		code := c.ProcessState.ExitCode()
		if err != nil && code != 1 && code != 3 {
			return run{}, fmt.Errorf("%s: %v\n%s", strings.Join(c.Args, " "), err, tail(out.String()))
		}
	case <-time.After(*timeout):
		c.Process.Kill()
		<-done
		return run{}, fmt.Errorf("%s: timed out after %v", strings.Join(c.Args, " "), *timeout)
	}
	ru := c.ProcessState.SysUsage().(*syscall.Rusage)
	return run{wall: time.Since(start), rss: ru.Maxrss}, nil
}

func median(rs []run) run {
	ws := make([]time.Duration, len(rs))
	ss := make([]int64, len(rs))
	for i, r := range rs {
		ws[i], ss[i] = r.wall, r.rss
	}
	slices.Sort(ws)
	slices.Sort(ss)
	return run{wall: ws[len(ws)/2], rss: ss[len(ss)/2]}
}

// writeTiny writes the 7-line program that imports net/http.
func writeTiny(dir string) {
	check(os.MkdirAll(dir, 0o755))
	check(os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module tiny\n\ngo 1.26\n"), 0o644))
	check(os.WriteFile(filepath.Join(dir, "main.go"), []byte(`package main

import "net/http"

func main() {
	http.ListenAndServe("127.0.0.1:8080", http.FileServer(http.Dir(".")))
}
`), 0o644))
}

// writeGolangciConfigs writes a configuration running rstlint alone and
// one running govet with nilness alone.
func writeGolangciConfigs(work string) (rst, nilness string) {
	rst, nilness = filepath.Join(work, "rstlint.yml"), filepath.Join(work, "nilness.yml")
	check(os.WriteFile(rst, []byte(`version: "2"
linters:
  default: none
  enable:
    - rstlint
  settings:
    custom:
      rstlint:
        type: module
`), 0o644))
	check(os.WriteFile(nilness, []byte(`version: "2"
linters:
  default: none
  enable:
    - govet
  settings:
    govet:
      disable-all: true
      enable:
        - nilness
`), 0o644))
	return rst, nilness
}

func gclEnv(cache string) []string {
	return append(os.Environ(), "GOLANGCI_LINT_CACHE="+cache, "GOFLAGS=-mod=mod")
}

func gclCmd(dir, cache, cfg string) command {
	return func() *exec.Cmd {
		c := exec.Command(*gcl, "run", "-c", cfg, "--issues-exit-code=0", "--tests=false", "--show-stats=false", "./...")
		c.Dir = dir
		c.Env = gclEnv(cache)
		return c
	}
}

// goplsCmd runs `gopls check` on file with a gopls cache of its own,
// fresh for each run (XDG_CACHE_HOME holds gopls' file cache on Linux).
func goplsCmd(work, dir, bin, file string) command {
	n := 0
	return func() *exec.Cmd {
		n++
		cache := filepath.Join(work, fmt.Sprintf("gopls-cache-%s-%d", filepath.Base(filepath.Dir(bin)), n))
		os.RemoveAll(cache)
		c := exec.Command(bin, "check", file)
		c.Dir = dir
		c.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache, "GOFLAGS=-mod=mod")
		return c
	}
}

// firstNetFile is a non-test Go file of dir's module that imports "net"
// or "net/http", in walk order: the file gopls checks.
func firstNetFile(dir string) string {
	var found string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || found != "" {
			return filepath.SkipDir
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "vendor" || strings.HasPrefix(d.Name(), ".")) && path != dir {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			if b, err := os.ReadFile(path); err == nil && (strings.Contains(string(b), "\"net\"") || strings.Contains(string(b), "\"net/http\"")) {
				found = path
			}
		}
		return nil
	})
	return found
}

func goVersion() string {
	out, _ := exec.Command("go", "env", "GOVERSION").Output()
	return strings.TrimSpace(string(out))
}

func short(target string) string {
	if len(target) > 28 {
		return "…" + target[len(target)-27:]
	}
	return target
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-10):], "\n")
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "costbench:", err)
		os.Exit(1)
	}
}
