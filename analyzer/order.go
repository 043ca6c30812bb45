package analyzer

import (
	"fmt"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/dataflow"
	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/ownership"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
)

// This file runs the stages over a package's functions bottom-up, as
// x/tools' printf gathers its facts: a function is analyzed after every
// function whose summary its analysis reads (its callees, the literals it
// calls or starts, the methods that make a type a wrapper), so that each
// lookup finds a summary computed before, as data. A group of functions
// that depend on one another (recursion) is analyzed together, round
// after round, until their summaries stop changing.

// maxRounds bounds the rounds of a recursive group: summaries are small
// and settle in two or three rounds; a bound keeps a pathological group
// from running long (its last round's summaries stand).
const maxRounds = 4

// analyzePackage analyzes funcs bottom-up and returns the analyses of the
// functions that hold connections, callees first, and the errors of the
// functions whose analysis failed (their summaries stay unknown).
func analyzePackage(funcs []*ssa.Function, ctx *ownership.Context, user knowledge.UserFuncs, table *summary.Table) ([]*dataflow.Analysis, []string) {
	var out []*dataflow.Analysis
	var errs []string
	deps := make(map[*ssa.Function][]*ssa.Function, len(funcs))
	depsOf := func(fn *ssa.Function) []*ssa.Function {
		d, ok := deps[fn]
		if !ok {
			d = dependencies(fn, table)
			deps[fn] = d
		}
		return d
	}
	for _, group := range bottomUp(funcs, depsOf) {
		final := make([]*dataflow.Analysis, len(group))
		for round := 1; ; round++ {
			changed := false
			for i, fn := range group {
				if len(fn.Blocks) == 0 {
					continue // no body (assembly): unknown to its callers
				}
				a, err := analyzeSafely(fn, ctx, user)
				if err != nil {
					if round == 1 {
						errs = append(errs, err.Error())
					}
					final[i] = nil
					continue
				}
				if old := table.Get(fn); old == nil || !sameSummary(old, a.Summary) {
					changed = true
				}
				table.Put(fn, a.Summary)
				final[i] = a
			}
			if !changed || !recursive(group, depsOf) || round == maxRounds {
				break
			}
		}
		for _, a := range final {
			if a != nil && a.HasConns() {
				out = append(out, a)
			}
		}
	}
	return out, errs
}

// analyzeSafely analyzes fn, turning a crash into an error that names the
// function instead of taking down the whole vet run.
func analyzeSafely(fn *ssa.Function, ctx *ownership.Context, user knowledge.UserFuncs) (a *dataflow.Analysis, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %v", fn, r)
		}
	}()
	return dataflow.Analyze(fn, ctx, user), nil
}

// recursive reports whether a group's functions depend on one another:
// more than one function, or one that depends on itself.
func recursive(group []*ssa.Function, deps func(*ssa.Function) []*ssa.Function) bool {
	return len(group) > 1 || slices.Contains(deps(group[0]), group[0])
}

// dependencies are the functions whose summaries fn's analysis may read:
// the functions its instructions name (callees, literals, function
// values), and the Read, Write and Close methods of the struct types its
// values point to (ownership.Delegates asks their summaries).
func dependencies(fn *ssa.Function, table *summary.Table) []*ssa.Function {
	var deps []*ssa.Function
	seen := make(map[*ssa.Function]bool)
	add := func(f *ssa.Function) {
		if f != nil && !seen[f] {
			seen[f] = true
			deps = append(deps, f)
		}
	}
	var ops []*ssa.Value
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ops = instr.Operands(ops[:0])
			for _, op := range ops {
				if f, ok := (*op).(*ssa.Function); ok {
					if orig := f.Origin(); orig != nil {
						f = orig
					}
					add(f)
				}
			}
			if mc, ok := instr.(*ssa.MakeClosure); ok {
				add(mc.Fn.(*ssa.Function))
			}
		}
	}
	for _, m := range ownership.DelegateMethods(fn, table.MethodSets, table.MethodValue) {
		add(m)
	}
	return deps
}

// bottomUp returns the strongly connected components of the graph of
// funcs and deps (edges to functions outside funcs are left out), each
// after the components it depends on (Tarjan's algorithm emits them in
// that order). Functions keep the order of funcs within a component.
func bottomUp(funcs []*ssa.Function, deps func(*ssa.Function) []*ssa.Function) [][]*ssa.Function {
	index := make(map[*ssa.Function]int, len(funcs))
	for i, fn := range funcs {
		index[fn] = i
	}
	const unvisited = -1
	order, low := make([]int, len(funcs)), make([]int, len(funcs))
	for i := range order {
		order[i] = unvisited
	}
	onStack := make([]bool, len(funcs))
	var stack []int
	var groups [][]*ssa.Function
	next := 0
	var visit func(v int)
	visit = func(v int) {
		order[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, d := range deps(funcs[v]) {
			w, local := index[d]
			switch {
			case !local:
			case order[w] == unvisited:
				visit(w)
				low[v] = min(low[v], low[w])
			case onStack[w]:
				low[v] = min(low[v], order[w])
			}
		}
		if low[v] != order[v] {
			return
		}
		var members []int
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			members = append(members, w)
			if w == v {
				break
			}
		}
		slices.Sort(members)
		group := make([]*ssa.Function, len(members))
		for i, m := range members {
			group[i] = funcs[m]
		}
		groups = append(groups, group)
	}
	for v := range funcs {
		if order[v] == unvisited {
			visit(v)
		}
	}
	return groups
}

// sameSummary reports whether two summaries of one function say the same
// to its callers, for the fixed point of a recursive group.
func sameSummary(a, b *summary.Func) bool {
	if !slices.Equal(a.Effects, b.Effects) || a.WrapperParam != b.WrapperParam ||
		(a.Origin == nil) != (b.Origin == nil) || a.Origin != nil && *a.Origin != *b.Origin {
		return false
	}
	sameRoots := func(x, y map[summary.RootKey]*summary.Root) bool {
		if len(x) != len(y) {
			return false
		}
		for k, r := range x {
			s, ok := y[k]
			if !ok || r.Effect != s.Effect || !slices.Equal(r.Sites, s.Sites) || !slices.Equal(r.Aborts, s.Aborts) ||
				len(r.Launches) != len(s.Launches) {
				return false
			}
			for i := range r.Launches {
				if r.Launches[i].Rel != s.Launches[i].Rel || (r.Launches[i].Root == nil) != (s.Launches[i].Root == nil) {
					return false
				}
			}
		}
		return true
	}
	return sameRoots(a.Params, b.Params) && sameRoots(a.FreeVars, b.FreeVars)
}
