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
// one SARIF run. A finding that the stream holds twice (rstlint -json
// reports a package's files under the package and again under its test
// variant) is one result.
//
// File paths are made relative to the source root, the folder code
// scanning maps URIs from: the current directory, or the one -root names
// (a monorepo job run from a subfolder names the repository's root). Each
// relative URI says so with uriBaseId SRCROOT, which the log defines; a
// file outside the root keeps its absolute path.
//
//	cd services/api && rstlint -json ./... | rstlint-sarif -root ../.. > rstlint.sarif
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
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
	fs := flag.NewFlagSet("rstlint-sarif", flag.ExitOnError)
	root := fs.String("root", ".", "the source root that result URIs are relative to (the repository's top folder)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: rstlint -json ./... | rstlint-sarif [-root DIR] > rstlint.sarif")
		fs.PrintDefaults()
	}
	fs.Parse(os.Args[1:])
	if fs.NArg() > 0 {
		fs.Usage()
		os.Exit(2)
	}
	base, err := filepath.Abs(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rstlint-sarif:", err)
		os.Exit(2)
	}
	log, err := convert(os.Stdin, base)
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

// convert reads the drivers' JSON stream and builds the SARIF log, with
// URIs relative to the absolute folder root.
func convert(r io.Reader, root string) (map[string]any, error) {
	var results []map[string]any
	var errs []string
	seen := make(map[[3]string]bool) // category, position, message
	location := func(posn, message string) map[string]any { return location(root, posn, message) }
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
			key := [3]string{d.Category, d.Posn, d.Message}
			if seen[key] {
				continue // the same file, analyzed again as part of the test variant
			}
			seen[key] = true
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
			// rstlint -trace: the test that saw the Close reset, from the
			// confirmation the diagnostic carries as a related position.
			for _, rel := range d.Related {
				if c, ok := analyzer.ParseConfirmation(rel.Message); ok && d.Category != analyzer.CategoryRuntimeOnly {
					r["properties"] = map[string]any{"confirmed": true, "confirmedBy": c.Test, "unread": c.Unread, "lingerZero": c.LingerZero}
				}
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
		"originalUriBaseIds": map[string]any{
			"SRCROOT": map[string]any{"uri": (&url.URL{Scheme: "file", Path: filepath.ToSlash(root) + "/"}).String()},
		},
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

// location turns "file:line:col" into a SARIF physical location, its URI
// relative to root (uriBaseId SRCROOT) when the file is below root.
func location(root, posn, message string) map[string]any {
	file, line, col := diagjson.SplitPosn(posn)
	artifact := map[string]any{"uri": filepath.ToSlash(file)}
	if rel, err := filepath.Rel(root, file); err == nil && filepath.IsAbs(file) && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		artifact = map[string]any{"uri": filepath.ToSlash(rel), "uriBaseId": "SRCROOT"}
	}
	loc := map[string]any{"physicalLocation": map[string]any{
		"artifactLocation": artifact,
		"region":           map[string]any{"startLine": line, "startColumn": col},
	}}
	if message != "" {
		loc["message"] = map[string]any{"text": message}
	}
	return loc
}
