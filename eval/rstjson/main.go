// Command rstjson is eval/survey.sh's reader of rstlint's -json output: it
// writes one TSV line per diagnostic ("D", file:line relative to the
// module, category, message) and one per package the analysis could not
// run on ("E", package, error).
//
// With -keys it writes, instead, what a diagnostic is apart from its
// words: position (with column), category and related positions, one
// line each, sorted and without duplicates (a package and its test
// variant report the same diagnostic). Two runs whose keys are equal
// found the same things; a change of wording does not show.
//
// Usage:
//
//	rstlint -json ./... | rstjson MODULE_DIR
//	rstlint -json ./... | rstjson -keys MODULE_DIR
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rstlint/rstlint/internal/diagjson"
)

func main() {
	keys := flag.Bool("keys", false, "print position, category and related positions only, sorted")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: rstlint -json ./... | rstjson [-keys] MODULE_DIR")
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	moddir := flag.Arg(0)
	rel := func(posn string) string {
		file, line, col := diagjson.SplitPosn(posn)
		if r, err := filepath.Rel(moddir, file); err == nil && !strings.HasPrefix(r, "..") {
			file = r
		}
		if *keys {
			return fmt.Sprintf("%s:%d:%d", file, line, col)
		}
		return fmt.Sprintf("%s:%d", file, line)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	var lines []string
	_, err := diagjson.Read(os.Stdin, func(p diagjson.Package) error {
		res, ok := p.Results["rstlint"]
		switch {
		case !ok:
		case res.Error != "":
			lines = append(lines, fmt.Sprintf("E\t%s\t%s", p.ID, clean(res.Error)))
		default:
			for _, d := range res.Diagnostics {
				if !*keys {
					lines = append(lines, fmt.Sprintf("D\t%s\t%s\t%s", rel(d.Posn), d.Category, clean(d.Message)))
					continue
				}
				var related []string
				for _, r := range d.Related {
					related = append(related, rel(r.Posn))
				}
				lines = append(lines, fmt.Sprintf("D\t%s\t%s\t%s", rel(d.Posn), d.Category, strings.Join(related, " ")))
			}
		}
		return nil
	})
	if err != nil {
		lines = append(lines, "E\t-\tbad JSON: "+clean(err.Error()))
	}
	if *keys {
		slices.Sort(lines)
		lines = slices.Compact(lines)
	}
	for _, l := range lines {
		fmt.Fprintln(out, l)
	}
}

// clean keeps a message on one TSV line.
func clean(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}
