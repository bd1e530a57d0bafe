package fakehost

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"

	"github.com/jailkit/jailkit/engine/system"
)

// fileSys is the file half of a fake System, the host's or a jail root's:
// real files through os.Root, with fault injection before each mutation.
type fileSys struct {
	h    *Host
	sys  system.System
	root string
	kernelOf
}

func (h *Host) fs() *fileSys { return &fileSys{h: h, sys: h.files, kernelOf: h.kernel} }

func (f *fileSys) check(c system.Call) error {
	c.Root = f.root
	return f.h.fault(c)
}

// ReadFile reads a file under the fake root.
func (h *Host) ReadFile(name string) ([]byte, error) { return h.files.ReadFile(name) }

// Lstat stats a file under the fake root.
func (h *Host) Lstat(name string) (fs.FileInfo, error) { return h.files.Lstat(name) }

// ReadDir lists a directory under the fake root.
func (h *Host) ReadDir(name string) ([]fs.DirEntry, error) { return h.files.ReadDir(name) }

// Readlink reads a link under the fake root.
func (h *Host) Readlink(name string) (string, error) { return h.files.Readlink(name) }

// WriteFile writes atomically under the fake root.
func (h *Host) WriteFile(name string, data []byte, perm fs.FileMode) error {
	return h.fs().WriteFile(name, data, perm)
}

// MkdirAll creates directories under the fake root.
func (h *Host) MkdirAll(name string, perm fs.FileMode) error { return h.fs().MkdirAll(name, perm) }

// Remove removes under the fake root.
func (h *Host) Remove(name string) error { return h.fs().Remove(name) }

// RemoveAll removes a tree under the fake root.
func (h *Host) RemoveAll(name string) error { return h.fs().RemoveAll(name) }

// Rename renames under the fake root.
func (h *Host) Rename(o, n string) error { return h.fs().Rename(o, n) }

// Symlink links under the fake root.
func (h *Host) Symlink(t, n string) error { return h.fs().Symlink(t, n) }

// Chown changes owners under the fake root (only when running as root).
func (h *Host) Chown(name string, uid, gid int) error { return h.fs().Chown(name, uid, gid) }

// Chmod changes modes under the fake root.
func (h *Host) Chmod(name string, perm fs.FileMode) error { return h.fs().Chmod(name, perm) }

// OpenRoot returns a System confined to dir under the fake root.
func (h *Host) OpenRoot(dir string) (system.System, error) { return h.fs().OpenRoot(dir) }

func (f *fileSys) Run(ctx context.Context, cmd system.Cmd) ([]byte, error) {
	return nil, system.ErrNoExec
}
func (f *fileSys) Sysctl(name string) (string, error)   { return f.h.Sysctl(name) }
func (f *fileSys) ReadFile(name string) ([]byte, error) { return f.sys.ReadFile(name) }
func (f *fileSys) Lstat(name string) (fs.FileInfo, error) {
	return f.sys.Lstat(name)
}
func (f *fileSys) ReadDir(name string) ([]fs.DirEntry, error) { return f.sys.ReadDir(name) }
func (f *fileSys) Readlink(name string) (string, error)       { return f.sys.Readlink(name) }

func (f *fileSys) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if err := f.check(system.Call{Op: "write", Path: name, Mode: perm}); err != nil {
		return err
	}
	return f.sys.WriteFile(name, data, perm)
}

func (f *fileSys) MkdirAll(name string, perm fs.FileMode) error {
	if err := f.check(system.Call{Op: "mkdir", Path: name, Mode: perm}); err != nil {
		return err
	}
	return f.sys.MkdirAll(name, perm)
}

func (f *fileSys) Remove(name string) error {
	if err := f.check(system.Call{Op: "remove", Path: name}); err != nil {
		return err
	}
	return f.sys.Remove(name)
}

func (f *fileSys) RemoveAll(name string) error {
	if err := f.check(system.Call{Op: "removeall", Path: name}); err != nil {
		return err
	}
	return f.sys.RemoveAll(name)
}

func (f *fileSys) Rename(o, n string) error {
	if err := f.check(system.Call{Op: "rename", Path: o, Target: n}); err != nil {
		return err
	}
	return f.sys.Rename(o, n)
}

func (f *fileSys) Symlink(t, n string) error {
	if err := f.check(system.Call{Op: "symlink", Path: n, Target: t}); err != nil {
		return err
	}
	return f.sys.Symlink(t, n)
}

func (f *fileSys) Chown(name string, uid, gid int) error {
	if err := f.check(system.Call{Op: "chown", Path: name, UID: uid, GID: gid}); err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		// An unprivileged test cannot chown; check the file is there.
		_, err := f.sys.Lstat(name)
		return err
	}
	return f.sys.Chown(name, uid, gid)
}

func (f *fileSys) Chmod(name string, perm fs.FileMode) error {
	if err := f.check(system.Call{Op: "chmod", Path: name, Mode: perm}); err != nil {
		return err
	}
	return f.sys.Chmod(name, perm)
}

func (f *fileSys) OpenRoot(dir string) (system.System, error) {
	if dir == "" || dir[0] != '/' {
		return nil, errors.New("OpenRoot needs an absolute path")
	}
	sub, err := f.sys.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &fileSys{h: f.h, sys: sub, root: path.Join(f.root, dir), kernelOf: f.h.kernel}, nil
}

// SHA256File hashes a file under the fake root as a stream.
func (h *Host) SHA256File(name string) (string, error) { return h.files.SHA256File(name) }
