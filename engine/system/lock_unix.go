//go:build unix

package system

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// TryLock takes flock(LOCK_EX|LOCK_NB) on name under the root.
func (r *Real) TryLock(name string) (func() error, string, error) {
	return flockUnder(r.root, name)
}

// flockUnder locks name inside root. The file stays after unlock: removing
// a lock file races with a process that opened it and waits for it.
func flockUnder(root *os.Root, name string) (func() error, string, error) {
	p, err := rel(name)
	if err != nil {
		return nil, "", err
	}
	f, err := root.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, "", fmt.Errorf("open lock %s: %w", name, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		buf := make([]byte, 32)
		n, _ := f.ReadAt(buf, 0)
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, strings.TrimSpace(string(buf[:n])), ErrLocked
		}
		return nil, "", fmt.Errorf("lock %s: %w", name, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() error {
		_ = f.Truncate(0)
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		return f.Close()
	}, "", nil
}

// FlockUnder is flockUnder for other implementations of System in this
// module (the fake host) that keep their files in an os.Root.
func FlockUnder(root *os.Root, name string) (func() error, string, error) {
	return flockUnder(root, name)
}

// LockDir takes flock(LOCK_EX|LOCK_NB) on the directory dir itself, so
// two runs that write into one directory do not interleave, and no lock
// file is left among what they write. It returns ErrLocked when another
// process holds the lock.
func LockDir(dir string) (func() error, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return f.Close, nil
}
