//go:build !linux

package rsttest

import (
	"errors"
	"runtime"
	"testing"
)

// runChild cannot make a network namespace: they are a Linux feature.
func runChild(testing.TB) ([]byte, string, error) {
	return nil, "", errors.New("private network namespaces need Linux; this is " + runtime.GOOS)
}

// childSetup is never reached: no child is started on other systems.
func childSetup() error {
	return errors.New("private network namespaces need Linux; this is " + runtime.GOOS)
}
