package verdict

import (
	"fmt"
	"go/ast"
	"go/token"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/rstlint/rstlint/internal/trace"
)

// This file indexes the package's files for matching trace frames: the
// names a frame may give a file, the place of a Close (a deferred Close
// runs at its function's returns), and the position to report a frame at.

// sourceIndex is what matching needs of the package's files.
type sourceIndex struct {
	pass  *analysis.Pass
	files map[string]*ast.File // by the name the build used, and by importdir/base
	names map[*ast.File]string // the build's name of each file
	dir   string               // the package's import path without _test: its files' trimpath directory
}

func newSourceIndex(pass *analysis.Pass) *sourceIndex {
	ix := &sourceIndex{pass: pass, files: make(map[string]*ast.File), names: make(map[*ast.File]string),
		dir: strings.TrimSuffix(pass.Pkg.Path(), "_test")}
	for _, f := range pass.Files {
		name := pass.Fset.File(f.Pos()).Name()
		ix.names[f] = name
		for _, k := range ix.keys(name) {
			ix.files[k] = f
		}
	}
	return ix
}

// keys are the names a frame may give the file: the build's, and the one
// a -trimpath binary records (importpath/file.go).
func (ix *sourceIndex) keys(file string) []string {
	return []string{filepath.ToSlash(file), ix.dir + "/" + filepath.Base(file)}
}

// frameFile is a frame's file as the keys spell it: a -trimpath frame of
// a module dependency names its version (example.com/m@v1.2.0/x.go).
func frameFile(f trace.Frame) string {
	file := filepath.ToSlash(f.File)
	if strings.HasPrefix(file, "/") || filepath.IsAbs(f.File) {
		return file
	}
	if at := strings.Index(file, "@"); at >= 0 {
		if slash := strings.Index(file[at:], "/"); slash >= 0 {
			file = file[:at] + file[at+slash:]
		}
	}
	return file
}

func lineKeyString(file string, line int) string { return fmt.Sprintf("%s:%d", file, line) }

// funcAt is the innermost function (declaration or literal) whose body
// holds pos.
func funcAt(file *ast.File, pos token.Pos) (body *ast.BlockStmt) {
	ast.Inspect(file, func(n ast.Node) bool {
		if n == nil || pos < n.Pos() || pos >= n.End() {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Body != nil {
				body = n.Body
			}
		case *ast.FuncLit:
			body = n.Body
		}
		return true
	})
	return body
}

// exitLines are the lines at which a deferred call of the function with
// this body runs, as a stack names them: its return statements and its
// closing brace.
func exitLines(fset *token.FileSet, body *ast.BlockStmt) map[int]bool {
	lines := map[int]bool{fset.Position(body.Rbrace).Line: true}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its returns are its own
		case *ast.ReturnStmt:
			lines[fset.Position(n.Pos()).Line] = true
		}
		return true
	})
	return lines
}

// deferAt reports whether a defer statement starts at pos: rstlint reports
// a deferred Close at its defer statement.
func deferAt(file *ast.File, pos token.Pos) bool {
	found := false
	ast.Inspect(file, func(n ast.Node) bool {
		if found || n == nil || pos < n.Pos() || pos >= n.End() {
			return false
		}
		if d, ok := n.(*ast.DeferStmt); ok && d.Pos() == pos {
			found = true
		}
		return true
	})
	return found
}

// closePlace is a place of the package where rstlint judges or passes on
// a Close: a diagnostic, or a delegated Close.
type closePlace struct {
	file  *ast.File
	line  int
	exits map[int]bool // for a deferred Close: the lines at which it runs
}

// at reports whether the frame (in the place's file) names this place.
func (p closePlace) at(line int) bool { return line == p.line || p.exits[line] }

func (ix *sourceIndex) place(pos token.Pos) (closePlace, bool) {
	tf := ix.pass.Fset.File(pos)
	if tf == nil {
		return closePlace{}, false
	}
	var file *ast.File
	for _, f := range ix.pass.Files {
		if f.Pos() <= pos && pos < f.End() {
			file = f
		}
	}
	if file == nil {
		return closePlace{}, false
	}
	p := closePlace{file: file, line: tf.Line(pos)}
	if deferAt(file, pos) {
		if body := funcAt(file, pos); body != nil {
			p.exits = exitLines(ix.pass.Fset, body)
		}
	}
	return p, true
}

// linePos is the position to report a frame at: the first call on its
// line, else the first node there.
func (ix *sourceIndex) linePos(f trace.Frame) token.Pos {
	file := ix.files[frameFile(f)]
	if file == nil {
		return token.NoPos
	}
	tf := ix.pass.Fset.File(file.Pos())
	if f.Line < 1 || f.Line > tf.LineCount() {
		return token.NoPos
	}
	var call, first token.Pos
	ast.Inspect(file, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		start, end := tf.Line(n.Pos()), tf.Line(n.End())
		if f.Line < start || f.Line > end {
			return false
		}
		if start == f.Line {
			if !first.IsValid() || n.Pos() < first {
				first = n.Pos()
			}
			if _, ok := n.(*ast.CallExpr); ok && (!call.IsValid() || n.Pos() < call) {
				call = n.Pos()
			}
		}
		return true
	})
	if call.IsValid() {
		return call
	}
	if first.IsValid() {
		return first
	}
	return tf.LineStart(f.Line)
}
