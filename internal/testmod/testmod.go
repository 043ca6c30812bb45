// Package testmod makes the module of rstlint's test cases (testdata)
// loadable by the tests that analyze it.
//
// analysistest loads a module with the module proxy turned off
// (GOPROXY=off), so every module the cases module requires must already be
// in the module cache. On a machine whose cache is empty, as a newcomer's
// is, nothing has downloaded them yet: Ready does, through the user's own
// proxy settings, before any test turns the proxy off.
package testmod

import (
	"fmt"
	"os/exec"
	"strings"
	"sync"
)

var (
	mu    sync.Mutex
	ready = make(map[string]error)
)

// Ready downloads the modules the module in dir requires (go mod download),
// once per directory and process, and returns why it could not.
func Ready(dir string) error {
	mu.Lock()
	defer mu.Unlock()
	if err, done := ready[dir]; done {
		return err
	}
	cmd := exec.Command("go", "mod", "download")
	cmd.Dir = dir
	var err error
	if out, runErr := cmd.CombinedOutput(); runErr != nil {
		err = fmt.Errorf("go mod download in %s (the modules the test cases need, fetched through your module proxy): %v\n%s",
			dir, runErr, strings.TrimSpace(string(out)))
	}
	ready[dir] = err
	return err
}
