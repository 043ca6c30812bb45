package ownership

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
)

// This file says which network a dial or a listen names. A constant is
// read as it is. A network held in a field or a package variable is a
// stream network when every value the package stores there is a constant
// stream network (`t.protocol = "tcp"`); only unexported ones, which no
// other package can set. A network that is a parameter of the dialing
// function is its caller's choice: the function is an origin for the
// callers that pass a stream network (OriginFact.NetworkParam).

// netStores is what a package stores in one field or variable that holds
// a network name.
type netStores struct {
	stream bool             // every store is a constant stream network
	socket knowledge.Socket // and all of the same socket type
}

// Networks are the package's unexported string fields and variables, by
// what is stored in them.
type Networks struct {
	fields  map[*types.Var]netStores
	globals map[*ssa.Global]netStores
}

// StreamNetworks finds what the package's functions store in its
// unexported string fields and variables.
func StreamNetworks(funcs []*ssa.Function) *Networks {
	n := &Networks{fields: make(map[*types.Var]netStores), globals: make(map[*ssa.Global]netStores)}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				st, ok := instr.(*ssa.Store)
				if !ok || !knowledge.IsString(st.Val.Type()) {
					continue
				}
				switch addr := st.Addr.(type) {
				case *ssa.FieldAddr:
					if f := knowledge.FieldOf(addr); f != nil && !f.Exported() {
						n.fields[f] = merge(n.fields[f], st.Val, n.isSet(f))
					}
				case *ssa.Global:
					if !addr.Object().Exported() {
						_, seen := n.globals[addr]
						n.globals[addr] = merge(n.globals[addr], st.Val, seen)
					}
				}
			}
		}
	}
	// A package variable's initializer is a store in the package's init
	// function, which funcs holds; a variable no store reaches is "".
	return n
}

func (n *Networks) isSet(f *types.Var) bool {
	_, ok := n.fields[f]
	return ok
}

// merge adds the store of v to what was stored before (seen: there was
// something before).
func merge(prev netStores, v ssa.Value, seen bool) netStores {
	name, isConst := knowledge.ConstString(v)
	cur := netStores{stream: isConst && knowledge.IsStreamNetwork(name), socket: knowledge.SocketOfNetwork(name)}
	if !seen {
		return cur
	}
	if !prev.stream || !cur.stream {
		return netStores{}
	}
	if prev.socket != cur.socket {
		prev.socket = knowledge.NoSocket
	}
	return prev
}

// network says what a network argument v of a call in fn names: a stream
// network (and which socket type, if one), or the index of fn's parameter
// that v is (param >= 0), or neither.
func (n *Networks) network(v ssa.Value) (stream bool, socket knowledge.Socket, param int) {
	if name, ok := knowledge.ConstString(v); ok {
		return knowledge.IsStreamNetwork(name), knowledge.SocketOfNetwork(name), -1
	}
	if p, ok := v.(*ssa.Parameter); ok {
		for i, q := range p.Parent().Params {
			if q == p {
				return false, knowledge.NoSocket, i
			}
		}
	}
	if n == nil {
		return false, knowledge.NoSocket, -1
	}
	var s netStores
	var known bool
	switch x := v.(type) {
	case *ssa.UnOp: // a load of a field or a variable
		switch addr := x.X.(type) {
		case *ssa.FieldAddr:
			if f := knowledge.FieldOf(addr); f != nil {
				s, known = n.fields[f]
			}
		case *ssa.Global:
			s, known = n.globals[addr]
		}
	case *ssa.Field: // a field of a struct value
		if f := knowledge.FieldOfValue(x); f != nil {
			s, known = n.fields[f]
		}
	}
	if !known || !s.stream {
		return false, knowledge.NoSocket, -1
	}
	return true, s.socket, -1
}
