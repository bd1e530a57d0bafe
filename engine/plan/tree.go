package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/jailkit/jailkit/engine/system"
)

// The tree actions of an upgrade: host tools (etcupdate, cp) work on a
// jail's /etc by path, so a link the jail planted (its /etc a link to the
// host's /etc, a file a link to a host file) would lead them onto the
// host. ActSameTypes refuses such a tree before they run; ActRestoreTree
// puts a saved tree back through os.Root, which no link leads out of.
const (
	// ActSameTypes fails when, for each of Paths, an entry the tree under
	// Path (a host directory jailkit made) has as a directory or a
	// regular file is a link in the tree under Root.
	ActSameTypes = "sametypes"
	// ActRestoreTree copies each of Paths from under Path (host) into
	// Root, replacing what is there, through os.Root.
	ActRestoreTree = "restoretree"
)

// maxTreeDepth bounds the walks of the tree actions.
const maxTreeDepth = 32

// sameTypes walks ref/p on the host and compares each entry with jail/p.
func sameTypes(host, jail system.System, ref, p string, depth int) error {
	if depth > maxTreeDepth {
		return fmt.Errorf("%s: nested more than %d directories deep", p, maxTreeDepth)
	}
	ents, err := host.ReadDir(path.Join(ref, p))
	if err != nil {
		return err
	}
	for _, e := range ents {
		q := path.Join(p, e.Name())
		fi, err := jail.Lstat(q)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if (e.IsDir() || e.Type().IsRegular()) && fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s in the jail is a link where the release has a %s: refusing to let host tools follow it", q, map[bool]string{true: "directory", false: "file"}[e.IsDir()])
		}
		if e.IsDir() {
			if !fi.IsDir() {
				return fmt.Errorf("%s in the jail is not a directory", q)
			}
			if err := sameTypes(host, jail, ref, q, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// restoreTree copies saved/p (host) to jail/p, replacing it.
func restoreTree(host, jail system.System, saved, p string, depth int) error {
	if depth > maxTreeDepth {
		return fmt.Errorf("%s: nested more than %d directories deep", p, maxTreeDepth)
	}
	fi, err := host.Lstat(path.Join(saved, p))
	if err != nil {
		return err
	}
	if err := jail.RemoveAll(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		t, err := host.Readlink(path.Join(saved, p))
		if err != nil {
			return err
		}
		return jail.Symlink(t, p)
	case fi.IsDir():
		if err := jail.MkdirAll(p, 0o700); err != nil {
			return err
		}
		ents, err := host.ReadDir(path.Join(saved, p))
		if err != nil {
			return err
		}
		for _, e := range ents {
			if err := restoreTree(host, jail, saved, path.Join(p, e.Name()), depth+1); err != nil {
				return err
			}
		}
		return restoreOwner(jail, p, fi)
	case fi.Mode().IsRegular():
		data, err := host.ReadFile(path.Join(saved, p))
		if err != nil {
			return err
		}
		if err := jail.WriteFile(p, data, fi.Mode().Perm()); err != nil {
			return err
		}
		return restoreOwner(jail, p, fi)
	}
	return nil // a FIFO or device saved from /etc is not put back
}
