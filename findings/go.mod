module github.com/rstlint/rstlint/findings

go 1.26.0

require (
	github.com/hashicorp/yamux v0.1.2
	github.com/libp2p/go-yamux/v5 v5.1.0
	github.com/miekg/dns v1.1.73
	github.com/rstlint/rstlint v0.0.0
)

require (
	github.com/libp2p/go-buffer-pool v0.0.2 // indirect
	golang.org/x/net v0.57.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)

replace github.com/rstlint/rstlint => ../
