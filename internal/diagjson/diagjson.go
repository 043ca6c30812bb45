// Package diagjson reads the JSON that go/analysis drivers print with
// -json (rstlint -json ./..., go vet -json -vettool=...): a stream of
// objects, each mapping a package ID to the results of each analyzer, a
// list of diagnostics or {"error": "..."}. It is the one reader of that
// format in this repository: the SARIF converter, the benchmarks and the
// survey all use it.
package diagjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Diagnostic is one diagnostic as the drivers print it.
type Diagnostic struct {
	Posn     string    `json:"posn"` // file:line:col
	End      string    `json:"end,omitempty"`
	Category string    `json:"category,omitempty"`
	Message  string    `json:"message"`
	URL      string    `json:"url,omitempty"`
	Related  []Related `json:"related,omitempty"`
}

// Related is a related position of a diagnostic.
type Related struct {
	Posn    string `json:"posn"`
	Message string `json:"message"`
}

// Result is what one analyzer reported for one package: its diagnostics,
// or the error that stopped it.
type Result struct {
	Diagnostics []Diagnostic
	Error       string
}

// Package is one package's results, by analyzer name. A package the
// drivers analysed without findings has no results.
type Package struct {
	ID      string
	Results map[string]Result
}

// Read decodes the stream from r and calls fn for each package, in the
// order of the stream (packages of one object in sorted order). It returns
// the number of objects read (go vet prints one per package it analysed,
// empty when there were no findings). It stops at the first error fn
// returns, or at JSON it cannot read, saying where.
func Read(r io.Reader, fn func(Package) error) (objects int, err error) {
	dec := json.NewDecoder(r)
	for n := 1; ; n++ {
		var obj map[string]map[string]json.RawMessage
		if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
			return n - 1, nil
		} else if err != nil {
			return n - 1, fmt.Errorf("JSON object %d: %v", n, err)
		}
		for _, id := range slices.Sorted(maps.Keys(obj)) {
			p := Package{ID: id, Results: make(map[string]Result, len(obj[id]))}
			for name, raw := range obj[id] {
				res, err := decodeResult(raw)
				if err != nil {
					return n - 1, fmt.Errorf("JSON object %d: package %s: analyzer %s: %v", n, id, name, err)
				}
				p.Results[name] = res
			}
			if err := fn(p); err != nil {
				return n, err
			}
		}
	}
}

// decodeResult reads a list of diagnostics or an {"error": "..."} object.
func decodeResult(raw json.RawMessage) (Result, error) {
	if s := strings.TrimSpace(string(raw)); strings.HasPrefix(s, "[") || s == "null" {
		var res Result
		err := json.Unmarshal(raw, &res.Diagnostics)
		return res, err
	}
	var e struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return Result{}, err
	}
	if e.Error == nil {
		return Result{}, errors.New("neither a list of diagnostics nor an error")
	}
	return Result{Error: *e.Error}, nil
}

// SplitPosn splits "file:line:col" (or "file:line") into its parts; line
// and col are 0 when absent.
func SplitPosn(posn string) (file string, line, col int) {
	file = posn
	for _, dst := range []*int{&col, &line} {
		i := strings.LastIndexByte(file, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(file[i+1:])
		if err != nil {
			break
		}
		*dst, file = n, file[:i]
	}
	if line == 0 { // "file:line" without a column
		line, col = col, 0
	}
	return file, line, col
}
