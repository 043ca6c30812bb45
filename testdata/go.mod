// Module rstcases holds rstlint's test cases: one package per bug shape,
// each with its clean twin beside it. The analyzer tests run on it with
// analysistest (module mode), and the runtime proof executes its exported
// entry points against a real peer on loopback:
//
//	func Xxx(c net.Conn)          a server handler given an accepted conn
//	func Xxx(ln net.Listener)     a server that accepts one conn itself
//	func Xxx(addr string) error   a client of a server at addr
//	func Xxx(lfd int)             a raw-socket server given a listening fd
module rstcases

go 1.26.0

require (
	github.com/rstlint/rstlint v0.0.0-00010101000000-000000000000
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/sync v0.21.0
	golang.org/x/sys v0.50.0
	golang.org/x/tools v0.47.0
)

require golang.org/x/mod v0.37.0 // indirect

replace github.com/rstlint/rstlint => ../
