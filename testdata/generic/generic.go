package generic

import (
	"io"
	"net"
)

// Generic code must not crash the analyzer.
type closer interface {
	io.ReadWriteCloser
}

//proof:skip generic code: no connection of a known kind
func Serve[C closer](c C) {
	c.Write([]byte("hi"))
	c.Close()
}

//proof:skip generic code: no connection of a known kind
func Use(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	Serve(c) // the instantiated generic escapes: silence
}

//proof:skip generic code: no connection of a known kind
func Map[T any](xs []T, f func(T) T) []T {
	for i := range xs {
		xs[i] = f(xs[i])
	}
	return xs
}
