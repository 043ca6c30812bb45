package rsttest_test

import (
	"net"
	"os"
	"strings"
	"testing"

	"github.com/rstlint/rstlint/rsttest"
)

// These two run only as children of TestEnterNetnsRelays.
func TestNetnsHelperFails(t *testing.T) {
	if os.Getenv("RSTTEST_NETNS_CHILD") == "" {
		t.Skip("helper: runs only re-executed by TestEnterNetnsRelays")
	}
	t.Error("deliberate failure")
}

func TestNetnsHelperSkips(t *testing.T) {
	if os.Getenv("RSTTEST_NETNS_CHILD") == "" {
		t.Skip("helper: runs only re-executed by TestEnterNetnsRelays")
	}
	t.Skip("deliberate skip")
}

// TestEnterNetnsRelays: the parent reports the child's failure and skip.
func TestEnterNetnsRelays(t *testing.T) {
	if os.Getenv("RSTTEST_NETNS_CHILD") != "" {
		t.Skip("not nested")
	}
	for _, c := range []struct{ name, want string }{
		{"TestNetnsHelperFails", "deliberate failure"},
		{"TestNetnsHelperSkips", "deliberate skip"},
	} {
		ft := &fakeTB{name: c.name}
		if rsttest.EnterNetns(ft) {
			t.Skipf("no private network namespace here: %v", ft)
		}
		got := append(ft.errors, ft.skips...)
		if len(got) != 1 || !strings.Contains(got[0], c.want) {
			t.Errorf("%s: %v", c.name, ft)
		}
		if c.name == "TestNetnsHelperSkips" && len(ft.skips) != 1 {
			t.Errorf("%s: want a skip: %v", c.name, ft)
		}
	}
}

// TestResetCounter counts an RST made on purpose; outside a namespace it
// must say that it counts nothing.
func TestResetCounter(t *testing.T) {
	if !rsttest.EnterNetns(t) {
		return
	}
	rc := rsttest.CountResets()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	s.(*net.TCPConn).SetLinger(0)
	s.Close() // RST
	c.Close()
	ln.Close()

	ft := &fakeTB{name: t.Name()}
	rc.Verify(ft)
	d, err := rc.Resets()
	if err != nil {
		if len(ft.errors) != 0 || len(ft.logs) != 1 {
			t.Errorf("outside a namespace Verify should only log: %v", ft)
		}
		t.Skipf("RSTs not counted: %v", err)
	}
	if d.Resets() != 1 || len(ft.errors) != 1 || !strings.Contains(ft.errors[0], "1 RST") {
		t.Errorf("Resets() = %v; Verify: %v", d, ft)
	}
}
