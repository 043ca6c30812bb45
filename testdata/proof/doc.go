// Package proof runs every runnable pattern of rstlint's test cases
// against the real kernel on loopback and checks that rstlint's verdict
// (flagged or not) matches what the kernel does (RST or FIN). See
// proof_test.go.
package proof
