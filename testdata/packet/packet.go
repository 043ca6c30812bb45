package packet

// Packet sockets and in-memory pipes have no RST: nothing is reported.

import "net"

func UDP(addr string) error {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	c.Write([]byte("ping"))
	return c.Close()
}

func ListenPacket() error {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	return pc.Close()
}

func Pipe() {
	a, b := net.Pipe()
	go func() { b.Write([]byte("x")); b.Close() }()
	a.Close()
}

func Unixgram(path string) error {
	c, err := net.Dial("unixgram", path)
	if err != nil {
		return err
	}
	c.Write([]byte("x"))
	return c.Close()
}

func UnknownNetwork(network, addr string) error {
	c, err := net.Dial(network, addr)
	if err != nil {
		return err
	}
	c.Write([]byte("x"))
	return c.Close()
}
