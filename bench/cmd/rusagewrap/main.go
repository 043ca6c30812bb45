// Command rusagewrap is the -vettool that bench/cmd/vetbench hands to
// "go vet". It runs the real vet tool named by $RSTBENCH_TOOL with the same
// arguments, standard streams and environment, and, for each analysis run
// (a "*.cfg" argument), appends the child's resource usage to the file named
// by $RSTBENCH_LOG. go vet runs one tool process per package, so the log
// gives the peak RSS of the largest single process, the summed CPU time and
// the number of analysis runs (the driver's proof that vet did not answer
// from its cache).
//
// The handshake calls (-V=full, -flags) are passed through unchanged and not
// logged: "-V=full" then prints the real tool's content hash, so go vet keys
// its result cache on the real tool and a freshly linked tool is a cache miss.
//
// The exit status is the child's, so go vet sees exactly what the tool did.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

func main() {
	tool := os.Getenv("RSTBENCH_TOOL")
	if tool == "" {
		fmt.Fprintln(os.Stderr, "rusagewrap: RSTBENCH_TOOL is not set (this program is run by bench/cmd/vetbench)")
		os.Exit(2)
	}
	args := os.Args[1:]

	cmd := exec.Command(tool, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil { // could not start it at all
		fmt.Fprintf(os.Stderr, "rusagewrap: %v\n", err)
		os.Exit(2)
	}

	if n := len(args); n > 0 && strings.HasSuffix(args[n-1], ".cfg") {
		if err := record(args[n-1], cmd.ProcessState, wall); err != nil {
			// A lost record would silently understate the peak: fail loudly.
			fmt.Fprintf(os.Stderr, "rusagewrap: %v\n", err)
			os.Exit(2)
		}
	}

	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		// Mirror the shell's convention so that a crash by signal still
		// reads as a failure (and not as "diagnostics found").
		os.Exit(128 + int(ws.Signal()))
	}
	os.Exit(ws.ExitStatus())
}

// record appends one tab-separated line to $RSTBENCH_LOG:
//
//	maxrss_KiB  user_ms  sys_ms  wall_ms  exit  vetxonly  package-ID
//
// The file is opened O_APPEND and each line is written with one write(2),
// so the lines of the tool processes that go vet runs in parallel do not
// interleave.
func record(cfgFile string, ps *os.ProcessState, wall time.Duration) error {
	logFile := os.Getenv("RSTBENCH_LOG")
	if logFile == "" {
		return nil
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return fmt.Errorf("no rusage for the child")
	}

	// The package ID is only there to say which package was the largest.
	var cfg struct {
		ID       string
		VetxOnly bool
	}
	if data, err := os.ReadFile(cfgFile); err == nil {
		_ = json.Unmarshal(data, &cfg) // best effort: the ID is cosmetic
	}
	if cfg.ID == "" {
		cfg.ID = "?"
	}

	line := fmt.Sprintf("%d\t%d\t%d\t%d\t%d\t%t\t%s\n",
		ru.Maxrss, // KiB on Linux
		time.Duration(ru.Utime.Nano())/time.Millisecond,
		time.Duration(ru.Stime.Nano())/time.Millisecond,
		wall/time.Millisecond,
		ps.ExitCode(), cfg.VetxOnly, cfg.ID)

	f, err := os.OpenFile(logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
