package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// A sample of what "rstlint -json" prints (two packages, one error).
const sample = `{
	"example.com/a": {
		"rstlint": [
			{
				"category": "unread-close",
				"posn": "/src/a/a.go:12:9",
				"message": "conn accepted ... is closed with input possibly unread",
				"related": [{"posn": "/src/a/a.go:7:21", "message": "connection accepted by net.Listener.Accept"}]
			},
			{
				"category": "unread-close",
				"posn": "/src/a/a.go:30:2",
				"message": "conn c is closed with input read in part: RST may destroy our reply",
				"related": [{"posn": "/src/a/a.go:30:2", "message": "confirmed: reset seen in TestHandle (60 bytes unread)"}]
			},
			{
				"category": "runtime-only",
				"posn": "/src/a/a.go:41:2",
				"message": "a Close here reset its conn in TestFinish (64 bytes unread); rstlint did not predict it",
				"related": [{"posn": "/src/a/a.go:41:2", "message": "confirmed: reset seen in TestFinish (64 bytes unread)"}]
			}
		]
	}
}
{"example.com/b": {"rstlint": {"error": "internal error (please report): boom"}}}
{"example.com/c": {}}
{"example.com/a [example.com/a.test]": {"rstlint": [{"category": "unread-close", "posn": "/src/a/a.go:12:9", "message": "conn accepted ... is closed with input possibly unread"}]}}
{"example.com/d": {"rstlint": [{"category": "reject-unread", "posn": "/elsewhere/d.go:3:1", "message": "outside the root"}]}}
`

func TestConvert(t *testing.T) {
	log, err := convert(strings.NewReader(sample), "/src")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(log)
	got := string(out)
	if n := strings.Count(got, `"confirmed":true`); n != 1 {
		t.Errorf("%d results marked confirmed, want 1", n)
	}
	// The test variant's copy of a.go:12 is the same finding: one result.
	if n := strings.Count(got, `"ruleId":`); n != 4 {
		t.Errorf("%d results, want 4 (a.go:12 once, a.go:30, a.go:41, d.go:3)", n)
	}
	for _, want := range []string{
		`"version":"2.1.0"`,
		`"ruleId":"unread-close"`,
		`"artifactLocation":{"uri":"a/a.go","uriBaseId":"SRCROOT"}`,
		`"originalUriBaseIds":{"SRCROOT":{"uri":"file:///src/"}}`,
		`"artifactLocation":{"uri":"/elsewhere/d.go"}`,
		`"region":{"startColumn":9,"startLine":12}`,
		`"relatedLocations":[{"id":1,"message":{"text":"connection accepted by net.Listener.Accept"}`,
		`"helpUri":"https://github.com/rstlint/rstlint/blob/main/docs/rules/unread-close.md"`,
		`"executionSuccessful":false`,
		`example.com/b: internal error (please report): boom`,
		`"properties":{"confirmed":true,"confirmedBy":"TestHandle","lingerZero":false,"unread":60}`,
		`"ruleId":"runtime-only"`,
		`"helpUri":"https://github.com/rstlint/rstlint/blob/main/docs/rules/runtime-only.md"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("SARIF lacks %s:\n%s", want, got)
		}
	}
}
