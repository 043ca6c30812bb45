//go:build linux

package rsttest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rstlint/rstlint/internal/netns"
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
	for _, a := range netns.Attrs() {
		cmd := exec.CommandContext(ctx, exe, childArgs(t.Name(), timeout)...)
		cmd.Env = append(childEnv(), envChild+"="+t.Name(), envHow+"="+a.How)
		cmd.SysProcAttr = a.Attr
		cmd.WaitDelay = 5 * time.Second
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		if err := cmd.Start(); err != nil {
			// clone refused (EPERM, EINVAL, ENOSPC): try the next way.
			errs = append(errs, fmt.Sprintf("%s: %v", a.How, err))
			continue
		}
		err := cmd.Wait()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			return nil, "", err
		}
		return buf.Bytes(), a.How, nil
	}
	return nil, "", errors.New(strings.Join(errs, "; "))
}

var (
	setupOnce sync.Once
	setupErr  error
)

// childSetup brings lo up once in the child's new namespace and checks that
// lo is its only interface, i.e. that the namespace is really private.
func childSetup() error {
	setupOnce.Do(func() { setupErr = netns.Setup() })
	return setupErr
}
