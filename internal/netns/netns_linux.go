//go:build linux

package netns

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"syscall"
	"unsafe"
)

// Read reads the counters of the calling process's network namespace
// (/proc/self/net is the namespace of the process, not of the host).
func Read() (map[string]int64, error) {
	c := map[string]int64{}
	for _, name := range []string{"/proc/self/net/snmp", "/proc/self/net/netstat"} {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("reading counters: %v", err)
		}
		err = Parse(c, f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	if _, ok := c["OutRsts"]; !ok {
		return nil, fmt.Errorf("no Tcp OutRsts in /proc/self/net/snmp")
	}
	return c, nil
}

// Attr is one way to start a process in a new network namespace.
type Attr struct {
	How  string // for messages: "CLONE_NEWNET as root"
	Attr *syscall.SysProcAttr
}

// Attrs lists the ways to make the namespace, best first. Root needs only
// CLONE_NEWNET; anyone else (and a root without CAP_SYS_ADMIN) needs a
// user namespace too, in which the child is uid 0 so that it keeps
// CAP_NET_ADMIN across execve to bring lo up.
func Attrs() []Attr {
	var as []Attr
	if os.Geteuid() == 0 {
		as = append(as, Attr{"CLONE_NEWNET as root", &syscall.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWNET,
			Pdeathsig:  syscall.SIGKILL,
		}})
	}
	uid, gid := os.Geteuid(), os.Getegid()
	as = append(as, Attr{fmt.Sprintf("CLONE_NEWUSER|CLONE_NEWNET, uid %d as 0", uid), &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}},
		Pdeathsig:   syscall.SIGKILL,
	}})
	return as
}

// Setup brings lo up in the calling process's new namespace and checks
// that lo is its only interface, i.e. that the namespace is private.
func Setup() error {
	if err := loUp(); err != nil {
		return fmt.Errorf("bringing lo up: %v", err)
	}
	ifs, err := interfaces()
	if err != nil {
		return err
	}
	if len(ifs) != 1 || ifs[0] != "lo" {
		return fmt.Errorf("network namespace is not private: interfaces %v", ifs)
	}
	return nil
}

// loUp sets IFF_UP on lo with ioctl SIOCGIFFLAGS/SIOCSIFFLAGS, which needs no
// netlink and no ip binary. A new namespace's lo gets 127.0.0.1 when up.
func loUp() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	// struct ifreq: 16 bytes of name, then a union whose first member is
	// short ifr_flags; 40 bytes covers the union on every architecture.
	var ifr [40]byte
	copy(ifr[:], "lo")
	if err := ioctl(fd, syscall.SIOCGIFFLAGS, &ifr); err != nil {
		return err
	}
	flags := binary.NativeEndian.Uint16(ifr[16:]) | syscall.IFF_UP
	binary.NativeEndian.PutUint16(ifr[16:], flags)
	return ioctl(fd, syscall.SIOCSIFFLAGS, &ifr)
}

func ioctl(fd int, req uintptr, ifr *[40]byte) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(ifr))); errno != 0 {
		return errno
	}
	return nil
}

// interfaces lists the interface names of this network namespace.
func interfaces() ([]string, error) {
	data, err := os.ReadFile("/proc/self/net/dev")
	if err != nil {
		return nil, err
	}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if name, _, ok := strings.Cut(sc.Text(), ":"); ok {
			names = append(names, strings.TrimSpace(name))
		}
	}
	return names, nil
}
