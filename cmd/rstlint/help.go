package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"strings"
)

// The go/analysis driver registers its own -trace (an execution trace of
// the linter itself), which rstlint does not offer: the command reads
// -trace as the analyzer's -tracefile. So -help lists -tracefile once,
// with that one meaning, and not the driver's -trace.

// filterHelp makes the flag defaults that -help prints leave out the
// driver's -trace and name -trace beside -tracefile. It must run before
// the driver registers its flags: it only changes where they print.
func filterHelp() {
	flag.CommandLine.SetOutput(&helpFilter{w: os.Stderr})
}

// helpFilter passes the flag package's output on, line by line, without
// the driver's -trace entry. flag.PrintDefaults writes an entry as a line
// "  -name type" and usage lines indented with "    \t".
type helpFilter struct {
	w        io.Writer
	pending  []byte
	dropping bool
}

func (h *helpFilter) Write(p []byte) (int, error) {
	h.pending = append(h.pending, p...)
	for {
		i := bytes.IndexByte(h.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(h.pending[:i+1])
		h.pending = h.pending[i+1:]
		if strings.HasPrefix(line, "  -") {
			name, _, _ := strings.Cut(strings.TrimSpace(line[3:]), " ")
			h.dropping = name == "trace"
			if name == "tracefile" {
				line = strings.Replace(line, "-tracefile", "-trace, -tracefile", 1)
			}
		} else if !strings.HasPrefix(line, "    \t") {
			h.dropping = false
		}
		if !h.dropping {
			if _, err := io.WriteString(h.w, line); err != nil {
				return len(p), err
			}
		}
	}
}
