package rawfd

// Raw SOCK_STREAM descriptors from syscall and x/sys/unix.

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// Bad is the seed, verbatim in Go: accept, answer, close.
func Bad(lfd int) {
	fd, _, err := syscall.Accept(lfd)
	if err != nil {
		return
	}
	syscall.Write(fd, []byte("hello\n"))
	syscall.Close(fd) // want `socket fd accepted at rawfd\.go:\d+ is closed with input never read: RST may destroy our reply`
}

// Good shuts down the write side, reads until Read returns 0, closes.
func Good(lfd int) {
	fd, _, err := syscall.Accept(lfd)
	if err != nil {
		return
	}
	syscall.Write(fd, []byte("hello\n"))
	syscall.Shutdown(fd, syscall.SHUT_WR)
	tv := syscall.Timeval{Sec: 2}
	syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	buf := make([]byte, 4096)
	for {
		n, err := syscall.Read(fd, buf)
		if n <= 0 || err != nil {
			break
		}
	}
	syscall.Close(fd)
}

// BadShutdownOnly half-closes without the read loop.
func BadShutdownOnly(lfd int) {
	fd, _, err := unix.Accept(lfd)
	if err != nil {
		return
	}
	unix.Write(fd, []byte("hello\n"))
	unix.Shutdown(fd, unix.SHUT_WR)
	unix.Close(fd) // want `the accepted socket fd is closed after shutdown\(SHUT_WR\) with input unread: RST drops what is unsent`
}

// BadLinger sets SO_LINGER to {1, 0}.
//
//proof:eof
func BadLinger(lfd int) {
	fd, _, err := unix.Accept4(lfd, unix.SOCK_CLOEXEC)
	if err != nil {
		return
	}
	unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	buf := make([]byte, 4096)
	for {
		n, _ := unix.Read(fd, buf)
		if n == 0 {
			break
		}
	}
	unix.Close(fd) // want `socket fd accepted at rawfd\.go:\d+ is closed after SO_LINGER \{1, 0\}: RST drops what is not yet sent`
}

// resetOnClose is the linger a checker sets on every probe socket, in a
// package variable: {1, 0}, as much as a literal at the call.
var resetOnClose = unix.Linger{Onoff: 1, Linger: 0}

// BadLingerVar sets SO_LINGER from the package's variable.
//
//proof:eof
func BadLingerVar(lfd int) {
	fd, _, err := unix.Accept4(lfd, unix.SOCK_CLOEXEC)
	if err != nil {
		return
	}
	unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &resetOnClose)
	buf := make([]byte, 4096)
	for {
		n, _ := unix.Read(fd, buf)
		if n == 0 {
			break
		}
	}
	unix.Close(fd) // want `socket fd accepted at rawfd\.go:\d+ is closed after SO_LINGER \{1, 0\}: RST drops what is not yet sent`
}

// graceful is a linger of 5 seconds: a Close waits for the send queue.
var graceful = unix.Linger{Onoff: 1, Linger: 5}

// GoodLingerVar sets that linger and reads to EOF before it closes.
//
//proof:eof
func GoodLingerVar(lfd int) {
	fd, _, err := unix.Accept4(lfd, unix.SOCK_CLOEXEC)
	if err != nil {
		return
	}
	unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &graceful)
	buf := make([]byte, 4096)
	for {
		n, _ := unix.Read(fd, buf)
		if n == 0 {
			break
		}
	}
	unix.Close(fd)
}

// BadClient connects, reads the answer to a first request, writes a
// second one and closes without reading its answer.
func BadClient(port int) error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if err := syscall.Connect(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return err
	}
	syscall.Write(fd, []byte("PING\n"))
	if n, err := syscall.Read(fd, make([]byte, 5)); n <= 0 || err != nil {
		syscall.Close(fd)
		return err
	}
	syscall.Write(fd, []byte("PING\n"))
	return syscall.Close(fd) // want `socket fd created at rawfd\.go:\d+ is closed with the reply unread: RST may cut our last write short`
}

// GoodClient reads the reply before closing.
func GoodClient(port int) error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	if err := syscall.Connect(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return err
	}
	syscall.Write(fd, []byte("PING\n"))
	buf := make([]byte, 64)
	_, err = syscall.Read(fd, buf)
	return err
}

// streamSocket creates a socket for the prober, non-blocking once the
// connect is done; when that fails it closes the descriptor and returns
// it with the error, which its caller checks: a creator of sockets all
// the same (its conn result is an int).
func streamSocket() (int, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return -1, err
	}
	err = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1)
	if err != nil {
		syscall.Close(fd)
	}
	return fd, err
}

// BadHelperClient pings twice through streamSocket's descriptor and
// closes without reading the second answer.
func BadHelperClient(port int) error {
	fd, err := streamSocket()
	if err != nil {
		return err
	}
	defer syscall.Close(fd) // want `socket fd created at rawfd\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	if err := syscall.Connect(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return err
	}
	syscall.Write(fd, []byte("PING\n"))
	if n, err := syscall.Read(fd, make([]byte, 5)); n <= 0 || err != nil {
		return err
	}
	_, err = syscall.Write(fd, []byte("PING\n"))
	return err
}

// GoodHelperClient reads its one answer before closing.
func GoodHelperClient(port int) error {
	fd, err := streamSocket()
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	if err := syscall.Connect(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return err
	}
	syscall.Write(fd, []byte("PING\n"))
	_, err = syscall.Read(fd, make([]byte, 64))
	return err
}

// Listener: a listening socket is no connection.
//
//proof:skip a listening socket
func Listener() (int, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return -1, err
	}
	if err := syscall.Listen(fd, 8); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	syscall.Close(fd)
	return fd, nil
}

// Datagram sockets have no RST.
//
//proof:skip a datagram socket
func Datagram() {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0)
	if err != nil {
		return
	}
	syscall.Close(fd)
}

// closeFD is a helper on raw descriptors.
func closeFD(fd int) { syscall.Close(fd) }

// BadHelper closes through the helper.
func BadHelper(lfd int) {
	fd, _, err := syscall.Accept(lfd)
	if err != nil {
		return
	}
	syscall.Write(fd, []byte("hello\n"))
	closeFD(fd) // want `the accepted socket fd is closed by rawfd\.closeFD with input never read: RST may destroy our reply`
}
