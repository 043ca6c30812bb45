package dialers

// Conns dialed through dialer values: a Dial func field, a ContextDialer
// interface, a network that only the code's own assertions prove a stream.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
)

// Proxy dials its backends through a func field, net.Dial by default.
type Proxy struct {
	Dial func(network, addr string) (net.Conn, error)
}

// pingTwice reads the answer to one ping, sends another and returns
// without reading that answer.
func pingTwice(c net.Conn) error {
	r := bufio.NewReader(c)
	fmt.Fprintf(c, "PING\r\n")
	if _, err := r.ReadString('\n'); err != nil {
		return err
	}
	_, err := fmt.Fprintf(c, "PING\r\n")
	return err
}

// BadDialField dials through the field and closes after pingTwice.
func BadDialField(addr string) error {
	p := &Proxy{Dial: net.Dial}
	c, err := p.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at dialers\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	if err := pingTwice(c); err != nil {
		return err
	}
	_, err = fmt.Fprintf(c, "QUIT\r\n")
	return err
}

// GoodDialField reads the second answer too.
func GoodDialField(addr string) error {
	p := &Proxy{Dial: net.Dial}
	c, err := p.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := pingTwice(c); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

// ContextDialer is x/net/proxy's ContextDialer.
type ContextDialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

func viaContextDialer(d ContextDialer, addr string) error {
	c, err := d.DialContext(context.Background(), "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at dialers\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	if err := pingTwice(c); err != nil {
		return err
	}
	_, err = fmt.Fprintf(c, "QUIT\r\n")
	return err
}

// BadContextDialer dials through the interface.
func BadContextDialer(addr string) error { return viaContextDialer(&net.Dialer{}, addr) }

// dialNetwork dials a network given by its caller: a stream only because
// it asserts *net.TCPConn.
func dialNetwork(dial func(string, string) (net.Conn, error), network, addr string) error {
	c, err := dial(network, addr)
	if err != nil {
		return err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	defer c.Close() // want `conn dialed at dialers\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	if err := pingTwice(c); err != nil {
		return err
	}
	_, err = fmt.Fprintf(c, "QUIT\r\n")
	return err
}

// BadNetworkVariable dials a variable network proven a stream.
func BadNetworkVariable(addr string) error { return dialNetwork(net.Dial, "tcp", addr) }

// unknownNetwork dials a variable network nothing proves a stream: it may
// be UDP, so nothing is said.
func unknownNetwork(dial func(string, string) (net.Conn, error), network, addr string) error {
	c, err := dial(network, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := pingTwice(c); err != nil {
		return err
	}
	_, err = fmt.Fprintf(c, "QUIT\r\n")
	return err
}

// GoodUnknownNetwork is unknownNetwork over TCP: silence, by design.
//
//proof:skip a network variable nothing proves a stream: silence by design, whatever the kernel does
func GoodUnknownNetwork(addr string) error { return unknownNetwork(net.Dial, "tcp", addr) }

// Client dials through its Dial field when it is set, and net.Dialer
// otherwise: its dial method is an origin of both.
type Client struct {
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// dial is the client's own dial method; the network is its caller's.
func (c *Client) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if c.Dial != nil {
		return c.Dial(ctx, network, addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// BadDialMethod dials through the client's dial method and closes after
// pingTwice.
func BadDialMethod(addr string) error {
	cl := &Client{}
	c, err := cl.dial(context.Background(), "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at dialers\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	return pingTwice(c)
}

// GoodDialMethod reads the second answer too.
func GoodDialMethod(addr string) error {
	cl := &Client{}
	c, err := cl.dial(context.Background(), "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := pingTwice(c); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

// tunnel keeps its network in a field that the package only ever sets to
// "tcp".
type tunnel struct {
	protocol string
	addr     string
}

func newTunnel(addr string) *tunnel { return &tunnel{protocol: "tcp", addr: addr} }

// BadNetworkField dials on the field's network and closes after
// pingTwice.
func BadNetworkField(addr string) error {
	t := newTunnel(addr)
	c, err := net.Dial(t.protocol, t.addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at dialers\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	return pingTwice(c)
}

// GoodNetworkField reads the second answer too.
func GoodNetworkField(addr string) error {
	t := newTunnel(addr)
	c, err := net.Dial(t.protocol, t.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := pingTwice(c); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

// relay's network field is set to "tcp" or "udp": nothing proves a
// stream, so nothing is said.
type relay struct{ network string }

func newRelay(udp bool) *relay {
	if udp {
		return &relay{network: "udp"}
	}
	return &relay{network: "tcp"}
}

// GoodMixedNetworkField dials on a field that may hold "udp": silence.
//
//proof:skip a network field that may name UDP: silence by design, whatever the kernel does
func GoodMixedNetworkField(addr string) error {
	r := newRelay(false)
	c, err := net.Dial(r.network, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	return pingTwice(c)
}

// retryDial dials again when the first dial fails: c holds the conn of
// one dial or of the other, one conn either way.
func retryDial(addr, fallback string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		c, err = net.Dial("tcp", fallback)
	}
	return c, err
}

// BadRetryDial closes the retried conn after pingTwice.
func BadRetryDial(addr string) error {
	c, err := retryDial(addr, addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at dialers\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	return pingTwice(c)
}

// GoodRetryDial reads the second answer too.
func GoodRetryDial(addr string) error {
	c, err := retryDial(addr, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := pingTwice(c); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

// connectVia dials and returns the conn as its second result, after the
// name of the route it took, as a proxy's connect helper returns a
// response first: the conn result is an origin whatever its index.
func connectVia(addr string) (string, net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	return "direct", c, nil
}

// BadDialSecondResult closes the conn connectVia dialed after pingTwice.
func BadDialSecondResult(addr string) error {
	_, c, err := connectVia(addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at dialers\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	return pingTwice(c)
}

// GoodDialSecondResult reads the second answer too.
func GoodDialSecondResult(addr string) error {
	_, c, err := connectVia(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := pingTwice(c); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

// ReqProxy dials for a request through a field that takes the request
// before the network and the address, as a forward proxy's CONNECT
// dialer does: a dialer value all the same.
type ReqProxy struct {
	DialForRequest func(req *http.Request, network, addr string) (net.Conn, error)
}

// newReqProxy's dialer ignores the request.
func newReqProxy() *ReqProxy {
	return &ReqProxy{DialForRequest: func(_ *http.Request, network, addr string) (net.Conn, error) {
		return net.Dial(network, addr)
	}}
}

// BadDialForRequest closes the conn dialed for a request after pingTwice.
func BadDialForRequest(addr string) error {
	c, err := newReqProxy().DialForRequest(nil, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at dialers\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	return pingTwice(c)
}

// GoodDialForRequest reads the second answer too.
func GoodDialForRequest(addr string) error {
	c, err := newReqProxy().DialForRequest(nil, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := pingTwice(c); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

// dialHello dials and says hello; when the hello fails it closes what it
// dialed and returns no conn: on the paths that return one, the conn is
// the dial's, so dialHello is a dial helper all the same.
func dialHello(addr string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	if _, err := fmt.Fprintf(c, "HELLO\r\n"); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// BadHelloDial reads the answer to the hello, pings and closes without
// reading the answer to the ping.
func BadHelloDial(addr string) error {
	c, err := dialHello(addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at dialers\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	return pingTwice(c)
}

// GoodHelloDial reads the answer to the hello, its only request, and
// closes.
func GoodHelloDial(addr string) error {
	c, err := dialHello(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = io.ReadFull(c, make([]byte, len("HELLO\r\n")))
	return err
}
