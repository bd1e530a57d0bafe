//go:build !unix

package system

import (
	"errors"
	"os"
)

// TryLock fails: flock exists only on Unix hosts.
func (r *Real) TryLock(name string) (func() error, string, error) {
	return nil, "", errors.New("locking is only supported on Unix hosts")
}

// FlockUnder fails: flock exists only on Unix hosts.
func FlockUnder(root *os.Root, name string) (func() error, string, error) {
	return nil, "", errors.New("locking is only supported on Unix hosts")
}

// LockDir does not lock where there is no flock: render --out, its one
// user, works on any OS, and there two renders into one directory are
// not kept apart.
func LockDir(dir string) (func() error, error) {
	return func() error { return nil }, nil
}
