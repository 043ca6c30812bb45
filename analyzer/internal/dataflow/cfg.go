package dataflow

import "golang.org/x/tools/go/ssa"

// This file is the one place that walks a function's control-flow graph
// on its own: the order the dataflow visits blocks in, and which blocks
// lie on a cycle. Every later stage asks it instead of walking again.

// CFG is what the analysis needs of one function's control-flow graph.
type CFG struct {
	// rpo lists the blocks reachable from the entry in reverse postorder.
	rpo []*ssa.BasicBlock
	// cyclic[i] is set when block i can reach itself.
	cyclic []bool
}

// NewCFG computes the order and the cycles of fn's graph, in time linear
// in its blocks and edges. fn must have a body.
func NewCFG(fn *ssa.Function) *CFG {
	return &CFG{rpo: reversePostorder(fn), cyclic: cyclicBlocks(fn)}
}

// InLoop reports whether b can reach itself.
func (g *CFG) InLoop(b *ssa.BasicBlock) bool { return g.cyclic[b.Index] }

// blocksAfter returns the blocks that can run after b: its successors
// and every block they reach (b itself only when it lies on a cycle).
func blocksAfter(b *ssa.BasicBlock) []*ssa.BasicBlock {
	seen := make(map[*ssa.BasicBlock]bool)
	var out []*ssa.BasicBlock
	for work := append([]*ssa.BasicBlock(nil), b.Succs...); len(work) > 0; {
		blk := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[blk] {
			continue
		}
		seen[blk] = true
		out = append(out, blk)
		work = append(work, blk.Succs...)
	}
	return out
}

// reversePostorder lists the reachable blocks of fn in reverse postorder.
func reversePostorder(fn *ssa.Function) []*ssa.BasicBlock {
	seen := make([]bool, len(fn.Blocks))
	post := make([]*ssa.BasicBlock, 0, len(fn.Blocks))
	// Iterative DFS: generated functions can be deep.
	type frame struct {
		b *ssa.BasicBlock
		i int
	}
	stack := []frame{{fn.Blocks[0], 0}}
	seen[0] = true
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i < len(top.b.Succs) {
			s := top.b.Succs[top.i]
			top.i++
			if !seen[s.Index] {
				seen[s.Index] = true
				stack = append(stack, frame{s, 0})
			}
			continue
		}
		post = append(post, top.b)
		stack = stack[:len(stack)-1]
	}
	for i, j := 0, len(post)-1; i < j; i, j = i+1, j-1 {
		post[i], post[j] = post[j], post[i]
	}
	return post
}

// cyclicBlocks marks the blocks that can reach themselves: those of a
// strongly connected component with more than one block, and those with
// an edge to themselves. It is Tarjan's algorithm, made iterative.
func cyclicBlocks(fn *ssa.Function) []bool {
	n := len(fn.Blocks)
	cyclic := make([]bool, n)
	index := make([]int, n) // 0: not visited; else visit order + 1
	low := make([]int, n)
	onStack := make([]bool, n)
	var stack []int
	next := 1
	type frame struct{ b, i int }
	for root := range fn.Blocks {
		if index[root] != 0 {
			continue
		}
		calls := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(calls) > 0 {
			top := &calls[len(calls)-1]
			succs := fn.Blocks[top.b].Succs
			if top.i < len(succs) {
				s := succs[top.i].Index
				top.i++
				if s == top.b {
					cyclic[s] = true
				}
				switch {
				case index[s] == 0:
					index[s], low[s] = next, next
					next++
					stack = append(stack, s)
					onStack[s] = true
					calls = append(calls, frame{s, 0})
				case onStack[s]:
					low[top.b] = min(low[top.b], index[s])
				}
				continue
			}
			b := top.b
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				parent := calls[len(calls)-1].b
				low[parent] = min(low[parent], low[b])
			}
			if low[b] != index[b] {
				continue
			}
			// b is the root of a component: pop it.
			size := 0
			for i := len(stack) - 1; ; i-- {
				size++
				if stack[i] == b {
					break
				}
			}
			component := stack[len(stack)-size:]
			stack = stack[:len(stack)-size]
			for _, x := range component {
				onStack[x] = false
				if size > 1 {
					cyclic[x] = true
				}
			}
		}
	}
	return cyclic
}
