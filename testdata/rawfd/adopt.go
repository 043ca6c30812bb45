package rawfd // want package:"hasConnFacts"

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// adopt moves a conn's socket to a descriptor of its own, as an event
// loop does, and closes the conn: that Close drops one descriptor of the
// socket, not the connection, which lives on in the copy.
func adopt(c net.Conn) (int, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return -1, errors.New("no raw conn")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd, dupErr := -1, error(nil)
	if err := rc.Control(func(s uintptr) { fd, dupErr = syscall.Dup(int(s)) }); err != nil {
		return -1, err
	}
	if dupErr != nil {
		return -1, dupErr
	}
	c.Close()
	return fd, nil
}

// GoodAdoptDup hands each accepted conn's socket to a descriptor of its
// own: the Close of the conn after the dup is no teardown.
//
//proof:skip the dup keeps the socket open: its end is the adopting loop's
func GoodAdoptDup(l net.Listener) ([]int, error) {
	var fds []int
	for range 2 {
		c, err := l.Accept()
		if err != nil {
			return fds, err
		}
		fd, err := adopt(c)
		if err != nil {
			return fds, fmt.Errorf("adopt: %w", err)
		}
		fds = append(fds, fd)
	}
	return fds, nil
}

// BadTunedClose only sets an option through the raw conn, writes and
// closes: no copy holds the socket, and the Close ends the connection.
func BadTunedClose(c net.Conn) { // want BadTunedClose:"^conn p0 closes unread:w returns unread,done,closed uses writes$"
	sc, ok := c.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(s uintptr) { syscall.SetsockoptInt(int(s), syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1) })
	fmt.Fprintln(c, "hello")
	c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
}
