package system

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"sync"
)

// DryRun is a System that reads through Base and changes nothing: every
// mutation (a file write or a command with Mutates set) is recorded and
// reported as done. Read-only commands still run on Base, so a plan made
// through a DryRun rests on the host's real facts.
type DryRun struct {
	Base System
	mu   *sync.Mutex
	log  *[]Call
	root string
}

// NewDryRun returns a DryRun in front of base.
func NewDryRun(base System) *DryRun {
	return &DryRun{Base: base, mu: &sync.Mutex{}, log: &[]Call{}}
}

func (d *DryRun) add(c Call) {
	c.Root = d.root
	c.Seq = nextSeq()
	d.mu.Lock()
	*d.log = append(*d.log, c)
	d.mu.Unlock()
}

// Skipped returns the mutations a dry run did not make, in order.
func (d *DryRun) Skipped() []Call {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Call(nil), *d.log...)
}

// Run runs read-only commands and records the others.
func (d *DryRun) Run(ctx context.Context, cmd Cmd) ([]byte, error) {
	if cmd.Mutates {
		d.add(Call{Op: "run", Argv: append([]string(nil), cmd.Argv...), Env: append([]string(nil), cmd.Env...), Mutates: true})
		return nil, nil
	}
	if d.Base == nil {
		return nil, ErrNoCommand
	}
	return d.Base.Run(ctx, cmd)
}

// Sysctl reads through Base.
func (d *DryRun) Sysctl(name string) (string, error) {
	if d.Base == nil {
		return "", notExist("sysctl", name)
	}
	return d.Base.Sysctl(name)
}

// ReadFile reads through Base.
func (d *DryRun) ReadFile(name string) ([]byte, error) {
	if d.Base == nil {
		return nil, notExist("read", name)
	}
	return d.Base.ReadFile(name)
}

// Lstat reads through Base.
func (d *DryRun) Lstat(name string) (fs.FileInfo, error) {
	if d.Base == nil {
		return nil, notExist("lstat", name)
	}
	return d.Base.Lstat(name)
}

// ReadDir reads through Base.
func (d *DryRun) ReadDir(name string) ([]fs.DirEntry, error) {
	if d.Base == nil {
		return nil, notExist("readdir", name)
	}
	return d.Base.ReadDir(name)
}

// Readlink reads through Base.
func (d *DryRun) Readlink(name string) (string, error) {
	if d.Base == nil {
		return "", notExist("readlink", name)
	}
	return d.Base.Readlink(name)
}

// WriteFile records the write.
func (d *DryRun) WriteFile(name string, data []byte, perm fs.FileMode) error {
	d.add(Call{Op: "write", Path: name, Data: append([]byte(nil), data...), Mode: perm})
	return nil
}

// MkdirAll records the directory.
func (d *DryRun) MkdirAll(name string, perm fs.FileMode) error {
	d.add(Call{Op: "mkdir", Path: name, Mode: perm})
	return nil
}

// Remove records the removal.
func (d *DryRun) Remove(name string) error {
	d.add(Call{Op: "remove", Path: name})
	return nil
}

// RemoveAll records the removal.
func (d *DryRun) RemoveAll(name string) error {
	d.add(Call{Op: "removeall", Path: name})
	return nil
}

// Rename records the rename.
func (d *DryRun) Rename(oldname, newname string) error {
	d.add(Call{Op: "rename", Path: oldname, Target: newname})
	return nil
}

// Symlink records the link.
func (d *DryRun) Symlink(target, name string) error {
	d.add(Call{Op: "symlink", Path: name, Target: target})
	return nil
}

// Chown records the change of owner.
func (d *DryRun) Chown(name string, uid, gid int) error {
	d.add(Call{Op: "chown", Path: name, UID: uid, GID: gid})
	return nil
}

// Chmod records the change of mode.
func (d *DryRun) Chmod(name string, perm fs.FileMode) error {
	d.add(Call{Op: "chmod", Path: name, Mode: perm})
	return nil
}

// OpenRoot returns a DryRun confined to dir. A directory that does not
// exist yet (a jail root the plan would create) gives a DryRun that finds
// nothing, so a dry run can go on.
func (d *DryRun) OpenRoot(dir string) (System, error) {
	sub := &DryRun{mu: d.mu, log: d.log, root: path.Join(d.root, dir)}
	if d.Base != nil {
		b, err := d.Base.OpenRoot(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if err == nil {
			sub.Base = b
		}
	}
	return sub, nil
}
