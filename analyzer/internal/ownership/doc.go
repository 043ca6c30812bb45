// Package ownership is the second stage of rstlint's analysis: which
// values of a function are connections, where each came from, and who
// answers for it. Origins (origins.go), the program's own wrappers
// (wrappers.go), owning fields (fields.go), parameters that carry
// datagrams (datagram.go), the tracking of a function's connections and
// their aliases (track.go), and the rule of who judges a Close (owner.go).
// What it knows of the functions a function calls it reads from the
// summaries computed before (summary.Table): it never analyzes a callee.
package ownership
