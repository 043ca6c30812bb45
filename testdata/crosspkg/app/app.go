package app // want package:"hasConnFacts"

import (
	"bufio"
	"fmt"
	"io"
	"net"

	"rstcases/crosspkg/connutil"
	"rstcases/crosspkg/pipes"
	"rstcases/crosspkg/quiet"
	"rstcases/crosspkg/reuse"
)

// Bad hangs up through another package's helper.
func Bad(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	fmt.Fprintln(c, "bye")
	connutil.HangUp(c) // want `the accepted conn is closed by connutil\.HangUp with input never read: RST may destroy our reply`
}

// Good drains with the other package's helper first.
func Good(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	fmt.Fprintln(c, "bye")
	connutil.Drain(c)
	connutil.HangUp(c)
}

// Kept: the helper keeps the conn; our Close is not the last word.
//
//proof:skip the conn is kept elsewhere: silence by design
func Kept(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	connutil.Keep(c)
	c.Close()
}

// BadReuseDial dials through another package's helper with a TCP network,
// asks twice and closes with the second answer unread.
func BadReuseDial(addr string) error {
	c, err := reuse.Dial("tcp", "", addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at app\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	r := bufio.NewReader(c)
	fmt.Fprintf(c, "PING\r\n")
	if _, err := r.ReadString('\n'); err != nil {
		return err
	}
	_, err = fmt.Fprintf(c, "PING\r\n")
	return err
}

// GoodReuseDial reads both answers.
func GoodReuseDial(addr string) error {
	c, err := reuse.Dial("tcp", "", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for range 2 {
		fmt.Fprintf(c, "PING\r\n")
		if _, err := r.ReadString('\n'); err != nil {
			return err
		}
	}
	return nil
}

// GoodReuseDatagram dials UDP through the same helper: no stream, no RST.
//
//proof:skip a datagram conn: no stream, nothing to reset
func GoodReuseDatagram(addr string) error {
	c, err := reuse.Dial("udp", "", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = fmt.Fprintf(c, "PING\r\n")
	return err
}

// BadCrossRelay closes both conns when another package's relay returns at
// its first direction: the other copy still reads one of them.
func BadCrossRelay(client, server net.Conn) {
	pipes.Relay(client, server)
	client.Close() // want `conn client is closed after pipes\.Relay returned at its first direction: RST cuts the other short`
	server.Close() // want `conn server is closed after pipes\.Relay returned at its first direction: RST cuts the other short`
}

// GoodCrossRelayAll closes both conns after both directions ended.
func GoodCrossRelayAll(client, server *net.TCPConn) {
	pipes.RelayAll(client, server)
	client.Close()
	server.Close()
}

// BadCrossGo starts both directions through another package's goroutine
// helper, returns when the first ends and closes both.
func BadCrossGo(client, server net.Conn) {
	errc := make(chan error, 2)
	pipes.Go(func() {
		_, err := io.Copy(server, client)
		errc <- err
	})
	pipes.Go(func() {
		_, err := io.Copy(client, server)
		errc <- err
	})
	<-errc
	client.Close() // want `conn client is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
	server.Close() // want `conn server is closed when 1 of its 2 copy goroutines ended: RST cuts the other short`
}

// BadQuietClose answers and hangs up through a logging helper of a
// package that imports no socket package.
func BadQuietClose(c net.Conn) { // want BadQuietClose:"^conn p0 closes unread:w returns closed uses writes$"
	fmt.Fprintln(c, "bye")
	quiet.Close(c) // want `conn c is closed by quiet\.Close with input never read: RST may destroy our reply`
}

// GoodQuietClose echoes to the peer's EOF, then hangs up through it.
//
//proof:eof
func GoodQuietClose(c net.Conn) { // want GoodQuietClose:"^conn p0 closes done:w returns closed uses writes drains$"
	io.Copy(c, c)
	quiet.Close(c)
}
