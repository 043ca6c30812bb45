// Command vetjson summarises the output of "go vet -json" for
// bench/robust.sh: how many packages were analysed, the diagnostics counted
// by analyzer and category (with a few examples each), and every analyzer
// error.
//
// Usage:
//
//	vetjson [-examples N] file.json ...
//
// Each file holds what go vet -json printed on stdout: one JSON object per
// analysed package, mapping package ID -> analyzer -> either a list of
// diagnostics or {"error": "..."}.
//
// Exit status: 0 if no analyzer reported an error; 1 if one did (under
// -json an analyzer's error does not make go vet fail, so this is the only
// place it shows); 2 if a file is not such a JSON stream.
package main

import (
	"cmp"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/rstlint/rstlint/internal/diagjson"
)

func main() {
	examples := flag.Int("examples", 3, "example diagnostics to print per category")
	flag.Parse()

	var (
		units    int                     // JSON objects, one per analysed package
		pkgs     = map[string]bool{}     // package IDs with any result
		byCat    = map[string][]string{} // "analyzer/category" -> "posn: message"
		failures []string                // "pkg: analyzer: error"
	)
	for _, name := range flag.Args() {
		f, err := os.Open(name)
		if err != nil {
			fatal(err)
		}
		n, err := diagjson.Read(f, func(p diagjson.Package) error {
			pkgs[p.ID] = pkgs[p.ID] || len(p.Results) > 0
			for analyzer, res := range p.Results {
				if res.Error != "" {
					failures = append(failures, fmt.Sprintf("%s: %s: %s", p.ID, analyzer, res.Error))
					continue
				}
				for _, d := range res.Diagnostics {
					key := analyzer + "/" + cmp.Or(d.Category, "(no category)")
					byCat[key] = append(byCat[key], d.Posn+": "+d.Message)
				}
			}
			return nil
		})
		units += n
		if err != nil {
			fatal(fmt.Errorf("%s: %v", name, err))
		}
		f.Close()
	}

	total := 0
	for _, ds := range byCat {
		total += len(ds)
	}
	fmt.Printf("%d package units analysed (a package's test variants count apart), %d with findings; %d diagnostics, %d analyzer errors\n",
		units, len(pkgs), total, len(failures))
	for _, key := range slices.Sorted(maps.Keys(byCat)) {
		ds := byCat[key]
		fmt.Printf("  %6d  %s\n", len(ds), key)
		slices.Sort(ds) // stable examples from run to run
		for _, d := range ds[:min(len(ds), *examples)] {
			if r := []rune(d); len(r) > 200 { // the full text is in the JSON
				d = string(r[:200]) + "…"
			}
			fmt.Printf("          e.g. %s\n", d)
		}
	}
	if len(failures) > 0 {
		slices.Sort(failures)
		fmt.Println("analyzer errors:")
		for _, f := range failures {
			fmt.Printf("  %s\n", f)
		}
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "vetjson: %v\n", err)
	os.Exit(2)
}
