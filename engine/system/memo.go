package system

import (
	"context"
	"io/fs"
	"strings"
	"sync"
)

// Memo is a System that remembers the output of each read-only command
// until anything changes the host: a mutating command or a file change
// through it (or through a root it opened) forgets everything. A lab
// plans every jail against the same host before it changes anything, so
// sockstat, jls and the release MANIFEST then run once, not once a jail.
// Only successes are kept, and only commands without stdin or progress.
// It is for reading a host that holds still: a command polled until its
// answer changes (a post-install check) must not go through it.
type Memo struct {
	memoWrites
}

type memoCache struct {
	mu  sync.Mutex
	gen uint64 // bumped by every change, so a read that raced one is not kept
	out map[string][]byte
}

// NewMemo returns a Memo in front of base.
func NewMemo(base System) *Memo {
	return &Memo{memoWrites{System: base, c: &memoCache{out: map[string][]byte{}}}}
}

func (c *memoCache) forget() {
	c.mu.Lock()
	c.gen++
	clear(c.out)
	c.mu.Unlock()
}

// Run answers a read-only command from memory when it ran since the last
// change, and forgets everything before a mutating one.
func (m *Memo) Run(ctx context.Context, cmd Cmd) ([]byte, error) {
	if cmd.Mutates {
		m.c.forget()
		return m.System.Run(ctx, cmd)
	}
	if cmd.Stdin != nil || cmd.Progress != nil {
		return m.System.Run(ctx, cmd)
	}
	key := strings.Join(cmd.Argv, "\x00") + "\x01" + strings.Join(cmd.Env, "\x00")
	m.c.mu.Lock()
	out, ok := m.c.out[key]
	gen := m.c.gen
	m.c.mu.Unlock()
	if ok {
		return append([]byte(nil), out...), nil
	}
	out, err := m.System.Run(ctx, cmd)
	if err == nil {
		m.c.mu.Lock()
		if m.c.gen == gen {
			m.c.out[key] = append([]byte(nil), out...)
		}
		m.c.mu.Unlock()
	}
	return out, err
}

// TryLock passes a lock through to the base System when it can lock.
func (m *Memo) TryLock(name string) (func() error, string, error) {
	if l, ok := m.System.(Locker); ok {
		return l.TryLock(name)
	}
	return func() error { return nil }, "", nil
}

// memoWrites forgets the remembered outputs before each file change; a
// root it opens does the same.
type memoWrites struct {
	System
	c *memoCache
}

// WriteFile forgets, then writes.
func (w memoWrites) WriteFile(name string, data []byte, perm fs.FileMode) error {
	w.c.forget()
	return w.System.WriteFile(name, data, perm)
}

// MkdirAll forgets, then creates.
func (w memoWrites) MkdirAll(name string, perm fs.FileMode) error {
	w.c.forget()
	return w.System.MkdirAll(name, perm)
}

// Remove forgets, then removes.
func (w memoWrites) Remove(name string) error {
	w.c.forget()
	return w.System.Remove(name)
}

// RemoveAll forgets, then removes the tree.
func (w memoWrites) RemoveAll(name string) error {
	w.c.forget()
	return w.System.RemoveAll(name)
}

// Rename forgets, then renames.
func (w memoWrites) Rename(oldname, newname string) error {
	w.c.forget()
	return w.System.Rename(oldname, newname)
}

// Symlink forgets, then links.
func (w memoWrites) Symlink(target, name string) error {
	w.c.forget()
	return w.System.Symlink(target, name)
}

// Chown forgets, then changes the owner.
func (w memoWrites) Chown(name string, uid, gid int) error {
	w.c.forget()
	return w.System.Chown(name, uid, gid)
}

// Chmod forgets, then changes the mode.
func (w memoWrites) Chmod(name string, perm fs.FileMode) error {
	w.c.forget()
	return w.System.Chmod(name, perm)
}

// OpenRoot opens a root whose changes forget too.
func (w memoWrites) OpenRoot(dir string) (System, error) {
	sub, err := w.System.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return memoWrites{System: sub, c: w.c}, nil
}
