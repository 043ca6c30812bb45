package verdict

import (
	"go/token"
	"strings"
	"testing"

	"github.com/rstlint/rstlint/analyzer/internal/ownership"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// TestMessagesFit: whatever the names, a message fits in MaxMessage, and
// drops detail from its subject, then the closing helper's package and
// receiver, then the closing function (a framework's, whose handler's
// return the report is at), before it cuts anything.
func TestMessagesFit(t *testing.T) {
	fset := token.NewFileSet()
	f := fset.AddFile(strings.Repeat("a_rather_long_file_name_", 3)+".go", -1, 1000)
	f.SetLines([]int{0, 100, 200})
	pos := f.Pos(150)
	for _, tc := range []struct {
		name string
		c    Candidate
		want string
	}{
		{"short", Candidate{pos: pos, verdict: Unread, conn: &ownership.Conn{Verb: "accepted", Pos: pos}},
			"the accepted conn is closed with input never read: RST may destroy our reply"},
		{"long helper", Candidate{pos: pos, verdict: Unread, conn: &ownership.Conn{Verb: "accepted", Pos: pos},
			via: "example.com/a/b.(*connectionManagerWithAVeryLongName).closeTheConnectionGracefully"},
			"the conn is closed by closeTheConnectionGracefully with input never read: RST may destroy our reply"},
		{"method helper", Candidate{pos: pos, verdict: Unread, conn: &ownership.Conn{Verb: "accepted", Pos: pos},
			via: "example.com/x/proxyprotocolversiontwo.(*Conn).Close"},
			"the conn is closed by Conn.Close with input never read: RST may destroy our reply"},
		{"parameter", Candidate{pos: pos, verdict: Reject, conn: &ownership.Conn{Name: "c", Param: 0}, lastIO: summary.IOSite{Pos: pos}},
			"conn c is closed with input read in part, nothing written: the peer gets RST, not EOF"},
		{"framework's Close at a handler's return", Candidate{pos: pos, verdict: Reject, lastIO: summary.IOSite{Pos: pos},
			conn: &ownership.Conn{Name: "c", Param: 0, ClosedBy: "(*srv.frameworkServer).ServeConnections"},
			via:  "(*srv.frameworkServer).ServeConnections"},
			"the conn is closed with input read in part, nothing written: the peer gets RST, not EOF"},
	} {
		d := word(fset, tc.c)
		if d.Message != tc.want || len(d.Message) > MaxMessage {
			t.Errorf("%s: %q (%d), want %q", tc.name, d.Message, len(d.Message), tc.want)
		}

	}
	if m := runtimeOnlyMessage("example.com/x.(*server).handle", "TestAVeryLongTestName/with_a_subtest_named_at_length", 18, true); len(m) > MaxMessage {
		t.Errorf("runtime-only message of %d characters: %s", len(m), m)
	}
}

// TestConfirmationRoundTrip: what Message writes, ParseConfirmation reads.
func TestConfirmationRoundTrip(t *testing.T) {
	for _, c := range []Confirmation{
		{Test: "TestX", Unread: 18, Resets: 1, Tests: 1},
		{Test: "TestForms/Deferred", Unread: 60, Resets: 3, Tests: 1},
		{Test: "TestY", Unread: 0, LingerZero: true, Resets: 4, Tests: 2},
		{Test: "TestZ (odd name)", Unread: 5, LingerZero: true, Resets: 1, Tests: 1},
	} {
		got, ok := ParseConfirmation(c.Message())
		if !ok || got != c {
			t.Errorf("%q read back as %+v, %v; want %+v", c.Message(), got, ok, c)
		}
		if RelatedLabel(c.Message()) != "confirmed" {
			t.Errorf("label of %q is %q", c.Message(), RelatedLabel(c.Message()))
		}
	}
	if _, ok := ParseConfirmation("conn accepted: net.Listener.Accept"); ok {
		t.Error("an origin's message read as a confirmation")
	}
}
