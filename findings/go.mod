module github.com/rstlint/rstlint/findings

go 1.26.0

require github.com/rstlint/rstlint v0.0.0

replace github.com/rstlint/rstlint => ../
