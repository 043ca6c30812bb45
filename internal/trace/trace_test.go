package trace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func entry(test string, line int) Entry {
	return Entry{Test: test, Frames: []Frame{{Func: "example.com/srv.handle", File: "/src/srv.go", Line: line}},
		Network: "tcp", Unread: 5, Verdict: "RST"}
}

func TestAppendRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	if err := Append(path, entry("TestA", 10), entry("TestA", 11)); err != nil {
		t.Fatal(err)
	}
	if err := Append(path, entry("TestB", 12)); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Frames[0].Line != 10 || got[2].Test != "TestB" || got[1].Source != "rsttest" {
		t.Fatalf("read back %+v", got)
	}
}

// TestReadBadInput: every way a trace can be unusable is an error that
// names the file, and the line where there is one.
func TestReadBadInput(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile(writeTrace(t, dir, entry("TestA", 1)))
	for _, tc := range []struct {
		name, content string
		want          string // in the error, after the file name
	}{
		{"empty", "", ": no entries"},
		{"blank", "\n\n", ": no entries"},
		{"truncated", string(good) + string(good[:len(good)/2]), ":2: not an rsttest trace entry"},
		{"go test -json", `{"Time":"2026-12-02T10:00:00Z","Action":"run","Test":"TestA"}` + "\n", ":1: not an rsttest trace entry"},
		{"other JSON lines", `{"test":"TestA","verdict":"RST"}` + "\n", `:1: not an rsttest trace entry (source ""`},
		{"binary", "\x00\x01\x02go119 trace\x00", ":1: not an rsttest trace entry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Read(path)
			if err == nil || !strings.HasPrefix(err.Error(), path+tc.want) {
				t.Fatalf("Read(%s) = %v, want an error starting %q", tc.name, err, path+tc.want)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		path := filepath.Join(dir, "absent")
		_, err := Read(path)
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Fatalf("Read(missing) = %v", err)
		}
	})
}

func writeTrace(t *testing.T, dir string, e Entry) string {
	path := filepath.Join(dir, "good")
	if err := Append(path, e); err != nil {
		t.Fatal(err)
	}
	return path
}

const (
	writerEnv     = "RSTLINT_TRACE_TEST_WRITER"
	writers       = 4  // test binaries
	goroutines    = 8  // per binary
	perGoroutine  = 25 // entries per goroutine
	linesPerWrite = 2  // entries per Append
)

// TestConcurrentAppend runs several copies of this test binary that append
// to one trace at once, from several goroutines each, and checks that every
// line arrived whole, exactly once. CI runs it with -race -count=20.
func TestConcurrentAppend(t *testing.T) {
	if id := os.Getenv(writerEnv); id != "" {
		return // a writer: TestMain did the work
	}
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestConcurrentAppend$", "-test.count=1")
			cmd.Env = append(os.Environ(), writerEnv+"="+strconv.Itoa(i), EnvVar+"="+path)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("writer %d: %v\n%s", i, err, out)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	for _, e := range got {
		if seen[e.Test] {
			t.Errorf("entry %s twice", e.Test)
		}
		seen[e.Test] = true
	}
	if want := writers * goroutines * perGoroutine; len(seen) != want {
		t.Fatalf("%d distinct entries, want %d", len(seen), want)
	}
}

// TestMain makes the binary a writer when the parent test asks.
func TestMain(m *testing.M) {
	if id := os.Getenv(writerEnv); id != "" {
		os.Exit(write(id, os.Getenv(EnvVar)))
	}
	os.Exit(m.Run())
}

func write(id, path string) int {
	var wg sync.WaitGroup
	failed := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for n := 0; n < perGoroutine; n += linesPerWrite {
				var batch []Entry
				for k := n; k < n+linesPerWrite && k < perGoroutine; k++ {
					e := entry(fmt.Sprintf("writer%s/g%d/%d", id, g, k), k+1)
					// Long lines make a torn write likelier to show.
					e.Frames = append(e.Frames, make([]Frame, MaxFrames-1)...)
					for i := range e.Frames {
						e.Frames[i] = Frame{Func: strings.Repeat("f", 200), File: "/x.go", Line: i + 1}
					}
					batch = append(batch, e)
				}
				if err := Append(path, batch...); err != nil {
					failed <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(failed)
	for err := range failed {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
