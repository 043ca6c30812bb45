package verdict

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
)

// This file builds the suggested fix: the bare Close becomes the graceful
// close (half-close, bounded drain, Close), inline and with standard
// library imports only, so that applying it never touches go.mod.

// drainLimit bounds the drain in the suggested fix: a peer that keeps
// sending cannot hold us forever, and the deadline bounds a silent one.
const drainLimit = "1<<20"

// gracefulFix returns the fix for a diagnostic at pos (the Close call's
// position), or nil when the Close is not a plain `x.Close()` statement
// or deferred call on a stream connection.
func gracefulFix(pass *analysis.Pass, pos token.Pos, v Verdict) []analysis.SuggestedFix {
	if v != Unread && v != Reject && v != HalfCloseUndrained {
		return nil
	}
	file := fileOf(pass, pos)
	if file == nil {
		return nil
	}
	path, _ := astutil.PathEnclosingInterval(file, pos, pos)
	var call *ast.CallExpr
	var stmt ast.Stmt
	for _, n := range path {
		switch n := n.(type) {
		case *ast.DeferStmt: // a deferred Close is reported at "defer"
			call, stmt = n.Call, n
		case *ast.ExprStmt:
			if c, ok := n.X.(*ast.CallExpr); ok {
				call, stmt = c, n
			}
		}
		if stmt != nil || isFuncNode(n) {
			break
		}
	}
	if call == nil || stmt == nil || len(call.Args) != 0 {
		return nil
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || !knowledge.IsClose(sel.Sel.Name) {
		return nil
	}
	recvType := pass.TypesInfo.TypeOf(sel.X)
	if recvType == nil || knowledge.IsNamedType(recvType, true, "crypto/tls", "Conn") || !knowledge.IsConnType(recvType) {
		return nil
	}
	hasDeadline := false
	if ms := types.NewMethodSet(recvType); ms.Lookup(nil, "SetReadDeadline") != nil {
		hasDeadline = true
	}
	if !hasDeadline {
		return nil // an io.ReadCloser: no deadline to bound the drain
	}
	x := types.ExprString(sel.X)
	indent := indentOf(pass, stmt.Pos())

	// The errors are discarded with _: each is either moot (a failed
	// CloseWrite or deadline leaves the drain to fail at once) or the
	// peer's business, and errcheck, run beside rstlint in most
	// golangci-lint setups, does not report an explicit discard.
	var lines []string
	if v != HalfCloseUndrained {
		if knowledge.IsSocketConnType(recvType) {
			lines = append(lines, "_ = "+x+".CloseWrite() // FIN after our data")
		} else {
			lines = append(lines,
				"if cw, ok := "+x+".(interface{ CloseWrite() error }); ok {",
				"\t_ = cw.CloseWrite() // FIN after our data",
				"}")
		}
	}
	lines = append(lines,
		"_ = "+x+".SetReadDeadline(time.Now().Add(time.Second)) // bound the drain",
		"_, _ = io.Copy(io.Discard, io.LimitReader("+x+", "+drainLimit+")) // read the peer's input to EOF",
		"_ = "+x+".Close()")

	var text string
	if _, deferred := stmt.(*ast.DeferStmt); deferred {
		body := indent + "\t" + strings.Join(lines, "\n"+indent+"\t")
		text = "defer func() {\n" + body + "\n" + indent + "}()"
	} else {
		text = strings.Join(lines, "\n"+indent)
	}
	edits := []analysis.TextEdit{{Pos: stmt.Pos(), End: stmt.End(), NewText: []byte(text)}}
	edits = append(edits, addImports(file, "io", "time")...)
	return []analysis.SuggestedFix{{
		Message:   "Close gracefully: CloseWrite, a bounded drain with a read deadline, then Close",
		TextEdits: edits,
	}}
}

func isFuncNode(n ast.Node) bool {
	switch n.(type) {
	case *ast.FuncDecl, *ast.FuncLit:
		return true
	}
	return false
}

func fileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// indentOf returns the leading whitespace of the line holding pos.
func indentOf(pass *analysis.Pass, pos token.Pos) string {
	position := pass.Fset.Position(pos)
	src, err := readFile(pass, position.Filename)
	if err != nil || position.Offset > len(src) {
		return "\t"
	}
	start := bytes.LastIndexByte(src[:position.Offset], '\n') + 1
	line := src[start:position.Offset]
	return string(line[:len(line)-len(bytes.TrimLeft(line, " \t"))])
}

func readFile(pass *analysis.Pass, name string) ([]byte, error) {
	if pass.ReadFile == nil {
		return nil, fmt.Errorf("no ReadFile")
	}
	return pass.ReadFile(name)
}

// addImports returns the edits that import the named standard packages
// into file, for those not yet imported.
func addImports(file *ast.File, paths ...string) []analysis.TextEdit {
	var missing []string
	for _, path := range paths {
		found := false
		for _, imp := range file.Imports {
			if v, err := strconv.Unquote(imp.Path.Value); err == nil && v == path && (imp.Name == nil || imp.Name.Name == path) {
				found = true
			}
		}
		if !found {
			missing = append(missing, path)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var specs strings.Builder
	for _, m := range missing {
		specs.WriteString("\t" + strconv.Quote(m) + "\n")
	}
	for _, decl := range file.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		if gd.Lparen.IsValid() {
			return []analysis.TextEdit{{Pos: gd.Rparen, End: gd.Rparen, NewText: []byte(specs.String())}}
		}
		// import "x" → import ( "x" ... )
		old := types.ExprString(gd.Specs[0].(*ast.ImportSpec).Path)
		if n := gd.Specs[0].(*ast.ImportSpec).Name; n != nil {
			old = n.Name + " " + old
		}
		return []analysis.TextEdit{{Pos: gd.Pos(), End: gd.End(), NewText: []byte("import (\n\t" + old + "\n" + specs.String() + ")")}}
	}
	return []analysis.TextEdit{{Pos: file.Name.End(), End: file.Name.End(), NewText: []byte("\n\nimport (\n" + specs.String() + ")")}}
}
