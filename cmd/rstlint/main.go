// Command rstlint reports code paths that close a TCP or unix stream
// connection while the peer's input may still be unread, so that Linux
// answers with RST instead of FIN.
//
// Usage:
//
//	rstlint [flags] ./...
//	go vet -vettool=$(which rstlint) ./...
//
// Run "rstlint -help" for the flags and "go doc github.com/rstlint/rstlint/analyzer"
// for what each diagnostic means.
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/rstlint/rstlint/analyzer"
)

func main() { singlechecker.Main(analyzer.Analyzer) }
