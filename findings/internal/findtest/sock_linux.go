package findtest

import (
	"syscall"
	"unsafe"
)

// tcpClose is TCP_CLOSE in include/net/tcp_states.h: the state of a socket
// that received RST.
const tcpClose = 7

// sendQueue returns the bytes in fd's send queue not yet acknowledged
// (ioctl SIOCOUTQ, which package syscall names TIOCOUTQ) and the socket's
// TCP state (the first byte of struct tcp_info).
func sendQueue(fd uintptr) (int, uint8, error) {
	var n int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&n))); errno != 0 {
		return 0, 0, errno
	}
	var info [8]byte
	l := uint32(len(info))
	if _, _, errno := syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, syscall.IPPROTO_TCP, syscall.TCP_INFO,
		uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&l)), 0); errno != 0 {
		return 0, 0, errno
	}
	return int(n), info[0], nil
}
