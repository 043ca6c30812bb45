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
			}
		]
	}
}
{"example.com/b": {"rstlint": {"error": "internal error (please report): boom"}}}
{"example.com/c": {}}
`

func TestConvert(t *testing.T) {
	log, err := convert(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(log)
	got := string(out)
	for _, want := range []string{
		`"version":"2.1.0"`,
		`"ruleId":"unread-close"`,
		`"uri":"/src/a/a.go"`,
		`"region":{"startColumn":9,"startLine":12}`,
		`"relatedLocations":[{"id":1,"message":{"text":"connection accepted by net.Listener.Accept"}`,
		`"helpUri":"https://github.com/rstlint/rstlint/blob/main/docs/rules/unread-close.md"`,
		`"executionSuccessful":false`,
		`example.com/b: internal error (please report): boom`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("SARIF lacks %s:\n%s", want, got)
		}
	}
}
