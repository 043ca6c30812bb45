// Command goplspatch adds rstlint to the analyzers of a copy of gopls'
// source, for integration/gopls.sh: upstream gopls has no way to load a
// third-party analyzer, so a gopls that reports rstlint's diagnostics is a
// gopls rebuilt with rstlint in its list.
//
// Usage:
//
//	goplspatch GOPLS_MODULE_DIR
//
// It edits GOPLS_MODULE_DIR/internal/settings/analysis.go in place: adds an
// import of github.com/rstlint/rstlint/analyzer and appends
//
//	{analyzer: rstlint.New(rstlint.DefaultOptions())},
//
// to the []*Analyzer literal of initAnalyzers, the list gopls builds
// settings.AllAnalyzers from (gopls v0.23.0). The Analyzer struct's zero
// fields give what an analyzer outside gopls' suites wants: enabled by
// default (the "analyses" setting turns it off by name), severity Warning,
// quick fixes as code actions.
//
// The places are found with go/ast, not by line: it fails, changing
// nothing, if the file does not have them or was already patched. The
// result is gofmt'd and printed.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
)

// importPath is the package added to gopls.
const importPath = "github.com/rstlint/rstlint/analyzer"

// entry is the element appended to gopls' analyzer list; rstlint is the
// import's name in the patched file.
const entry = "{analyzer: rstlint.New(rstlint.DefaultOptions())}, // added by rstlint's integration/gopls.sh"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goplspatch GOPLS_MODULE_DIR")
		os.Exit(2)
	}
	file := filepath.Join(os.Args[1], "internal", "settings", "analysis.go")
	src, err := os.ReadFile(file)
	if err == nil {
		src, err = patch(file, src)
	}
	if err == nil {
		err = os.WriteFile(file, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "goplspatch:", err)
		os.Exit(1)
	}
	fmt.Printf("patched %s:\n", file)
	for _, l := range bytes.Split(src, []byte("\n")) {
		if bytes.Contains(l, []byte("rstlint")) {
			fmt.Printf("\t%s\n", bytes.TrimSpace(l))
		}
	}
}

// patch returns src with the rstlint import and list entry added.
func patch(file string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == importPath {
			return nil, errors.New("already patched: it imports " + importPath)
		}
	}

	// The import goes at the end of the first parenthesized import block.
	var importsEnd token.Pos
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT && g.Rparen.IsValid() {
			importsEnd = g.Rparen
			break
		}
	}
	if !importsEnd.IsValid() {
		return nil, errors.New("no parenthesized import block")
	}

	// The entry goes at the end of the []*Analyzer literal in initAnalyzers.
	var list *ast.CompositeLit
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "initAnalyzers" || fd.Body == nil {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if cl, ok := n.(*ast.CompositeLit); ok && list == nil && isAnalyzerSlice(cl.Type) {
				list = cl
			}
			return list == nil
		})
	}
	if list == nil {
		return nil, errors.New("no []*Analyzer literal in func initAnalyzers")
	}

	// Text edits, the later one first so the earlier offset stays valid.
	out := string(src)
	at := fset.Position(list.Rbrace).Offset
	out = out[:at] + "\t" + entry + "\n" + out[at:]
	at = fset.Position(importsEnd).Offset
	out = out[:at] + "\trstlint " + strconv.Quote(importPath) + "\n" + out[at:]
	return format.Source([]byte(out))
}

// isAnalyzerSlice reports whether t is the type expression []*Analyzer.
func isAnalyzerSlice(t ast.Expr) bool {
	at, ok := t.(*ast.ArrayType)
	if !ok || at.Len != nil {
		return false
	}
	star, ok := at.Elt.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "Analyzer"
}
