package render

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/jailkit/jailkit/engine/system"
)

// OwnerLookup maps a user and group name to numeric ids inside a jail.
type OwnerLookup func(owner, group string) (uid, gid int, err error)

// WriteTree writes files under root, each path taken relative to root. It
// goes through os.Root, so a symlink (or "..") that leads outside root
// makes the write fail instead of following it: a jail's root user can
// plant links, and the host must never write through them. Each file is
// written to a temporary name and renamed into place, so a reader never
// sees half a file. When lookup is nil, ownership is left alone (a render
// into a directory by an unprivileged user).
func WriteTree(root *os.Root, files []File, lookup OwnerLookup) error {
	for _, f := range files {
		if err := WriteOne(root, f, lookup); err != nil {
			return err
		}
	}
	return nil
}

// WriteOne writes one file or directory of a tree; see WriteTree.
func WriteOne(root *os.Root, f File, lookup OwnerLookup) error {
	rel := strings.TrimPrefix(f.Path, "/")
	if rel == "" || path.Clean(rel) != rel || strings.HasPrefix(rel, "../") || rel == ".." {
		return fmt.Errorf("write %s: path is not inside the jail", f.Path)
	}
	uid, gid := -1, -1
	if lookup != nil {
		var err error
		if uid, gid, err = lookup(f.Owner, f.Group); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
	}
	if f.Dir {
		return writeDir(root, rel, f, uid, gid)
	}
	return writeFile(root, rel, f, uid, gid)
}

// writeDir makes a directory of the tree with its mode and owner.
func writeDir(root *os.Root, rel string, f File, uid, gid int) error {
	if err := root.MkdirAll(rel, f.Mode.Perm()); err != nil {
		return fmt.Errorf("create directory %s: %w", f.Path, describeRootErr(err))
	}
	// The sticky bit of a mode such as 1777 is kept, not dropped by Perm.
	if err := root.Chmod(rel, f.Mode&(fs.ModePerm|fs.ModeSticky)); err != nil {
		return fmt.Errorf("chmod %s: %w", f.Path, describeRootErr(err))
	}
	if uid >= 0 {
		if err := root.Lchown(rel, uid, gid); err != nil {
			return fmt.Errorf("chown %s: %w", f.Path, err)
		}
	}
	return nil
}

// writeFile writes a file of the tree to a temporary name and renames it
// into place.
func writeFile(root *os.Root, rel string, f File, uid, gid int) error {
	if dir := path.Dir(rel); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create directory for %s: %w", f.Path, describeRootErr(err))
		}
	}
	tmp := system.TempName(rel)
	w, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, describeRootErr(err))
	}
	cleanup := func(err error) error {
		w.Close()
		root.Remove(tmp)
		return err
	}
	if _, err := w.Write(f.Content); err != nil {
		return cleanup(fmt.Errorf("write %s: %w", f.Path, err))
	}
	// Mode and owner are set on the open descriptor, before the rename,
	// so there is no moment where the final name has the wrong ones and no
	// path lookup that a planted symlink could redirect.
	if err := w.Chmod(f.Mode.Perm()); err != nil {
		return cleanup(fmt.Errorf("chmod %s: %w", f.Path, err))
	}
	if uid >= 0 {
		if err := w.Chown(uid, gid); err != nil {
			return cleanup(fmt.Errorf("chown %s: %w", f.Path, err))
		}
	}
	if err := w.Sync(); err != nil {
		return cleanup(fmt.Errorf("sync %s: %w", f.Path, err))
	}
	if err := w.Close(); err != nil {
		root.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := root.Rename(tmp, rel); err != nil {
		root.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.Path, describeRootErr(err))
	}
	return nil
}

// describeRootErr names the reason a reader needs when a path leads out
// of the root.
func describeRootErr(err error) error {
	if system.Escapes(err) {
		return fmt.Errorf("%w (%v)", system.ErrEscapes, err)
	}
	return err
}
