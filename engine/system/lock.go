package system

import "errors"

// ErrLocked is returned by Locker.TryLock when another process holds the
// lock.
var ErrLocked = errors.New("lock is held by another process")

// Locker is implemented by a System that can take an exclusive advisory
// lock (flock) on a file under its root. It is a separate interface so the
// System interface other packages build on stays as it is; DryRun and
// Recorder pass it through.
type Locker interface {
	// TryLock takes the lock on name without waiting, creating the file
	// when needed, and writes the caller's pid into it. It returns
	// ErrLocked, and the holder's pid as text when known, when another
	// process has it.
	TryLock(name string) (unlock func() error, holder string, err error)
}
