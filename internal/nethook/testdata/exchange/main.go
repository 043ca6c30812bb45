// Command exchange runs, one after the other, a small server/client
// exchange per way a Close can end a TCP or unix stream conn, and prints
// what each peer observed: the bytes, the errors, the kernel's verdict as
// the peer sees it. nethook's test runs it built with and without the
// hook and requires the same output.
package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-loop" {
		n, err := strconv.Atoi(os.Args[2])
		if err != nil {
			panic(err)
		}
		fmt.Println(loop(n).Nanoseconds() / int64(n))
		return
	}
	for _, sc := range []struct {
		name string
		run  func() (string, error)
	}{
		{"graceful", graceful},
		{"unread", unread},
		{"linger", linger},
		{"unix", unixUnread},
	} {
		out, err := sc.run()
		fmt.Printf("%s: %s err=%s\n", sc.name, out, describe(err))
	}
}

// describe names an error by what a peer can tell of it.
func describe(err error) string {
	switch {
	case err == nil:
		return "none"
	case errors.Is(err, syscall.ECONNRESET):
		return "ECONNRESET"
	case errors.Is(err, syscall.EPIPE):
		return "EPIPE"
	case errors.Is(err, io.EOF):
		return "EOF"
	}
	return err.Error()
}

// pair returns an accepted conn and its client, after the client sent
// request, which is then in the accepted conn's receive queue.
func pair(network, addr string, request []byte) (server, client net.Conn, err error) {
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	client, err = net.Dial(network, ln.Addr().String())
	if err != nil {
		return nil, nil, err
	}
	if _, err := client.Write(request); err != nil {
		return nil, nil, err
	}
	server, err = ln.Accept()
	if err != nil {
		return nil, nil, err
	}
	time.Sleep(20 * time.Millisecond)
	return server, client, nil
}

// readAll reads what the client gets, after the server's close reached it.
func readAll(c net.Conn) (string, error) {
	time.Sleep(50 * time.Millisecond)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(c)
	c.Close()
	return fmt.Sprintf("read=%q", b), err
}

// graceful: the client half-closes, the server reads to EOF, answers and
// closes: FIN.
func graceful() (string, error) {
	s, c, err := pair("tcp", "127.0.0.1:0", []byte("request"))
	if err != nil {
		return "", err
	}
	c.(*net.TCPConn).CloseWrite()
	req, _ := io.ReadAll(s)
	s.Write(append([]byte("reply to "), req...))
	s.Close()
	return readAll(c)
}

// unread: the server reads 4 of 64 bytes, answers and closes: RST.
func unread() (string, error) {
	s, c, err := pair("tcp", "127.0.0.1:0", make([]byte, 64))
	if err != nil {
		return "", err
	}
	io.ReadFull(s, make([]byte, 4))
	s.Write([]byte("ok"))
	s.Close()
	return readAll(c)
}

// linger: the server reads everything but closes with SO_LINGER 0: RST.
func linger() (string, error) {
	s, c, err := pair("tcp", "127.0.0.1:0", []byte("hi"))
	if err != nil {
		return "", err
	}
	io.ReadFull(s, make([]byte, 2))
	s.Write([]byte("bye"))
	s.(*net.TCPConn).SetLinger(0)
	s.Close()
	return readAll(c)
}

// unixUnread: a unix stream server closes with 10 bytes unread: the
// client's read fails with ECONNRESET.
func unixUnread() (string, error) {
	dir, err := os.MkdirTemp("", "exchange")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	s, c, err := pair("unix", filepath.Join(dir, "sock"), make([]byte, 10))
	if err != nil {
		return "", err
	}
	s.Close()
	return readAll(c)
}

// loop runs n short graceful exchanges on loopback (dial, accept, a
// request and an answer, both sides close, nothing unread) and returns the
// time they took: what the hook costs a conn that does not reset, its
// dial, accept and two Closes.
func loop(n int) time.Duration {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	buf := make([]byte, 16)
	start := time.Now()
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			panic(err)
		}
		s, err := ln.Accept()
		if err != nil {
			panic(err)
		}
		c.Write(buf)
		io.ReadFull(s, buf)
		s.Write(buf)
		io.ReadFull(c, buf)
		c.Close()
		s.Close()
	}
	return time.Since(start)
}
