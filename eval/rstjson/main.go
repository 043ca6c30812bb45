// Command rstjson is eval/survey.sh's reader of rstlint's -json output: it
// writes one TSV line per diagnostic ("D", file:line relative to the
// module, category, message) and one per package the analysis could not
// run on ("E", package, error).
//
// Usage:
//
//	rstlint -json ./... | rstjson MODULE_DIR
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rstlint/rstlint/internal/diagjson"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: rstlint -json ./... | rstjson MODULE_DIR")
		os.Exit(2)
	}
	moddir := os.Args[1]
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	_, err := diagjson.Read(os.Stdin, func(p diagjson.Package) error {
		res, ok := p.Results["rstlint"]
		switch {
		case !ok:
		case res.Error != "":
			fmt.Fprintf(out, "E\t%s\t%s\n", p.ID, clean(res.Error))
		default:
			for _, d := range res.Diagnostics {
				file, line, _ := diagjson.SplitPosn(d.Posn)
				if rel, err := filepath.Rel(moddir, file); err == nil && !strings.HasPrefix(rel, "..") {
					file = rel
				}
				fmt.Fprintf(out, "D\t%s:%d\t%s\t%s\n", file, line, d.Category, clean(d.Message))
			}
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(out, "E\t-\tbad JSON: %s\n", clean(err.Error()))
	}
}

// clean keeps a message on one TSV line.
func clean(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}
