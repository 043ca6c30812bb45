package analyzer

import (
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
)

// Analyzer reports closes of stream connections that make Linux send RST.
var Analyzer = &analysis.Analyzer{
	Name:     "rstlint",
	Doc:      "report closes of stream connections with peer input possibly unread",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      func(*analysis.Pass) (any, error) { return nil, nil },
}
