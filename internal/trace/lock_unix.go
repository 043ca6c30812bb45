//go:build unix

package trace

import (
	"os"
	"syscall"
)

// lock takes an exclusive flock on f. O_APPEND alone makes each write land
// at the end, but a write may be split (on some file systems, or past a
// pipe's buffer): the lock keeps a line whole across processes.
func lock(f *os.File) (unlock func(), err error) {
	fd := int(f.Fd())
	for {
		err = syscall.Flock(fd, syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return func() { syscall.Flock(fd, syscall.LOCK_UN) }, nil
}
