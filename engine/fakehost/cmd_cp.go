package fakehost

import (
	"io/fs"
	"path"
	"strings"
)

// cp handles "cp -Rp SOURCE... DIRECTORY" (bin/cp/cp.c: getopt
// "HLPRafilNnprsvx"; with -R and no -L symlinks are copied as links,
// FTS_PHYSICAL; -p keeps mode, owner, times and flags; a target that is
// a directory receives each source under its own name).
func (h *Host) cp(a []string) ([]byte, error) {
	var operands []string
	recursive, preserve := false, false
	for i := 1; i < len(a); i++ {
		w := a[i]
		if w == "--" {
			operands = append(operands, a[i+1:]...)
			break
		}
		if !strings.HasPrefix(w, "-") || w == "-" {
			operands = append(operands, a[i:]...)
			break
		}
		for _, c := range w[1:] {
			switch c {
			case 'R':
				recursive = true
			case 'p':
				preserve = true
			case 'a':
				recursive, preserve = true, true
			default:
				return nil, fail(a, "cp: illegal option -- %c\nusage: cp [-R [-H | -L | -P]] [-f | -i | -n] [-alNpsvx] source_file target_file", c)
			}
		}
	}
	if len(operands) < 2 || !recursive || !preserve {
		return nil, fail(a, "fakehost: only cp -Rp SOURCE... DIRECTORY is simulated")
	}
	target := operands[len(operands)-1]
	if fi, err := h.files.Lstat(target); err != nil || !fi.IsDir() {
		return nil, fail(a, "cp: %s is not a directory", target)
	}
	for _, src := range operands[:len(operands)-1] {
		if err := h.copyTree(src, path.Join(target, path.Base(src))); err != nil {
			return nil, fail(a, "cp: %s: %v", src, err)
		}
	}
	return nil, nil
}

// copyTree copies src to dst under the fake root, keeping modes
// (sticky bit included) and symlinks: cp -Rp, and the fake ZFS's
// snapshots and rollbacks.
func (h *Host) copyTree(src, dst string) error {
	fi, err := h.files.Lstat(src)
	if err != nil {
		return err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		t, err := h.files.Readlink(src)
		if err != nil {
			return err
		}
		return h.files.Symlink(t, dst)
	case fi.IsDir():
		if err := h.files.MkdirAll(dst, 0o700); err != nil {
			return err
		}
		entries, err := h.files.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := h.copyTree(path.Join(src, e.Name()), path.Join(dst, e.Name())); err != nil {
				return err
			}
		}
		return h.files.Chmod(dst, fi.Mode()&(fs.ModePerm|fs.ModeSticky))
	case fi.Mode().IsRegular():
		data, err := h.files.ReadFile(src)
		if err != nil {
			return err
		}
		return h.files.WriteFile(dst, data, fi.Mode().Perm())
	}
	return nil // devices, FIFOs and sockets: none in a base
}
