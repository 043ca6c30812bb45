package proxy

// Proxies: two io.Copy directions, and when the function closes.

import (
	"io"
	"net"
	"sync"
)

// BadFirstFinisher returns when the first direction ends and its deferred
// Closes tear down the other direction with its input still queued.
func BadFirstFinisher(client net.Conn, target string) {
	server, err := net.Dial("tcp", target)
	if err != nil {
		client.Close()
		return
	}
	defer server.Close() // want `conn dialed at proxy\.go:\d+ is closed after waiting for 1 of its 2 copy goroutines: input another still reads makes Linux send RST`
	defer client.Close() // want `conn client \(parameter of BadFirstFinisher\) is closed after waiting for 1 of its 2 copy goroutines: input another still reads makes Linux send RST`
	errc := make(chan error, 2)
	go func() {
		_, err := io.Copy(server, client)
		errc <- err
	}()
	go func() {
		_, err := io.Copy(client, server)
		errc <- err
	}()
	<-errc
}

// GoodBothDirections half-closes the destination after each copy and
// waits for both.
func GoodBothDirections(client net.Conn, target string) {
	server, err := net.Dial("tcp", target)
	if err != nil {
		client.Close()
		return
	}
	defer server.Close()
	defer client.Close()
	errc := make(chan error, 2)
	go func() {
		_, err := io.Copy(server, client)
		server.(*net.TCPConn).CloseWrite()
		errc <- err
	}()
	go func() {
		_, err := io.Copy(client, server)
		client.(*net.TCPConn).CloseWrite()
		errc <- err
	}()
	<-errc
	<-errc
}

// GoodWaitGroup waits for every direction with a WaitGroup.
func GoodWaitGroup(client net.Conn, target string) {
	server, err := net.Dial("tcp", target)
	if err != nil {
		client.Close()
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		io.Copy(server, client)
		server.(*net.TCPConn).CloseWrite()
	}()
	go func() {
		defer wg.Done()
		io.Copy(client, server)
		client.(*net.TCPConn).CloseWrite()
	}()
	wg.Wait()
	server.Close()
	client.Close()
}

// GoodLoop receives once per direction in a loop.
func GoodLoop(client, server *net.TCPConn) {
	defer server.Close()
	defer client.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(server, client); server.CloseWrite(); done <- struct{}{} }()
	go func() { io.Copy(client, server); client.CloseWrite(); done <- struct{}{} }()
	for i := 0; i < 2; i++ {
		<-done
	}
}

// pipe copies one direction and reports.
func pipe(dst, src net.Conn, errc chan<- error) {
	_, err := io.Copy(dst, src)
	errc <- err
}

// BadHelper: the same first-finisher shape through a helper.
func BadHelper(client, server net.Conn) {
	errc := make(chan error, 2)
	go pipe(server, client, errc)
	go pipe(client, server, errc)
	<-errc
	client.Close() // want `conn client \(parameter of BadHelper\) is closed after waiting for 1 of its 2 copy goroutines: input another still reads makes Linux send RST`
	server.Close() // want `conn server \(parameter of BadHelper\) is closed after waiting for 1 of its 2 copy goroutines: input another still reads makes Linux send RST`
}
