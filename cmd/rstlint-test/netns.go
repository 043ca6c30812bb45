package main

// -rstlint.netns: each test binary runs in a private network namespace,
// whose kernel counters belong to it alone, so that the RSTs the hook
// cannot see are counted too: data that arrived after our FIN (the
// orphaned socket answers it with RST; its queue was empty at the Close,
// TCPAbortOnData) and Closes with unread input outside package net
// (syscall.Close of a raw socket, the last close of a dup'ed descriptor;
// TCPAbortOnClose). go test runs each binary through rstlint-test itself
// (-exec), which makes the namespace, brings its lo up, gives the binary
// a trace of its own, and compares the counters with what the hook
// recorded. Where they come from is not known: such resets are counted,
// not placed. Tests that need another network than loopback fail in a
// private namespace, which is why this is not the default.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rstlint/rstlint/internal/nethook"
	"github.com/rstlint/rstlint/internal/netns"
	"github.com/rstlint/rstlint/internal/trace"
)

const (
	// execFlag makes rstlint-test the -exec program of go test.
	execFlag = "-rstlint.exec"
	// envNetnsDir names the directory where each binary's counts go.
	envNetnsDir = "RSTLINT_NETNS_DIR"
	// envNetnsChild is set in the process re-executed in the namespace,
	// to how the namespace was made.
	envNetnsChild = "RSTLINT_NETNS_CHILD"
	// unusableExit is the child's exit code when its namespace is unusable:
	// the parent then runs the binary in place.
	unusableExit = 125
)

// binaryCount is what one test binary's namespace showed.
type binaryCount struct {
	Binary string `json:"binary"`
	Dir    string `json:"dir"` // the package's directory, where go test runs it
	How    string `json:"how,omitempty"`
	Error  string `json:"error,omitempty"` // why it ran in place, uncounted

	OutRsts, AbortOnClose, AbortOnData int64 // counter deltas
	HookUnread, HookLinger             int   // the hook's TCP entries: unread > 0; SO_LINGER 0 with nothing unread
}

// afterFIN are the resets of data that arrived after our FIN: the
// TCPAbortOnData the hook's zero-linger Closes do not explain.
func (b binaryCount) afterFIN() int64 { return max(b.AbortOnData-int64(b.HookLinger), 0) }

// unseenClose are the Closes with unread input that the hook did not see.
func (b binaryCount) unseenClose() int64 {
	return max(b.AbortOnClose-int64(b.HookUnread), 0)
}

// other are the RSTs that are no Close's: answers to a segment for no
// socket (a dial to a closed port, data after the connection ended).
func (b binaryCount) other() int64 {
	return max(b.OutRsts-int64(b.HookUnread+b.HookLinger)-b.afterFIN()-b.unseenClose(), 0)
}

// execMain runs a test binary for go test (args: the binary and its
// arguments) in a private network namespace, and returns its exit code.
func execMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "rstlint-test %s: no test binary\n", execFlag)
		return 2
	}
	if how := os.Getenv(envNetnsChild); how != "" {
		return execChild(how, args, stdout, stderr)
	}
	self, err := os.Executable()
	var why []string
	if err == nil {
		for _, a := range netns.Attrs() {
			cmd := exec.Command(self, append([]string{execFlag}, args...)...)
			cmd.Env = append(os.Environ(), envNetnsChild+"="+a.How)
			cmd.SysProcAttr = a.Attr
			cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
			if err := cmd.Start(); err != nil {
				why = append(why, fmt.Sprintf("%s: %v", a.How, err))
				continue // clone refused: try the next way
			}
			code := exitCode(cmd.Wait())
			if code != unusableExit {
				return code
			}
			why = append(why, a.How+": the namespace was unusable")
		}
	} else {
		why = append(why, err.Error())
	}
	writeCount(binaryCount{Binary: args[0], Error: "no private network namespace: " + strings.Join(why, "; ")})
	return runBinary(args, os.Getenv(nethook.EnvVar), stdout, stderr)
}

// execChild runs in the new namespace: lo up, counters before and after
// the binary, the binary's own trace merged into the run's.
func execChild(how string, args []string, stdout, stderr io.Writer) int {
	if err := netns.Setup(); err != nil {
		fmt.Fprintf(stderr, "rstlint-test: %s: %v\n", how, err)
		return unusableExit
	}
	count := binaryCount{Binary: args[0], How: how}
	before, err := netns.Read()
	if err != nil {
		count.Error = err.Error()
	}
	runTrace := os.Getenv(nethook.EnvVar)
	own, err := os.CreateTemp("", "rstlint-binary-*.trace")
	if err != nil {
		count.Error = err.Error()
		writeCount(count)
		return runBinary(args, runTrace, stdout, stderr)
	}
	own.Close()
	defer os.Remove(own.Name())
	code := runBinary(args, own.Name(), stdout, stderr)
	after, err := netns.Read()
	if err != nil && count.Error == "" {
		count.Error = err.Error()
	}
	entries, err := trace.Read(own.Name())
	if err != nil && !errors.Is(err, trace.ErrEmpty) {
		fmt.Fprintf(stderr, "rstlint-test: %v\n", err)
	}
	for _, e := range entries {
		switch {
		case e.Network != "tcp":
		case e.Unread > 0:
			count.HookUnread++
		case e.LingerZero:
			count.HookLinger++
		}
	}
	if count.Error == "" {
		count.OutRsts = after["OutRsts"] - before["OutRsts"]
		count.AbortOnClose = after["TCPAbortOnClose"] - before["TCPAbortOnClose"]
		count.AbortOnData = after["TCPAbortOnData"] - before["TCPAbortOnData"]
		// Resets of conns no frame places: counted in the trace without
		// frames (rstlint -trace skips them; the summary counts them).
		if n := count.afterFIN() + count.unseenClose(); n > 0 {
			entries = append(entries, trace.Entry{Test: filepath.Base(args[0]), Network: "tcp", Verdict: "RST", Resets: n})
		}
	}
	if runTrace != "" {
		if err := trace.Append(runTrace, entries...); err != nil {
			fmt.Fprintf(stderr, "rstlint-test: %v\n", err)
		}
	}
	writeCount(count)
	return code
}

// runBinary runs the test binary with the hook's trace at tracePath.
func runBinary(args []string, tracePath string, stdout, stderr io.Writer) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), nethook.EnvVar+"="+tracePath)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	return exitCode(cmd.Run())
}

func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return ee.ExitCode()
	}
	return 1
}

// writeCount leaves one binary's count in the run's directory.
func writeCount(c binaryCount) {
	dir := os.Getenv(envNetnsDir)
	if dir == "" {
		return
	}
	c.Dir, _ = os.Getwd()
	data, err := json.Marshal(c)
	if err != nil {
		return
	}
	f, err := os.CreateTemp(dir, "count-*.json")
	if err != nil {
		return
	}
	f.Write(data)
	f.Close()
}

// readCounts reads the counts the binaries of a run left.
func readCounts(dir string) []binaryCount {
	files, _ := filepath.Glob(filepath.Join(dir, "count-*.json"))
	var out []binaryCount
	for _, f := range files {
		data, err := os.ReadFile(f)
		var c binaryCount
		if err == nil && json.Unmarshal(data, &c) == nil {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dir < out[j].Dir })
	return out
}

// writeNetns adds the namespaces' counts to the summary.
func writeNetns(w io.Writer, counts []binaryCount) {
	if len(counts) == 0 {
		return
	}
	var inPlace []string
	var afterFIN, unseen, other int64
	for _, c := range counts {
		if c.Error != "" {
			inPlace = append(inPlace, fmt.Sprintf("%s (%s)", filepath.Base(c.Binary), c.Error))
			continue
		}
		afterFIN += c.afterFIN()
		unseen += c.unseenClose()
		other += c.other()
	}
	n := len(counts) - len(inPlace)
	fmt.Fprintf(w, "\nnetwork namespaces: %d of %d test %s ran in a private one; RSTs the hook could not place:\n", n, len(counts), plural(len(counts), "binary", "binaries"))
	fmt.Fprintf(w, "  %6d after our FIN: data arrived at a conn already closed with nothing unread (TCPAbortOnData)\n", afterFIN)
	fmt.Fprintf(w, "  %6d Closes with unread input outside package net: syscall.Close of a raw socket, a dup'ed descriptor (TCPAbortOnClose)\n", unseen)
	fmt.Fprintf(w, "  %6d other RSTs, of no Close: answers to segments for no socket, as a dial to a closed port (OutRsts)\n", other)
	for _, c := range counts {
		if c.Error == "" && c.afterFIN()+c.unseenClose() > 0 {
			fmt.Fprintf(w, "         %s: %d after FIN, %d unseen Closes\n", c.Dir, c.afterFIN(), c.unseenClose())
		}
	}
	for _, p := range inPlace {
		fmt.Fprintf(w, "  ran in place, uncounted: %s\n", p)
	}
}
