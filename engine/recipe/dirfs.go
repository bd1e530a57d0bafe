package recipe

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"syscall"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/system"
)

// MaxFileBytes bounds every recipe, template and lab file jailkit reads:
// a real one is a few KB, and a bigger one is refused, not read whole.
const MaxFileBytes = 1 << 20

// ErrNotRegular is why a recipe file that is a FIFO, a device, a socket
// or anything else but a regular file is refused: opening a FIFO blocks,
// and a device is not a template.
var ErrNotRegular = errors.New("is not a regular file")

// ErrTooBig is why a file over MaxFileBytes is refused.
var ErrTooBig = fmt.Errorf("is bigger than %d bytes", MaxFileBytes)

// ErrLeaves is why a symlink that leads out of a recipe's directory is
// refused.
var ErrLeaves = errors.New("leads outside the recipe's directory")

// DirFS serves the files of one user recipe directory. It goes through
// os.Root, so no symlink or ".." leads out of the directory, and it opens
// only regular files of at most MaxFileBytes (and directories, to list
// them). A user's recipe is untrusted: a template symlinked to
// /etc/shadow must not end up in a jail.
type DirFS struct {
	root *os.Root
	// Label is the directory as the user named it, for messages.
	Label string
}

// OpenDirFS opens dir. A missing directory, a file and an unreadable
// directory are input errors that name the path.
func OpenDirFS(dir string) (*DirFS, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &inputerr.FieldError{Field: "--recipes", Problem: fmt.Sprintf("%s does not exist", dir), Hint: "give a directory of recipe .yaml files"}
	case err != nil:
		return nil, &inputerr.FieldError{Field: "--recipes", Problem: fmt.Sprintf("cannot read %s: %v", dir, errors.Unwrap(err)), Hint: "give a directory you can read"}
	case !fi.IsDir():
		return nil, &inputerr.FieldError{Field: "--recipes", Problem: fmt.Sprintf("%s is not a directory", dir), Hint: "give the directory that holds the recipe, not the recipe file"}
	}
	root, err := os.OpenRoot(dir)
	if err == nil {
		var f *os.File
		if f, err = root.Open("."); err == nil {
			_, err = f.ReadDir(1)
			f.Close()
			if err == io.EOF {
				err = nil
			}
		}
	}
	if err != nil {
		return nil, &inputerr.FieldError{Field: "--recipes", Problem: fmt.Sprintf("cannot read %s: %v", dir, err), Hint: "give a directory you can read"}
	}
	return &DirFS{root: root, Label: dir}, nil
}

// Open opens a regular file or a directory of the recipe directory.
func (d *DirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	fi, err := d.root.Stat(name)
	if err != nil {
		return nil, pathErr(name, err)
	}
	if err := checkRegular(fi, true); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	// O_NONBLOCK: should the file have become a FIFO since the Stat,
	// the open returns instead of waiting for a writer; fstat then
	// refuses it.
	f, err := d.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, pathErr(name, err)
	}
	if fi, err = f.Stat(); err == nil {
		err = checkRegular(fi, true)
	}
	if err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if fi.IsDir() {
		return f, nil
	}
	return &cappedFile{File: f, left: MaxFileBytes}, nil
}

// Stat describes the regular file name, refusing what Open would refuse
// and directories: a recipe names files, never directories.
func (d *DirFS) Stat(name string) (fs.FileInfo, error) {
	f, err := d.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err == nil {
		err = checkRegular(fi, false)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return fi, nil
}

// Where names a file of the directory for messages.
func (d *DirFS) Where(name string) (string, bool) {
	if !fs.ValidPath(name) {
		return "", false
	}
	if _, err := d.root.Lstat(name); err != nil {
		return "", false
	}
	return path.Join(d.Label, name), true
}

// Close releases the directory.
func (d *DirFS) Close() error { return d.root.Close() }

// checkRegular accepts a regular file of at most MaxFileBytes, and a
// directory when dirOK.
func checkRegular(fi fs.FileInfo, dirOK bool) error {
	switch {
	case fi.IsDir() && dirOK:
		return nil
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%w (%s)", ErrNotRegular, kindOf(fi.Mode()))
	case fi.Size() > MaxFileBytes:
		return ErrTooBig
	case !fi.IsDir() && linkCount(fi) > 1:
		// os.Root stops symlinks out of the directory, not hard links:
		// any user may link a file they cannot read, such as
		// /etc/master.passwd, into a recipe directory
		// (security.bsd.hardlink_check_uid is 0 by default), and root
		// would copy it into a jail.
		return ErrHardLink
	}
	return nil
}

// ErrHardLink is a recipe file that has other names: it may be a host
// file linked in.
var ErrHardLink = errors.New("has other hard links; copy it instead of linking it")

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	}
	return "not a plain file"
}

// pathErr turns os.Root's escape error into ErrLeaves.
func pathErr(name string, err error) error {
	if system.Escapes(err) {
		return &fs.PathError{Op: "open", Path: name, Err: ErrLeaves}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: "open", Path: name, Err: pe.Err}
	}
	return err
}

// cappedFile refuses to read past MaxFileBytes, should a file grow after
// it was opened.
type cappedFile struct {
	*os.File
	left int64
}

func (c *cappedFile) Read(p []byte) (int, error) {
	if c.left <= 0 {
		if n, _ := c.File.Read(make([]byte, 1)); n > 0 {
			return 0, ErrTooBig
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.File.Read(p)
	c.left -= int64(n)
	return n, err
}

// ReadRegularFile reads a file named on the command line (lint FILE, lab
// FILE): it may be a symlink, but what it leads to must be a regular file
// of at most MaxFileBytes. field names the argument in errors.
func ReadRegularFile(field, name string) ([]byte, error) {
	bad := func(problem string) error {
		return &inputerr.FieldError{Field: field, Problem: name + " " + problem, Hint: "give the path of a regular file"}
	}
	fi, err := os.Stat(name)
	if err != nil {
		return nil, &inputerr.FieldError{Field: field, Problem: fmt.Sprintf("cannot read %s: %v", name, errors.Unwrap(err)), Hint: "give the path of a regular file"}
	}
	if err := checkRegular(fi, false); err != nil {
		return nil, bad(err.Error())
	}
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, bad(fmt.Sprintf("cannot be opened: %v", errors.Unwrap(err)))
	}
	defer f.Close()
	if fi, err = f.Stat(); err == nil {
		err = checkRegular(fi, false)
	}
	if err != nil {
		return nil, bad(err.Error())
	}
	data, err := io.ReadAll(&cappedFile{File: f, left: MaxFileBytes})
	if err != nil {
		return nil, bad(err.Error())
	}
	return data, nil
}
