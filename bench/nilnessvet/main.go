// Command nilnessvet is the baseline for the rstlint benchmark: a vet tool
// made of x/tools' nilness pass alone. nilness, like rstlint, is built on
// buildssa, so it is in the same cost class (type-check + SSA of every
// package) and the rstlint/nilness ratio shows what rstlint adds on top.
//
// It is built by bench/cmd/vetbench; it is not meant to be installed.
package main

import (
	"golang.org/x/tools/go/analysis/passes/nilness"
	"golang.org/x/tools/go/analysis/singlechecker"
)

func main() { singlechecker.Main(nilness.Analyzer) }
