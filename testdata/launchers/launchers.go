package launchers

// A goroutine is a goroutine however it starts: errgroup.Group.Go,
// sync.WaitGroup.Go and the program's own helpers that only run their
// argument in a go statement start copy directions as a go statement
// does, and a Wait of the group waits for all of them.

import (
	"io"
	"net"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// BadErrgroupLostEOF waits for both directions but passes no EOF on: a
// request that ends with the client's half-close never ends for the
// server, and both directions wait until the deadline.
func BadErrgroupLostEOF(client, server net.Conn) {
	deadline := time.Now().Add(300 * time.Millisecond)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	var g errgroup.Group
	g.Go(func() error { // want `the copy into conn server ends without CloseWrite: its peer never sees EOF`
		_, err := io.Copy(server, client)
		return err
	})
	g.Go(func() error { // want `the copy into conn client ends without CloseWrite: its peer never sees EOF`
		_, err := io.Copy(client, server)
		return err
	})
	g.Wait()
	client.Close()
	server.Close()
}

// GoodErrgroup passes each EOF on and waits for both directions.
func GoodErrgroup(client, server *net.TCPConn) {
	var g errgroup.Group
	g.Go(func() error {
		_, err := io.Copy(server, client)
		server.CloseWrite()
		return err
	})
	g.Go(func() error {
		_, err := io.Copy(client, server)
		client.CloseWrite()
		return err
	})
	g.Wait()
	client.Close()
	server.Close()
}

// BadErrgroupCut closes both conns when either direction ends, to unblock
// the other: the other direction's input is still queued.
func BadErrgroupCut(client, server net.Conn) {
	var g errgroup.Group
	g.Go(func() error {
		_, err := io.Copy(server, client)
		server.Close() // want `conn server is closed when one copy direction ends, while the other uses it: RST`
		return err
	})
	g.Go(func() error {
		_, err := io.Copy(client, server)
		client.Close() // want `conn client is closed when one copy direction ends, while the other uses it: RST`
		return err
	})
	g.Wait()
}

// BadWaitGroupGoLostEOF is BadErrgroupLostEOF with sync.WaitGroup.Go.
func BadWaitGroupGoLostEOF(client, server net.Conn) {
	deadline := time.Now().Add(300 * time.Millisecond)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	var wg sync.WaitGroup
	wg.Go(func() { io.Copy(server, client) }) // want `the copy into conn server ends without CloseWrite: its peer never sees EOF`
	wg.Go(func() { io.Copy(client, server) }) // want `the copy into conn client ends without CloseWrite: its peer never sees EOF`
	wg.Wait()
	client.Close()
	server.Close()
}

// GoodWaitGroupGo passes each EOF on and waits for both directions.
func GoodWaitGroupGo(client, server *net.TCPConn) {
	var wg sync.WaitGroup
	wg.Go(func() { io.Copy(server, client); server.CloseWrite() })
	wg.Go(func() { io.Copy(client, server); client.CloseWrite() })
	wg.Wait()
	client.Close()
	server.Close()
}

// goSafe runs f in a new goroutine that survives f's panic.
func goSafe(f func()) {
	go func() {
		defer func() { recover() }()
		f()
	}()
}

// BadSafeGoFirstFinisher starts both directions through goSafe, returns
// when the first ends and closes both: the other is cut short.
func BadSafeGoFirstFinisher(client, server net.Conn) {
	errc := make(chan error, 2)
	goSafe(func() {
		_, err := io.Copy(server, client)
		errc <- err
	})
	goSafe(func() {
		_, err := io.Copy(client, server)
		errc <- err
	})
	<-errc
	client.Close() // want `conn client is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
	server.Close() // want `conn server is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
}

// GoodSafeGo waits for both directions, each of which passes the EOF on.
func GoodSafeGo(client, server *net.TCPConn) {
	errc := make(chan error, 2)
	goSafe(func() {
		_, err := io.Copy(server, client)
		server.CloseWrite()
		errc <- err
	})
	goSafe(func() {
		_, err := io.Copy(client, server)
		client.CloseWrite()
		errc <- err
	})
	<-errc
	<-errc
	client.Close()
	server.Close()
}
