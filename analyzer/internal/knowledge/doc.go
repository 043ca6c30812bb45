// Package knowledge is the first stage of rstlint's analysis: what it
// knows before it looks at a program. The shape of SSA calls, types and
// constants; which types are sockets, and which are streams; what the
// standard library's and the syscall packages' calls do to a connection
// they are given; what a Close is; and the user's additions (-drain,
// -gracefulclose). It is data and functions of names, types and
// constants, and of a value's immediate SSA neighbours: nothing here
// follows a connection through a function.
//
// Which calls create connections, the standard library's included, is
// ownership's (origins.go there): a connection's origin is where its
// ownership starts.
package knowledge
