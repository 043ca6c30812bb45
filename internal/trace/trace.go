// Package trace is the file in which rsttest records the Closes that
// reset a connection while tests ran, and from which rstlint -trace reads
// them back: one JSON object per line, appended by any number of test
// binaries at once.
package trace

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// EnvVar names the trace file rsttest appends to.
const EnvVar = "RSTTEST_TRACE"

// source marks a line as rsttest's: a trace of something else is not read
// as one.
const source = "rsttest"

// Frame is one frame of a Close's call stack.
type Frame struct {
	Func string `json:"func"` // runtime.Frame.Function, e.g. "example.com/srv.(*server).handle"
	File string `json:"file"`
	Line int    `json:"line"`
}

// Entry is one resetting Close, or one test's count of resets.
type Entry struct {
	Source string `json:"source"` // "rsttest"
	Test   string `json:"test"`   // the test that ran it, e.g. "TestServe/pipelined"
	// Frames are the Close's call stack outside rsttest and the standard
	// library, innermost first (at most MaxFrames): the first is where the
	// program closed the conn, or the function whose deferred Close ran.
	Frames []Frame `json:"frames,omitempty"`
	// Origin is where the conn was accepted or dialed (the first frame of
	// that call outside rsttest and the standard library), when known.
	Origin     *Frame `json:"origin,omitempty"`
	Network    string `json:"network,omitempty"` // "tcp" or "unix"
	Unread     int    `json:"unread"`            // bytes in the receive queue at Close (SIOCINQ)
	LingerZero bool   `json:"linger_zero"`       // SO_LINGER on with 0 seconds at Close
	Verdict    string `json:"verdict"`           // "RST": the kernel reset the connection
	// Resets is, for an entry without frames, the number of RSTs the
	// kernel counters of the test's network namespace showed
	// (rsttest.CountResets): they reset, but where is not known.
	Resets int64 `json:"resets,omitempty"`
}

// MaxFrames bounds the frames an entry keeps.
const MaxFrames = 8

// Append adds entries to the trace at path, one line each, in one write.
// The file is opened for appending and, where the system has flock, locked
// around the write, so that parallel tests and several test binaries
// writing at once lose no line and tear none.
func Append(path string, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	var buf []byte
	for _, e := range entries {
		e.Source = source
		line, err := json.Marshal(e)
		if err != nil {
			return err
		}
		buf = append(append(buf, line...), '\n')
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	unlock, err := lock(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("locking %s: %w", path, err)
	}
	_, err = f.Write(buf)
	unlock()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Read reads the trace at path. An error names the file and, for a line
// that is not an rsttest entry (truncated, foreign), its number; the
// entries read before it are returned with it.
func Read(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	n := 0
	for sc.Scan() {
		n++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		var e Entry
		if err := dec.Decode(&e); err != nil {
			return out, fmt.Errorf("%s:%d: not an rsttest trace entry: %v", path, n, err)
		}
		if e.Source != source || e.Verdict == "" || e.Test == "" {
			return out, fmt.Errorf("%s:%d: not an rsttest trace entry (source %q, test %q, verdict %q)", path, n, e.Source, e.Test, e.Verdict)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("%s:%d: %v", path, n+1, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w", path, ErrEmpty)
	}
	return out, nil
}

// ErrEmpty is the error of a trace without entries: no test reset a
// connection, or none recorded it.
var ErrEmpty = errors.New("no entries: no test recorded a resetting Close (is " + EnvVar + " set for go test?)")
