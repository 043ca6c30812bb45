// Command vetbench measures what rstlint costs under "go vet", against a
// baseline vet tool made of x/tools' nilness pass alone (bench/nilnessvet).
// Both tools type-check and build SSA for every package, so the ratio
// rstlint/nilness is what rstlint's own analysis adds.
//
// Usage (from anywhere in the module; bench/std.sh wraps this):
//
//	go run ./bench/cmd/vetbench [-rounds N] [-warmup N] [-keep] [pattern ...]
//	go run ./bench/cmd/vetbench -quick      # CI smoke: 1 round over net/...
//
// The default pattern is "std"; "cmd" or any other package pattern works too.
//
// Method:
//
//   - One untimed warm-up "go vet" fills the compile cache (vet needs the
//     export data of every package, tests included), so timed runs measure
//     the vet tools and go vet's own bookkeeping, not the compiler.
//   - go vet caches each package's results under a key that includes the
//     tool's ID, which it takes from "tool -V=full": for x/tools' checkers
//     that is the SHA-256 of the executable. So every run, warm-up included,
//     gets a freshly linked tool (-ldflags=-buildid=<random>), and the
//     driver checks that every -V=full hash is new. It also shows the
//     opposite once: the warm-up's binary run again is answered from cache.
//     And each timed run must log as many tool runs as the warm-up did.
//   - The vettool given to go vet is bench/cmd/rusagewrap, which runs the
//     real tool and logs each process's rusage (peak RSS, CPU time).
//   - Runs alternate rstlint, nilness, rstlint, nilness, ... so drift in
//     the machine (thermal, page cache, neighbours) hits both alike.
//
// Reported per tool: median wall time of the whole go vet command, the
// median over rounds of the peak RSS of the largest single tool process
// (and which package that was), and the median summed CPU time of all the
// tool processes (steadier than wall time on a small machine).
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

const module = "github.com/rstlint/rstlint"

// The tools under comparison, in the order they are run in each round.
var tools = []struct{ name, pkg string }{
	{"rstlint", module + "/cmd/rstlint"},
	{"nilness", module + "/bench/nilnessvet"},
}

var (
	rounds  = flag.Int("rounds", 3, "timed `rounds`; each runs every tool once")
	warmups = flag.Int("warmup", 1, "untimed warm-up runs before the timed rounds")
	quick   = flag.Bool("quick", false, "CI smoke: 1 round over net/... unless -rounds or patterns are given")
	keep    = flag.Bool("keep", false, "keep the work directory (tools, go vet output, rusage logs)")
)

func main() {
	log := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "vetbench: "+format+"\n", args...) }
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: vetbench [flags] [package pattern ...]  (default pattern: std)\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	patterns := flag.Args()
	if *quick {
		setFlags := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { setFlags[f.Name] = true })
		if !setFlags["rounds"] {
			*rounds = 1
		}
		if len(patterns) == 0 {
			patterns = []string{"net/..."}
		}
	}
	if len(patterns) == 0 {
		patterns = []string{"std"}
	}
	if *rounds < 1 || *warmups < 1 {
		// At least one warm-up: it also gives the expected number of tool
		// runs that proves each timed run was not answered from cache.
		log("-rounds and -warmup must be at least 1")
		os.Exit(2)
	}

	work, err := os.MkdirTemp("", "vetbench-")
	if err != nil {
		log("%v", err)
		os.Exit(1)
	}
	b := &bench{work: work, seen: map[string]bool{}, log: log}
	err = b.run(patterns)
	if *keep || err != nil {
		log("work directory kept: %s", work)
	} else {
		os.RemoveAll(work)
	}
	if err != nil {
		log("FAIL: %v", err)
		os.Exit(1)
	}
}

type bench struct {
	work    string
	wrapper string          // path of the built rusagewrap
	seen    map[string]bool // -V=full lines of every tool built so far
	nbuilt  int
	log     func(string, ...any)
}

// result is one go vet run of one tool.
type result struct {
	wall    time.Duration
	cpu     time.Duration // user+sys summed over the tool processes
	runs    int           // tool processes that analysed a package
	peakKiB int64         // largest Maxrss of a single tool process
	peakPkg string        // the package that process analysed
	exit    int           // go vet's exit status
	vetCPU  time.Duration // user+sys of go vet and all it ran, tools included
	other   time.Duration // CPU time used meanwhile by processes not ours
}

func (b *bench) run(patterns []string) error {
	goVersion, err := output("go", "env", "GOVERSION")
	if err != nil {
		return err
	}
	b.log("%s, %d cores, patterns %s, warm-up runs %d, rounds %d; work dir %s",
		goVersion, runtime.NumCPU(), strings.Join(patterns, " "), *warmups, *rounds, b.work)

	b.wrapper = filepath.Join(b.work, "rusagewrap")
	if err := goBuild(b.wrapper, module+"/bench/cmd/rusagewrap"); err != nil {
		return err
	}

	// Warm-up: fills the compile cache and counts the tool runs to expect.
	var expectRuns int
	var warmTool string
	for i := range *warmups {
		t := tools[i%len(tools)]
		tool, err := b.buildTool(t.name, t.pkg)
		if err != nil {
			return err
		}
		r, err := b.vet(fmt.Sprintf("warmup%d-%s", i+1, t.name), tool, patterns)
		if err != nil {
			return err
		}
		b.log("warm-up %d (%s): %.1fs, %d tool runs, exit %d", i+1, t.name, r.wall.Seconds(), r.runs, r.exit)
		if r.runs == 0 {
			return errors.New("the warm-up ran no tool process: is the pattern empty?")
		}
		expectRuns, warmTool = r.runs, tool
	}

	// Show that the cache is real: the same binary again is not re-run.
	// This is what makes a fresh tool per run necessary, and proves that
	// the wrapper's count would catch a cached run.
	cached, err := b.vet("cachecheck", warmTool, patterns)
	if err != nil {
		return err
	}
	b.log("cache check: warm-up tool binary again: %d tool runs in %.1fs (go vet answered from its cache)",
		cached.runs, cached.wall.Seconds())
	if cached.runs != 0 {
		b.log("warning: expected 0 tool runs from a cached vet; the cache-miss check below is weaker than it looks")
	}

	results := make([][]result, len(tools))
	noisy := 0 // timed runs that had competition for the CPUs
	for round := 1; round <= *rounds; round++ {
		for i, t := range tools {
			tool, err := b.buildTool(t.name, t.pkg)
			if err != nil {
				return err
			}
			r, err := b.vet(fmt.Sprintf("round%d-%s", round, t.name), tool, patterns)
			if err != nil {
				return err
			}
			b.log("round %d %s: wall %.1fs  cpu %.1fs (go vet in all %.1fs)  maxRSS %s (%s)  %d tool runs, exit %d",
				round, t.name, r.wall.Seconds(), r.cpu.Seconds(), r.vetCPU.Seconds(), mib(r.peakKiB), r.peakPkg, r.runs, r.exit)
			// Wall time on a small machine is only as good as its
			// idleness: say so when something else competed for the CPUs.
			if capacity := r.wall.Seconds() * float64(runtime.NumCPU()); r.other.Seconds() > 0.05*capacity {
				noisy++
				b.log("warning: other processes used %.1fs of CPU during this run (%.0f%% of the machine): its wall time is inflated; the cpu figures much less so",
					r.other.Seconds(), 100*r.other.Seconds()/capacity)
			}
			switch {
			case r.runs == 0:
				return fmt.Errorf("round %d %s: no tool process ran: go vet answered from its cache, so the timing is void", round, t.name)
			case r.runs != expectRuns:
				b.log("warning: round %d %s ran the tool %d times, the warm-up %d", round, t.name, r.runs, expectRuns)
			}
			results[i] = append(results[i], r)
		}
	}

	// Report.
	type summary struct {
		wall, cpu time.Duration
		peakKiB   int64
		peakPkg   string
	}
	sums := make([]summary, len(tools))
	for i, rs := range results {
		s := &sums[i]
		s.wall = median(rs, func(r result) time.Duration { return r.wall })
		s.cpu = median(rs, func(r result) time.Duration { return r.cpu })
		s.peakKiB = int64(median(rs, func(r result) time.Duration { return time.Duration(r.peakKiB) }))
		// Name the package of the run whose peak is nearest the median.
		best := rs[0]
		for _, r := range rs {
			if abs(r.peakKiB-s.peakKiB) < abs(best.peakKiB-s.peakKiB) {
				best = r
			}
		}
		s.peakPkg = best.peakPkg
	}
	fmt.Println()
	for i, t := range tools {
		s := sums[i]
		fmt.Printf("%s: wall %.1fs  maxRSS %s  cpu %.1fs  (largest: %s)\n",
			t.name, s.wall.Seconds(), mib(s.peakKiB), s.cpu.Seconds(), s.peakPkg)
	}
	r, n := sums[0], sums[1]
	fmt.Printf("ratio %s/%s: time %.2fx  RSS %.2fx  cpu %.2fx   (rounds=%d, %s, %s, %d cores, %d tool runs/vet)\n",
		tools[0].name, tools[1].name,
		r.wall.Seconds()/n.wall.Seconds(), float64(r.peakKiB)/float64(n.peakKiB), r.cpu.Seconds()/n.cpu.Seconds(),
		*rounds, goVersion, strings.Join(patterns, " "), runtime.NumCPU(), expectRuns)
	if noisy > 0 {
		fmt.Printf("warning: %d of %d timed runs shared the machine with other work; trust cpu over wall\n",
			noisy, *rounds*len(tools))
	}
	return nil
}

// buildTool links a fresh copy of a vet tool whose executable, and so its
// -V=full hash (go vet's cache key for the tool), has never been seen.
func (b *bench) buildTool(name, pkg string) (string, error) {
	b.nbuilt++
	nonce := make([]byte, 12)
	rand.Read(nonce)
	exe := filepath.Join(b.work, fmt.Sprintf("%s-%d", name, b.nbuilt))
	if err := goBuild(exe, pkg, "-ldflags=-buildid=vetbench-"+hex.EncodeToString(nonce)); err != nil {
		return "", err
	}
	v, err := output(exe, "-V=full")
	if err != nil {
		return "", err
	}
	// Drop the program name (it differs anyway); keep the hash.
	id := v[strings.LastIndex(v, " ")+1:]
	if !strings.HasPrefix(id, "buildID=") {
		return "", fmt.Errorf("%s -V=full: unexpected output %q", exe, v)
	}
	if b.seen[id] {
		return "", fmt.Errorf("%s: tool ID %s already used: vet would answer from its cache", exe, id)
	}
	b.seen[id] = true
	return exe, nil
}

// Lines by which go vet's output betrays a crashed tool rather than
// diagnostics (both make go vet exit 1).
var crashRE = regexp.MustCompile(`(?m)panic:|^goroutine \d+ \[|fatal error:|internal error|SIGSEGV`)

// vet runs "go vet -vettool=rusagewrap patterns" with the wrapper running
// tool, and returns the wall time and the wrapper's rusage summary.
func (b *bench) vet(label, tool string, patterns []string) (result, error) {
	var r result
	logFile := filepath.Join(b.work, label+".rusage")
	outFile := filepath.Join(b.work, label+".out")
	out, err := os.Create(outFile)
	if err != nil {
		return r, err
	}
	defer out.Close()

	cmd := exec.Command("go", append([]string{"vet", "-vettool=" + b.wrapper}, patterns...)...)
	cmd.Env = append(os.Environ(), "RSTBENCH_TOOL="+tool, "RSTBENCH_LOG="+logFile)
	cmd.Stdout, cmd.Stderr = out, out
	busy0 := busyCPU()
	start := time.Now()
	err = cmd.Run()
	r.wall = time.Since(start)
	busy1 := busyCPU()
	if cmd.ProcessState == nil {
		return r, err
	}
	r.exit = cmd.ProcessState.ExitCode()
	// The rusage of go vet covers it and every descendant it waited for.
	r.vetCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if busy0 >= 0 && busy1 >= 0 {
		r.other = max(0, busy1-busy0-r.vetCPU)
	}

	// go vet exits 1 both for diagnostics and for a failed tool; anything
	// else (2: bad flags or patterns) is never a valid measurement.
	text, _ := os.ReadFile(outFile)
	if r.exit != 0 && r.exit != 1 {
		return r, fmt.Errorf("%s: go vet exited %d; see %s", label, r.exit, outFile)
	}
	if loc := crashRE.FindIndex(text); loc != nil {
		return r, fmt.Errorf("%s: the vet tool crashed (%q); see %s", label, firstLine(text[loc[0]:]), outFile)
	}

	f, err := os.Open(logFile)
	if errors.Is(err, os.ErrNotExist) {
		return r, nil // no tool process ran (cached)
	} else if err != nil {
		return r, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// maxrss_KiB user_ms sys_ms wall_ms exit vetxonly package-ID
		fields := strings.SplitN(sc.Text(), "\t", 7)
		if len(fields) != 7 {
			return r, fmt.Errorf("%s: bad line %q", logFile, sc.Text())
		}
		var n [5]int64
		for i := range n {
			if n[i], err = strconv.ParseInt(fields[i], 10, 64); err != nil {
				return r, fmt.Errorf("%s: bad line %q", logFile, sc.Text())
			}
		}
		r.runs++
		r.cpu += time.Duration(n[1]+n[2]) * time.Millisecond
		if n[0] > r.peakKiB {
			r.peakKiB, r.peakPkg = n[0], fields[6]
			if fields[5] == "true" {
				// A dependency outside the patterns, vetted for its
				// facts only. buildssa requires ctrlflow, which has
				// facts, so the analysis runs in full there too; only
				// the diagnostics are dropped.
				r.peakPkg += ", as a dependency"
			}
		}
		if n[4] != 0 {
			// go vet passes -json to the tool, which then exits 0 even
			// with diagnostics: any other status is a failed tool.
			return r, fmt.Errorf("%s: the vet tool exited %d on %s; see %s", label, n[4], fields[6], outFile)
		}
	}
	return r, sc.Err()
}

// busyCPU returns the CPU time spent so far by the whole machine outside
// idle and iowait, from /proc/stat, or -1 where that is not available.
func busyCPU() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	// cpu  user nice system idle iowait irq softirq steal guest guest_nice
	fields := strings.Fields(firstLine(data))
	if len(fields) < 9 || fields[0] != "cpu" {
		return -1
	}
	var ticks int64
	for i, f := range fields[1:9] { // guest time is already in user
		if i == 3 || i == 4 {
			continue // idle, iowait
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return -1
		}
		ticks += n
	}
	const userHZ = 100 // USER_HZ: 100 on every Linux architecture Go runs on
	return time.Duration(ticks) * time.Second / userHZ
}

func goBuild(out, pkg string, flags ...string) error {
	args := append([]string{"build", "-o", out}, flags...)
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %v", pkg, err)
	}
	return nil
}

func output(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%v: %s", err, ee.Stderr)
		}
		return "", fmt.Errorf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

func median(rs []result, f func(result) time.Duration) time.Duration {
	xs := make([]time.Duration, len(rs))
	for i, r := range rs {
		xs[i] = f(r)
	}
	slices.Sort(xs)
	if n := len(xs); n%2 == 1 {
		return xs[n/2]
	} else {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
}

func mib(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func firstLine(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
