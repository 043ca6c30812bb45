package origins // want package:"hasConnFacts"

// Functions of the program that return a conn from one origin are origins
// themselves: a listener wrapper's Accept, a dial helper. A multiplexer's
// Accept, whose streams are no sockets, is not.

import (
	"bufio"
	"fmt"
	"net"
)

// limitListener counts the conns its inner listener accepts.
type limitListener struct {
	net.Listener
	n int
}

// Accept returns the inner listener's conn: an accepted socket.
func (l *limitListener) Accept() (net.Conn, error) { // want Accept:"^origin accepted$"
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.n++
	return c, nil
}

// BadLimited hangs up on a conn of the wrapper without reading.
func BadLimited(ln net.Listener) {
	l := &limitListener{Listener: ln}
	c, err := l.Accept()
	if err != nil {
		return
	}
	fmt.Fprintln(c, "bye")
	c.Close() // want `conn accepted at origins\.go:\d+ is closed with input never read: RST may destroy our reply`
}

// mux hands out in-memory streams.
type mux struct {
	peers chan net.Conn
}

// Accept returns one end of a pipe: no socket.
func (m *mux) Accept() (net.Conn, error) {
	a, b := net.Pipe()
	m.peers <- b
	return a, nil
}

func (m *mux) Close() error   { return nil }
func (m *mux) Addr() net.Addr { return nil }

// GoodMuxStream closes a stream without reading: no RST exists.
//
//proof:skip an in-memory stream (net.Pipe) behind a listener-like Accept: no socket, no RST
func GoodMuxStream(m *mux) {
	c, err := m.Accept()
	if err != nil {
		return
	}
	fmt.Fprintln(c, "bye")
	c.Close()
}

// dialBackend is a dial helper: its callers own a dialed conn.
func dialBackend(addr string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("backend: %w", err)
	}
	return c, nil
}

// DialTCP is a dial helper with a constant TCP network: its callers know
// its conns are *net.TCPConn, so an assertion to one cannot fail.
//
//proof:skip a dial helper, with no Close of its own: its fact is what this case shows
func DialTCP(addr string) (net.Conn, error) { // want DialTCP:"^origin dialed tcp$"
	return net.Dial("tcp", addr)
}

// AcceptUnix returns a conn of a unix listener.
//
//proof:skip an accept helper, with no Close of its own: its fact is what this case shows
func AcceptUnix(path string) (net.Conn, error) { // want AcceptUnix:"^origin accepted unix$"
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	return ln.Accept()
}

// BadDialHelper reads the answer to one request, sends another and closes.
func BadDialHelper(addr string) error {
	c, err := dialBackend(addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at origins\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	r := bufio.NewReader(c)
	fmt.Fprintf(c, "PING\r\n")
	if _, err := r.ReadString('\n'); err != nil {
		return err
	}
	fmt.Fprintf(c, "PING\r\n")
	return nil
}

// GoodDialHelper reads both answers.
func GoodDialHelper(addr string) error {
	c, err := dialBackend(addr)
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
