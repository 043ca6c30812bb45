//go:build linux

package rsttest

import (
	"encoding/binary"
	"fmt"
	"syscall"
	"unsafe"
)

// The module depends on the standard library only for these probes
// (golang.org/x/sys is not in go.mod), so the few socket calls are spelled out
// with package syscall.

// inqFD returns the bytes queued unread in fd's receive queue: ioctl SIOCINQ.
// On Linux SIOCINQ equals FIONREAD equals TIOCINQ, the name package syscall
// defines on every architecture.
func inqFD(fd uintptr) (int, error) {
	var n int32
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// outqFD returns the bytes in fd's send queue not yet acknowledged by the
// peer: ioctl SIOCOUTQ (TIOCOUTQ).
func outqFD(fd uintptr) (int, error) {
	var n int32
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&n)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// lingerZeroFD reports whether SO_LINGER is on with 0 seconds, which makes
// close send RST. struct linger is two C ints; syscall has no
// GetsockoptLinger, but IPMreq is the same 8 bytes on every Linux
// architecture, so GetsockoptIPMreq reads it whole.
func lingerZeroFD(fd uintptr) (bool, error) {
	m, err := syscall.GetsockoptIPMreq(int(fd), syscall.SOL_SOCKET, syscall.SO_LINGER)
	if err != nil {
		return false, err
	}
	onoff := int32(binary.NativeEndian.Uint32(m.Multiaddr[:]))
	secs := int32(binary.NativeEndian.Uint32(m.Interface[:]))
	return onoff != 0 && secs == 0, nil
}

// tcpStateFD returns the TCP state of fd. tcpi_state is the first byte of
// struct tcp_info, and the kernel copies only as many bytes as asked for, so a
// 4-byte getsockopt is enough.
func tcpStateFD(fd uintptr) (string, error) {
	v, err := syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_INFO)
	if err != nil {
		return "", err
	}
	var b [4]byte
	binary.NativeEndian.PutUint32(b[:], uint32(v))
	return tcpStateName(b[0]), nil
}

// soErrorFD returns and clears the socket's pending error (SO_ERROR): an RST
// that arrived after the peer's reads ended leaves it set (ECONNRESET, or
// EPIPE in CLOSE_WAIT), since a read after EOF does not report it.
func soErrorFD(fd uintptr) (error, error) {
	v, err := syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_ERROR)
	if err != nil || v == 0 {
		return nil, err
	}
	return syscall.Errno(v), nil
}

// tcpStateName names the states of include/net/tcp_states.h.
func tcpStateName(s uint8) string {
	names := [...]string{1: "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
		"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"}
	if int(s) < len(names) && names[s] != "" {
		return names[s]
	}
	return fmt.Sprintf("state%d", s)
}
