//go:build linux

package rsttest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// runChild re-executes the current test in a new network namespace and returns
// its combined output. It returns an error only when no namespace could be
// made; a child that ran and failed is reported through its output.
func runChild(t testing.TB) (out []byte, how string, err error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	ctx, cancel, timeout := childContext(t)
	defer cancel()
	var errs []string
	for _, a := range namespaceAttrs() {
		cmd := exec.CommandContext(ctx, exe, childArgs(t.Name(), timeout)...)
		cmd.Env = append(childEnv(), envChild+"="+t.Name(), envHow+"="+a.how)
		cmd.SysProcAttr = a.attr
		cmd.WaitDelay = 5 * time.Second
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		if err := cmd.Start(); err != nil {
			// clone refused (EPERM, EINVAL, ENOSPC): try the next way.
			errs = append(errs, fmt.Sprintf("%s: %v", a.how, err))
			continue
		}
		err := cmd.Wait()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			return nil, "", err
		}
		return buf.Bytes(), a.how, nil
	}
	return nil, "", errors.New(strings.Join(errs, "; "))
}

type nsAttr struct {
	how  string
	attr *syscall.SysProcAttr
}

// namespaceAttrs lists the ways to make the namespace, best first. Root
// needs only CLONE_NEWNET; anyone else (and a root without CAP_SYS_ADMIN)
// needs a user namespace too, in which the child is uid 0 so that it keeps
// CAP_NET_ADMIN across execve to bring lo up.
func namespaceAttrs() []nsAttr {
	var as []nsAttr
	if os.Geteuid() == 0 {
		as = append(as, nsAttr{"CLONE_NEWNET as root", &syscall.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWNET,
			Pdeathsig:  syscall.SIGKILL,
		}})
	}
	uid, gid := os.Geteuid(), os.Getegid()
	as = append(as, nsAttr{fmt.Sprintf("CLONE_NEWUSER|CLONE_NEWNET, uid %d as 0", uid), &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}},
		Pdeathsig:   syscall.SIGKILL,
	}})
	return as
}

var (
	setupOnce sync.Once
	setupErr  error
)

// childSetup brings lo up once in the child's new namespace and checks that
// lo is its only interface, i.e. that the namespace is really private.
func childSetup() error {
	setupOnce.Do(func() {
		if err := loUp(); err != nil {
			setupErr = fmt.Errorf("bringing lo up: %v", err)
			return
		}
		ifs, err := interfaces()
		if err != nil {
			setupErr = err
		} else if len(ifs) != 1 || ifs[0] != "lo" {
			setupErr = fmt.Errorf("network namespace is not private: interfaces %v", ifs)
		}
	})
	return setupErr
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
