package ownership

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
)

// DefiniteParams finds the parameters of a type a conn only satisfies
// (io.ReadWriteCloser, io.Writer...) that every call in the package
// passes a conn: a socket, a conn from an origin, an owning field's conn,
// or a parameter that is one itself. Such a parameter may hold a file
// when another module calls the function, but on the package's own
// calls it holds a conn, and the function is judged as its owner, as it
// is for a net.Conn parameter. A function whose value is taken has calls
// rstlint cannot see, and is left out.
func DefiniteParams(funcs []*ssa.Function, nets *Networks, fields map[*types.Var]*Field) map[*ssa.Parameter]bool {
	sites := callSites(funcs)
	taken := takenFuncs(funcs)
	definite := make(map[*ssa.Parameter]bool)
	for changed := true; changed; {
		changed = false
		for _, fn := range funcs {
			if taken[fn] || len(sites[fn]) == 0 {
				continue
			}
			for i, p := range fn.Params {
				if definite[p] || !knowledge.IsConnType(p.Type()) || knowledge.IsDefiniteConnType(p.Type()) {
					continue
				}
				all := true
				for _, call := range sites[fn] {
					args := call.Common().Args
					if i >= len(args) || !passesConn(args[i], sites, nets, fields, definite) {
						all = false
						break
					}
				}
				if all {
					definite[p] = true
					changed = true
				}
			}
		}
	}
	return definite
}

// passesConn reports whether an argument is certainly a conn: of a
// definite conn type under its conversions, from an origin, an owning
// field's conn (a load of s.conn), or a parameter already known to be one.
func passesConn(v ssa.Value, sites map[*ssa.Function][]ssa.CallInstruction, nets *Networks, fields map[*types.Var]*Field, definite map[*ssa.Parameter]bool) bool {
	for range knowledge.MaxDepth {
		if knowledge.IsDefiniteConnType(v.Type()) {
			return true
		}
		switch x := v.(type) {
		case *ssa.Parameter:
			return definite[x]
		case *ssa.UnOp:
			if fa, ok := x.X.(*ssa.FieldAddr); ok && x.Op == token.MUL {
				f := fields[knowledge.FieldOf(fa)]
				return f != nil && f.Role == knowledge.RoleConn && f.Definite
			}
			return false
		case *ssa.Call:
			o, ok := storedConn(x, sites, nets, 0)
			return ok && o.Role == knowledge.RoleConn && o.Verb != ""
		}
		w, ok := knowledge.Step(v)
		if !ok {
			return false
		}
		v = w
	}
	return false
}
