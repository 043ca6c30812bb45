//go:build !linux

package findtest

import "errors"

const tcpClose = 7

// sendQueue needs Linux's SIOCOUTQ and TCP_INFO.
func sendQueue(uintptr) (int, uint8, error) {
	return 0, 0, errors.New("findtest: the send queue is read only on Linux")
}
