package fixed // want package:"hasConnFacts"

// The suggested fix turns each bare Close into the graceful close.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"time"
)

func Interface(c net.Conn) { // want Interface:"^conn p0 closes .+ returns closed uses writes"
	fmt.Fprintln(c, "bye")
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite() // FIN after our data
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Second))   // bound the drain
	_, _ = io.Copy(io.Discard, io.LimitReader(c, 1<<20)) // read the peer's input to EOF
	_ = c.Close()
}

func Deferred(c *net.TCPConn) { // want Deferred:"^conn p0 closes .+ returns closed uses writes"
	defer func() {
		_ = c.CloseWrite()                                   // FIN after our data
		_ = c.SetReadDeadline(time.Now().Add(time.Second))   // bound the drain
		_, _ = io.Copy(io.Discard, io.LimitReader(c, 1<<20)) // read the peer's input to EOF
		_ = c.Close()
	}()
	fmt.Fprintln(c, "bye")
}

func HalfClosed(c *net.TCPConn) { // want HalfClosed:"^conn p0 closes .+ returns closed uses writes"
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	_ = c.SetReadDeadline(time.Now().Add(time.Second))   // bound the drain
	_, _ = io.Copy(io.Discard, io.LimitReader(c, 1<<20)) // read the peer's input to EOF
	_ = c.Close()
}

func Dialed(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintln(c, "HELO")
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		c.Close()
		return err
	}
	fmt.Fprintln(c, "QUIT")
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite() // FIN after our data
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Second))   // bound the drain
	_, _ = io.Copy(io.Discard, io.LimitReader(c, 1<<20)) // read the peer's input to EOF
	_ = c.Close()
	return nil
}
