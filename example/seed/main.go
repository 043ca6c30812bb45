// Command seed is the bug rstlint was born from, in Go: a server accepts
// a connection, does its work, and closes it without reading what the
// client sent. Linux then answers the close with RST instead of FIN, and
// the client's read fails with "connection reset by peer".
//
//	go run ./example/seed           # shows the reset
//	go run ./example/seed -graceful # CloseWrite, drain, Close: no reset
//	rstlint ./example/...           # finds the bug without running it
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"time"
)

func main() {
	graceful := flag.Bool("graceful", false, "close gracefully: CloseWrite, drain, Close")
	flag.Parse()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()

	// The client sends its 1024-byte request before the server even
	// accepts, then waits for the answer.
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	if _, err := client.Write(make([]byte, 1024)); err != nil {
		log.Fatal(err)
	}

	if *graceful {
		serveGraceful(ln)
	} else {
		serve(ln)
	}

	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	answer, err := io.ReadAll(client)
	fmt.Printf("client read %q, error: %v\n", answer, err)
	if err != nil {
		os.Exit(1)
	}
}

// serve is the seed's server: accept, answer, close. The request is never
// read, so it is still queued in the kernel when Close runs.
func serve(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		log.Fatal(err)
	}
	c.Write([]byte("hello\n"))
	c.Close() // rstlint: closed with input never read
}

// serveGraceful is the fix: FIN after our data, then read the request to
// EOF (bounded by a deadline and a limit), then Close.
func serveGraceful(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		log.Fatal(err)
	}
	c.Write([]byte("hello\n"))
	c.(*net.TCPConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, io.LimitReader(c, 1<<20))
	c.Close()
}
