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
// rstlint cannot see, and is left out. The parameters a pipe helper
// copies into each other are conns whoever calls it (pipedParams).
func DefiniteParams(funcs []*ssa.Function, nets *Networks, fields map[*types.Var]*Field) map[*ssa.Parameter]bool {
	sites := callSites(funcs)
	taken := takenFuncs(funcs)
	definite := pipedParams(funcs)
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

// pipedParams finds the parameters of a type a conn only satisfies that a
// function copies into each other in both directions, in its own body, in
// its closures or through a helper of the package that copies its own
// parameters (`go io.Copy(a, b); io.Copy(b, a)`): a pipe helper. Its
// parameters are the two ends of a proxy whoever calls it, and a
// direction it cuts loses its data on any stream, so it is judged as
// their owner even where no call of the package shows what it is given
// (an exported Pipe(src, dst io.ReadWriteCloser)).
func pipedParams(funcs []*ssa.Function) map[*ssa.Parameter]bool {
	own := make(map[*ssa.Function][][2]int, len(funcs))
	for _, fn := range funcs {
		if fn.Parent() == nil {
			own[fn] = copyEdges(fn, nil)
		}
	}
	piped := make(map[*ssa.Parameter]bool)
	for _, fn := range funcs {
		if fn.Parent() != nil {
			continue
		}
		edges := copyEdges(fn, own)
		for _, e := range edges {
			for _, r := range edges {
				if e[0] == r[1] && e[1] == r[0] && e[0] != e[1] {
					for _, i := range e {
						if p := fn.Params[i]; knowledge.IsConnType(p.Type()) {
							piped[p] = true
						}
					}
				}
			}
		}
	}
	return piped
}

// copyEdges lists the copies (destination, source) between fn's
// parameters made by io.Copy or io.CopyBuffer in fn and its closures, and
// by its calls of the package's helpers: helpers gives, by helper, the
// copies each makes between its own parameters.
func copyEdges(fn *ssa.Function, helpers map[*ssa.Function][][2]int) [][2]int {
	var edges [][2]int
	var walk func(f *ssa.Function, depth int)
	walk = func(f *ssa.Function, depth int) {
		if depth > knowledge.MaxDepth {
			return
		}
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				cc := call.Common()
				callee := cc.StaticCallee()
				var pairs [][2]int
				switch {
				case knowledge.IsStreamCopy(callee):
					pairs = [][2]int{{0, 1}}
				case callee != nil && callee != fn:
					pairs = helpers[callee]
				}
				for _, pr := range pairs {
					if pr[0] >= len(cc.Args) || pr[1] >= len(cc.Args) {
						continue
					}
					dst, src := paramOf(fn, cc.Args[pr[0]]), paramOf(fn, cc.Args[pr[1]])
					if dst >= 0 && src >= 0 {
						edges = append(edges, [2]int{dst, src})
					}
				}
			}
		}
		for _, anon := range f.AnonFuncs {
			walk(anon, depth+1)
		}
	}
	walk(fn, 0)
	return edges
}

// paramOf is the index of the parameter of fn that v is, under
// conversions and the captures of fn's closures, or -1.
func paramOf(fn *ssa.Function, v ssa.Value) int {
	for range knowledge.MaxDepth {
		switch x := v.(type) {
		case *ssa.Parameter:
			if x.Parent() == fn {
				return knowledge.ParamIndex(fn, x)
			}
			return -1
		case *ssa.FreeVar:
			if v = knowledge.Binding(x); v == nil {
				return -1
			}
			continue
		}
		w, ok := knowledge.Step(v)
		if !ok {
			return -1
		}
		v = w
	}
	return -1
}
