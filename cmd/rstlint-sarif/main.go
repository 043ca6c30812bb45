// Command rstlint-sarif converts rstlint's JSON output into a SARIF 2.1.0
// log for code-scanning services.
//
// Usage:
//
//	rstlint -json ./... | rstlint-sarif > rstlint.sarif
//	go vet -json -vettool=$(which rstlint) ./... | rstlint-sarif > rstlint.sarif
//
// It reads the stream of JSON objects that go/analysis drivers print with
// -json ({"pkg": {"rstlint": [diagnostics] | {"error": ...}}}) and writes
// one SARIF run. File paths are made relative to the current directory
// (the repository root, where code scanning expects them).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rstlint/rstlint/analyzer"
	"github.com/rstlint/rstlint/internal/diagjson"
)

// rules describes each category for the SARIF rules table.
var rules = []struct{ id, text string }{
	{analyzer.CategoryUnreadClose, "Close with peer input possibly unread after a write: Linux sends RST and what we wrote can be lost"},
	{analyzer.CategoryRejectUnread, "Close with peer input unread before anything was written: the peer sees a reset instead of EOF"},
	{analyzer.CategoryHalfCloseUndrained, "Close after CloseWrite without reading to EOF: queued input still causes RST"},
	{analyzer.CategoryLingerZero, "Close after SetLinger(0): the RST is certain"},
	{analyzer.CategoryProxyEarlyClose, "A proxy closes its conns when the first copy direction ends: RST on the other"},
	{analyzer.CategoryProxyEOFLost, "A proxy direction ends without CloseWrite on its destination: the far peer never sees EOF"},
	{analyzer.CategoryDirective, "//rstlint:ignore without a reason"},
	{analyzer.CategoryRuntimeOnly, "A Close that reset while tests ran (rstlint -trace) on a path no diagnostic predicted"},
}

func main() {
	if len(os.Args) > 1 {
		fmt.Fprintln(os.Stderr, "usage: rstlint -json ./... | rstlint-sarif > rstlint.sarif")
		os.Exit(2)
	}
	log, err := convert(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rstlint-sarif:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(log); err != nil {
		fmt.Fprintln(os.Stderr, "rstlint-sarif:", err)
		os.Exit(1)
	}
}

// confirmation returns what follows analyzer.ConfirmedPrefix in a
// confirmed diagnostic's message: "TestX (18 bytes unread)".
func confirmation(msg string) (string, bool) {
	i := strings.LastIndex(msg, "; "+analyzer.ConfirmedPrefix)
	if i < 0 {
		return "", false
	}
	return msg[i+len("; "+analyzer.ConfirmedPrefix):], true
}

// convert reads the drivers' JSON stream and builds the SARIF log.
func convert(r io.Reader) (map[string]any, error) {
	var results []map[string]any
	var errs []string
	_, err := diagjson.Read(r, func(p diagjson.Package) error {
		res, ok := p.Results["rstlint"]
		if !ok {
			return nil
		}
		if res.Error != "" {
			errs = append(errs, p.ID+": "+res.Error)
			return nil
		}
		for _, d := range res.Diagnostics {
			r := map[string]any{
				"ruleId":    d.Category,
				"level":     "warning",
				"message":   map[string]any{"text": d.Message},
				"locations": []any{location(d.Posn, "")},
			}
			var related []any
			for i, rel := range d.Related {
				loc := location(rel.Posn, rel.Message)
				loc["id"] = i + 1
				related = append(related, loc)
			}
			if related != nil {
				r["relatedLocations"] = related
			}
			// rstlint -trace: the test that saw the Close reset.
			if c, ok := confirmation(d.Message); ok {
				r["properties"] = map[string]any{"confirmed": true, "confirmedBy": c}
			}
			results = append(results, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading JSON: %v", err)
	}
	var ruleList []any
	for _, r := range rules {
		ruleList = append(ruleList, map[string]any{
			"id":               r.id,
			"shortDescription": map[string]any{"text": r.text},
			"helpUri":          analyzer.RuleURL(r.id),
		})
	}
	run := map[string]any{
		"tool": map[string]any{"driver": map[string]any{
			"name":           "rstlint",
			"informationUri": "https://github.com/rstlint/rstlint",
			"rules":          ruleList,
		}},
		"results": results,
	}
	if results == nil {
		run["results"] = []any{}
	}
	if len(errs) > 0 {
		var notes []any
		for _, e := range errs {
			notes = append(notes, map[string]any{"level": "error", "message": map[string]any{"text": e}})
		}
		run["invocations"] = []any{map[string]any{"executionSuccessful": false, "toolExecutionNotifications": notes}}
	}
	return map[string]any{
		"version": "2.1.0",
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"runs":    []any{run},
	}, nil
}

// location turns "file:line:col" into a SARIF physical location.
func location(posn, message string) map[string]any {
	file, line, col := diagjson.SplitPosn(posn)
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(rel, "..") {
			file = rel
		}
	}
	loc := map[string]any{"physicalLocation": map[string]any{
		"artifactLocation": map[string]any{"uri": filepath.ToSlash(file)},
		"region":           map[string]any{"startLine": line, "startColumn": col},
	}}
	if message != "" {
		loc["message"] = map[string]any{"text": message}
	}
	return loc
}
