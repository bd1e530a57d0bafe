package system

import (
	"context"
	"io/fs"
	"path"
	"sync"
)

// Recorder is a System for tests: it records every call, then passes it to
// Base. With a nil Base, reads find nothing and commands print nothing, so
// a test can see what code would do without any host at all.
type Recorder struct {
	Base System
	log  *callLog
	root string
}

type callLog struct {
	mu    sync.Mutex
	calls []Call
}

// NewRecorder returns a Recorder in front of base (which may be nil).
func NewRecorder(base System) *Recorder {
	return &Recorder{Base: base, log: &callLog{}}
}

func (r *Recorder) add(c Call) {
	c.Root = r.root
	c.Seq = nextSeq()
	r.log.mu.Lock()
	r.log.calls = append(r.log.calls, c)
	r.log.mu.Unlock()
}

// Calls returns a copy of every call so far, those made through roots
// opened with OpenRoot included.
func (r *Recorder) Calls() []Call {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	return append([]Call(nil), r.log.calls...)
}

// Mutations returns the calls that changed the host.
func (r *Recorder) Mutations() []Call {
	var out []Call
	for _, c := range r.Calls() {
		if c.IsMutation() {
			out = append(out, c)
		}
	}
	return out
}

// Commands returns the argv of every command run.
func (r *Recorder) Commands() [][]string {
	var out [][]string
	for _, c := range r.Calls() {
		if c.Op == "run" {
			out = append(out, c.Argv)
		}
	}
	return out
}

// Reset forgets the calls recorded so far.
func (r *Recorder) Reset() {
	r.log.mu.Lock()
	r.log.calls = nil
	r.log.mu.Unlock()
}

// Run records the command and runs it on Base.
func (r *Recorder) Run(ctx context.Context, cmd Cmd) ([]byte, error) {
	r.add(Call{Op: "run", Argv: append([]string(nil), cmd.Argv...), Env: append([]string(nil), cmd.Env...), Mutates: cmd.Mutates, Data: cmd.Stdin})
	if r.Base == nil {
		return nil, nil
	}
	return r.Base.Run(ctx, cmd)
}

// Sysctl records and reads.
func (r *Recorder) Sysctl(name string) (string, error) {
	r.add(Call{Op: "sysctl", Path: name})
	if r.Base == nil {
		return "", &fs.PathError{Op: "sysctl", Path: name, Err: fs.ErrNotExist}
	}
	return r.Base.Sysctl(name)
}

func notExist(op, name string) error { return &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist} }

// ReadFile records and reads.
func (r *Recorder) ReadFile(name string) ([]byte, error) {
	r.add(Call{Op: "read", Path: name})
	if r.Base == nil {
		return nil, notExist("read", name)
	}
	return r.Base.ReadFile(name)
}

// Lstat records and stats.
func (r *Recorder) Lstat(name string) (fs.FileInfo, error) {
	r.add(Call{Op: "lstat", Path: name})
	if r.Base == nil {
		return nil, notExist("lstat", name)
	}
	return r.Base.Lstat(name)
}

// ReadDir records and lists.
func (r *Recorder) ReadDir(name string) ([]fs.DirEntry, error) {
	r.add(Call{Op: "readdir", Path: name})
	if r.Base == nil {
		return nil, notExist("readdir", name)
	}
	return r.Base.ReadDir(name)
}

// Readlink records and reads a link.
func (r *Recorder) Readlink(name string) (string, error) {
	r.add(Call{Op: "readlink", Path: name})
	if r.Base == nil {
		return "", notExist("readlink", name)
	}
	return r.Base.Readlink(name)
}

// WriteFile records and writes.
func (r *Recorder) WriteFile(name string, data []byte, perm fs.FileMode) error {
	r.add(Call{Op: "write", Path: name, Data: append([]byte(nil), data...), Mode: perm})
	if r.Base == nil {
		return nil
	}
	return r.Base.WriteFile(name, data, perm)
}

// MkdirAll records and creates.
func (r *Recorder) MkdirAll(name string, perm fs.FileMode) error {
	r.add(Call{Op: "mkdir", Path: name, Mode: perm})
	if r.Base == nil {
		return nil
	}
	return r.Base.MkdirAll(name, perm)
}

// Remove records and removes.
func (r *Recorder) Remove(name string) error {
	r.add(Call{Op: "remove", Path: name})
	if r.Base == nil {
		return nil
	}
	return r.Base.Remove(name)
}

// RemoveAll records and removes a tree.
func (r *Recorder) RemoveAll(name string) error {
	r.add(Call{Op: "removeall", Path: name})
	if r.Base == nil {
		return nil
	}
	return r.Base.RemoveAll(name)
}

// Rename records and renames.
func (r *Recorder) Rename(oldname, newname string) error {
	r.add(Call{Op: "rename", Path: oldname, Target: newname})
	if r.Base == nil {
		return nil
	}
	return r.Base.Rename(oldname, newname)
}

// Symlink records and links.
func (r *Recorder) Symlink(target, name string) error {
	r.add(Call{Op: "symlink", Path: name, Target: target})
	if r.Base == nil {
		return nil
	}
	return r.Base.Symlink(target, name)
}

// Chown records and changes owners.
func (r *Recorder) Chown(name string, uid, gid int) error {
	r.add(Call{Op: "chown", Path: name, UID: uid, GID: gid})
	if r.Base == nil {
		return nil
	}
	return r.Base.Chown(name, uid, gid)
}

// Chmod records and changes modes.
func (r *Recorder) Chmod(name string, perm fs.FileMode) error {
	r.add(Call{Op: "chmod", Path: name, Mode: perm})
	if r.Base == nil {
		return nil
	}
	return r.Base.Chmod(name, perm)
}

// OpenRoot records and returns a Recorder on the sub-root that logs into
// the same list, with Root set on each of its calls.
func (r *Recorder) OpenRoot(dir string) (System, error) {
	r.add(Call{Op: "openroot", Path: dir})
	sub := &Recorder{log: r.log, root: path.Join(r.root, dir)}
	if r.Base != nil {
		b, err := r.Base.OpenRoot(dir)
		if err != nil {
			return nil, err
		}
		sub.Base = b
	}
	return sub, nil
}

// TryLock passes a lock through to Base when it can lock.
func (r *Recorder) TryLock(name string) (func() error, string, error) {
	r.add(Call{Op: "lock", Path: name})
	if l, ok := r.Base.(Locker); ok {
		return l.TryLock(name)
	}
	return func() error { return nil }, "", nil
}
