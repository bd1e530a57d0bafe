package render

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/system"
)

// TreeError says a rendered tree cannot be written as it is: two entries
// collide, or something already under the root is in the way. It is bad
// input; nothing was written.
type TreeError struct {
	Path    string // inside the jail: /usr/local/etc/app.conf
	Problem string
}

// Error returns "PATH: PROBLEM".
func (e *TreeError) Error() string { return e.Path + ": " + e.Problem }

// Unwrap makes a TreeError an input error (exit status 2).
func (e *TreeError) Unwrap() error { return inputerr.ErrInput }

// relPath turns a jail path into a path relative to the root, refusing
// what is not inside it.
func relPath(p string) (string, bool) {
	rel := strings.TrimPrefix(p, "/")
	if rel == "" || path.Clean(rel) != rel || strings.HasPrefix(rel, "../") || rel == ".." {
		return "", false
	}
	return rel, true
}

// CheckTree reports, all at once, what stops files from being written
// under root: a path outside it, a path given twice, a file that is also
// the directory of another entry, and whatever already under root is in
// the way (a file where a directory must go, a directory where a file
// must go, a link that leads outside the root). It writes nothing.
func CheckTree(root *os.Root, files []File) error {
	var errs inputerr.ErrorList
	bad := func(p, format string, args ...any) {
		errs = append(errs, &TreeError{Path: p, Problem: fmt.Sprintf(format, args...)})
	}
	kind := map[string]bool{} // rel path -> is a directory
	for _, f := range files {
		rel, ok := relPath(f.Path)
		if !ok {
			bad(f.Path, "path is not inside the jail")
			continue
		}
		if dir, seen := kind[rel]; seen && (!dir || !f.Dir) {
			bad(f.Path, "is written twice")
			continue
		}
		kind[rel] = f.Dir
	}
	blocked := map[string]bool{} // what is in the way, reported once
	for _, f := range files {
		rel, ok := relPath(f.Path)
		if !ok {
			continue
		}
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			if isDir, seen := kind[d]; seen && !isDir {
				bad(f.Path, "lies under /%s, which is a file of the tree", d)
				break
			}
		}
		if at, msg := inTheWay(root, rel, f.Dir); msg != "" && !blocked[at] {
			blocked[at] = true
			if at != rel {
				msg = "/" + at + " " + msg
			}
			bad(f.Path, "%s", msg)
		}
	}
	return errs.Err()
}

// inTheWay says what under root stops rel from being written, and where
// (a path relative to root); msg is "" when nothing does.
func inTheWay(root *os.Root, rel string, dir bool) (at, msg string) {
	parts := strings.Split(rel, "/")
	for i := 1; i <= len(parts); i++ {
		p := strings.Join(parts[:i], "/")
		fi, err := root.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return "", ""
		}
		if err != nil {
			return p, fmt.Sprintf("cannot be looked at: %v", describeRootErr(err))
		}
		last := i == len(parts)
		if last && !dir {
			if fi.IsDir() {
				return p, "is a directory in the way"
			}
			return "", "" // a file or a link there is replaced, never followed
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			if fi, err = root.Stat(p); err != nil {
				return p, fmt.Sprintf("is a link: %v", describeRootErr(err))
			}
		}
		if !fi.IsDir() {
			return p, "is in the way and is not a directory"
		}
	}
	return "", ""
}

// WriteNewTree writes files under root all or nothing. It checks the tree
// first (CheckTree), then writes every file to a temporary name, then
// renames them all into place, a file it replaces first moved aside.
// When anything fails, or ctx is cancelled (SIGINT, SIGTERM), it removes
// every temporary file, every file it added and every directory it made,
// and puts the replaced files back, so root is as it was. Ownership is
// left alone: this is a render into a directory, not into a jail.
func WriteNewTree(ctx context.Context, root *os.Root, files []File) (err error) {
	if err := CheckTree(root, files); err != nil {
		return err
	}
	s := &stager{root: root}
	defer func() {
		if err != nil {
			s.undo()
		}
	}()
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted: %w", err)
		}
		if err := s.stage(f); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w", err)
	}
	return s.commit()
}

// stager remembers what a WriteNewTree made, to take it back.
type stager struct {
	root  *os.Root
	dirs  []string    // directories it made, in order
	temps [][2]string // temporary name, final name
	added []string    // final names that did not exist before
	aside [][2]string // a replaced file's final name and where it waits
	done  int         // temps renamed into place
}

// mkdirs makes rel and its missing parents, remembering each it made.
func (s *stager) mkdirs(rel string, mode fs.FileMode) error {
	if rel == "." {
		return nil
	}
	if fi, err := s.root.Stat(rel); err == nil && fi.IsDir() {
		return nil
	}
	if err := s.mkdirs(path.Dir(rel), 0o755); err != nil {
		return err
	}
	if err := s.root.Mkdir(rel, mode.Perm()); err != nil {
		return fmt.Errorf("create directory /%s: %w", rel, describeRootErr(err))
	}
	s.dirs = append(s.dirs, rel)
	// Mkdir's mode passes through the umask; the tree's does not.
	return s.root.Chmod(rel, mode.Perm())
}

// stage makes f's directory and writes f to a temporary name.
func (s *stager) stage(f File) error {
	rel, _ := relPath(f.Path)
	if f.Dir {
		return s.mkdirs(rel, f.Mode)
	}
	if err := s.mkdirs(path.Dir(rel), 0o755); err != nil {
		return err
	}
	tmp := system.TempName(rel)
	w, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, describeRootErr(err))
	}
	s.temps = append(s.temps, [2]string{tmp, rel})
	_, err = w.Write(f.Content)
	if err == nil {
		err = w.Chmod(f.Mode.Perm())
	}
	if err == nil {
		err = w.Sync()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	return nil
}

// commit renames every staged file into place. A file there already is
// moved aside first, so undo can put it back; once every file is in
// place the replaced ones are removed.
func (s *stager) commit() error {
	for _, t := range s.temps {
		_, err := s.root.Lstat(t[1])
		switch {
		case errors.Is(err, fs.ErrNotExist):
			s.added = append(s.added, t[1])
		case err == nil:
			old := system.TempName(t[1])
			if err := s.root.Rename(t[1], old); err != nil {
				return fmt.Errorf("write /%s: %w", t[1], describeRootErr(err))
			}
			s.aside = append(s.aside, [2]string{t[1], old})
		}
		if err := s.root.Rename(t[0], t[1]); err != nil {
			return fmt.Errorf("write /%s: %w", t[1], describeRootErr(err))
		}
		s.done++
	}
	for _, a := range s.aside {
		s.root.Remove(a[1])
	}
	s.aside = nil
	return nil
}

// undo removes what the run made: temporary files not yet renamed, files
// it added, then its directories, deepest first.
func (s *stager) undo() {
	for _, t := range s.temps[s.done:] {
		s.root.Remove(t[0])
	}
	for _, a := range s.added {
		s.root.Remove(a)
	}
	for _, a := range slices.Backward(s.aside) {
		s.root.Rename(a[1], a[0])
	}
	for _, d := range slices.Backward(s.dirs) {
		s.root.Remove(d)
	}
}
