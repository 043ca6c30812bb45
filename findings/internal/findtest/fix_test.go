package findtest

import (
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	src := "a\nb\nc\nd\ne\n"
	diff := "--- a/f\n+++ b/f\n@@ -2,3 +2,4 @@ func x\n b\n-c\n+C\n+C2\n d\n"
	got, err := Apply([]byte(src), []byte(diff))
	if err != nil || string(got) != "a\nb\nC\nC2\nd\ne\n" {
		t.Fatalf("Apply = %q, %v", got, err)
	}
	// A diff for another version of the file does not apply.
	if _, err := Apply([]byte("a\nb\nX\nd\ne\n"), []byte(diff)); err == nil || !strings.Contains(err.Error(), `want "c"`) {
		t.Fatalf("Apply to another file: err = %v, want a mismatch", err)
	}
	// Nor does one whose header miscounts its lines.
	if _, err := Apply([]byte(src), []byte("@@ -2,2 +2,2 @@\n b\n-c\n+C\n d\n")); err == nil {
		t.Fatal("Apply with a wrong count: no error")
	}
}

func TestRunPattern(t *testing.T) {
	if got, want := runPattern("TestX/fixed"), "^TestX$/^fixed$"; got != want {
		t.Errorf("runPattern = %q, want %q", got, want)
	}
}
