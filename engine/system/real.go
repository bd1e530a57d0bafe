package system

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"strings"
	"syscall"
)

// ErrNoCommand is returned by Run when the program named by argv[0] does
// not exist on this host (a dry run on Linux asks for sockstat, say).
var ErrNoCommand = errors.New("command not found")

// ErrNoExec is returned by Run on a System that may not run commands: one
// opened with OpenRoot (commands always take host paths), or a Real whose
// root is not "/" (a command would act on the real host, not the root).
var ErrNoExec = errors.New("this System cannot run commands")

// Real is the System of a live host. It is the only code in jailkit that
// starts processes. Files are reached through an os.Root opened on the
// root directory, so even host paths cannot be redirected out of --root by
// a symlink.
type Real struct {
	dir  string
	root *os.Root
	// exec says whether Run may start processes. Only a Real on "/" may:
	// with --root, files go to the staging directory but a command would
	// still change the real host.
	exec bool
	// NoSync skips the fsync before the rename of WriteFile. Only for
	// scratch trees (the fake host of tests), where losing a write on
	// power failure does not matter and fsync dominates the run time.
	NoSync bool
}

// NewReal returns the System of the host whose "/" is dir.
func NewReal(dir string) (*Real, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open root %s: %w", dir, err)
	}
	clean := path.Clean(dir)
	return &Real{dir: clean, root: r, exec: clean == "/"}, nil
}

// Dir returns the directory that stands for "/".
func (r *Real) Dir() string { return r.dir }

// Close releases the root directory.
func (r *Real) Close() error { return r.root.Close() }

// Run runs cmd.Argv directly (no shell) and returns its standard output.
func (r *Real) Run(ctx context.Context, cmd Cmd) ([]byte, error) {
	if len(cmd.Argv) == 0 {
		return nil, errors.New("run: empty argv")
	}
	if !r.exec {
		return nil, fmt.Errorf("run %s: %w (root is %s)", cmd.Argv[0], ErrNoExec, r.dir)
	}
	c := exec.CommandContext(ctx, cmd.Argv[0], cmd.Argv[1:]...)
	c.Env = append(append(os.Environ(), "LC_ALL=C"), cmd.Env...)
	if cmd.Stdin != nil {
		c.Stdin = bytes.NewReader(cmd.Stdin)
	}
	var stdout, stderr bytes.Buffer
	// What a command prints is bounded: some run the jail's own
	// binaries (jexec NAME pkg version), which the jail's root controls.
	out := &cappedBuffer{buf: &stdout, left: MaxOutputSize}
	errOut := &cappedBuffer{buf: &stderr, left: MaxOutputSize}
	c.Stdout, c.Stderr = out, errOut
	if cmd.Progress != nil {
		c.Stdout = io.MultiWriter(out, cmd.Progress)
		c.Stderr = io.MultiWriter(errOut, cmd.Progress)
		if f, ok := cmd.Progress.(*os.File); ok && IsTerminal(f) {
			// fetch(1) and pkg draw their progress meters only on a
			// terminal: hand it over (their errors show there too).
			c.Stderr = f
		}
	}
	if err := c.Run(); err != nil || out.over {
		if err == nil {
			err = fmt.Errorf("%w: it printed more than %d bytes", ErrTooLarge, int64(MaxOutputSize))
		}
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", cmd.Argv[0], ErrNoCommand)
		}
		return stdout.Bytes(), &ExitError{Argv: cmd.Argv, Err: err, Stderr: strings.TrimSpace(stderr.String())}
	}
	return stdout.Bytes(), nil
}

// MaxOutputSize bounds what Run keeps of a command's standard output and
// standard error: far more than sockstat prints for 100,000 sockets.
const MaxOutputSize = 64 << 20

// cappedBuffer keeps the first left bytes written and drops the rest,
// marking over, so a command that prints without end cannot fill the
// memory; its writes still succeed, so it is not killed half way.
type cappedBuffer struct {
	buf  *bytes.Buffer
	left int64
	over bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	n := int64(len(p))
	if n > c.left {
		c.buf.Write(p[:c.left])
		c.left, c.over = 0, true
		return len(p), nil
	}
	c.buf.Write(p)
	c.left -= n
	return len(p), nil
}

// ExitError is a command that ran and failed.
type ExitError struct {
	Argv   []string
	Err    error
	Stderr string
}

// Error names the program and carries its standard error.
func (e *ExitError) Error() string {
	if e.Stderr != "" {
		return fmt.Sprintf("%s: %v: %s", e.Argv[0], e.Err, e.Stderr)
	}
	return fmt.Sprintf("%s: %v", e.Argv[0], e.Err)
}

// Unwrap returns the underlying exec error.
func (e *ExitError) Unwrap() error { return e.Err }

// rel turns a host path into a path relative to the root.
func rel(name string) (string, error) {
	if !strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("%q is not an absolute path", name)
	}
	r := strings.TrimPrefix(path.Clean(name), "/")
	if r == "" {
		r = "."
	}
	return r, nil
}

// ReadFile reads a regular file under the root, of at most MaxReadSize
// bytes: a FIFO a jail's root user planted where a config file should be
// would otherwise hang jailkit.
func (r *Real) ReadFile(name string) ([]byte, error) {
	p, err := rel(name)
	if err != nil {
		return nil, err
	}
	return ReadRegular(r.root, p, MaxReadSize)
}

// Lstat describes a file without following a final symlink.
func (r *Real) Lstat(name string) (fs.FileInfo, error) {
	p, err := rel(name)
	if err != nil {
		return nil, err
	}
	return r.root.Lstat(p)
}

// ReadDir lists a directory, sorted by name.
func (r *Real) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := rel(name)
	if err != nil {
		return nil, err
	}
	// Non-blocking, and a directory checked before reading: a FIFO where
	// a directory should be (a hostile snapshot, a jail's own tree) would
	// hang a plain open.
	f, err := r.root.OpenFile(p, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: syscall.ENOTDIR}
	}
	ents, err := f.ReadDir(-1)
	sortEntries(ents)
	return ents, err
}

// Readlink returns a symlink's target.
func (r *Real) Readlink(name string) (string, error) {
	p, err := rel(name)
	if err != nil {
		return "", err
	}
	return r.root.Readlink(p)
}

// WriteFile writes data to a temporary file beside name, sets perm on the
// open descriptor and renames it into place, so a reader never sees half
// a file and the final name never has the wrong mode.
func (r *Real) WriteFile(name string, data []byte, perm fs.FileMode) error {
	p, err := rel(name)
	if err != nil {
		return err
	}
	tmp := TempName(p)
	w, err := r.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	fail := func(err error) error {
		w.Close()
		r.root.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := w.Write(data); err != nil {
		return fail(err)
	}
	if err := w.Chmod(perm.Perm()); err != nil {
		return fail(err)
	}
	if !r.NoSync {
		if err := w.Sync(); err != nil {
			return fail(err)
		}
	}
	if err := w.Close(); err != nil {
		r.root.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := r.root.Rename(tmp, p); err != nil {
		r.root.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// MkdirAll creates a directory and its parents.
func (r *Real) MkdirAll(name string, perm fs.FileMode) error {
	p, err := rel(name)
	if err != nil {
		return err
	}
	return r.root.MkdirAll(p, perm)
}

// Remove removes a file or an empty directory.
func (r *Real) Remove(name string) error {
	p, err := rel(name)
	if err != nil {
		return err
	}
	return r.root.Remove(p)
}

// RemoveAll removes a tree; it does not follow symlinks.
func (r *Real) RemoveAll(name string) error {
	p, err := rel(name)
	if err != nil {
		return err
	}
	if p == "." {
		return errors.New("refusing to remove the root")
	}
	return r.root.RemoveAll(p)
}

// Rename renames a file within the root.
func (r *Real) Rename(oldname, newname string) error {
	o, err := rel(oldname)
	if err != nil {
		return err
	}
	n, err := rel(newname)
	if err != nil {
		return err
	}
	return r.root.Rename(o, n)
}

// Symlink creates name pointing at target.
func (r *Real) Symlink(target, name string) error {
	p, err := rel(name)
	if err != nil {
		return err
	}
	return r.root.Symlink(target, p)
}

// Chown changes the owner of name without following a final symlink.
func (r *Real) Chown(name string, uid, gid int) error {
	p, err := rel(name)
	if err != nil {
		return err
	}
	return r.root.Lchown(p, uid, gid)
}

// Chmod changes the mode of name.
func (r *Real) Chmod(name string, perm fs.FileMode) error {
	p, err := rel(name)
	if err != nil {
		return err
	}
	return r.root.Chmod(p, perm)
}

// OpenRoot returns a System confined to dir. It cannot run commands.
func (r *Real) OpenRoot(dir string) (System, error) {
	p, err := rel(dir)
	if err != nil {
		return nil, err
	}
	sub, err := r.root.OpenRoot(p)
	if err != nil {
		return nil, fmt.Errorf("open root %s: %w", dir, err)
	}
	return &Real{dir: path.Join(r.dir, p), root: sub, NoSync: r.NoSync}, nil
}

// Sysctl reads one sysctl value; see sysctl_freebsd.go.
func (r *Real) Sysctl(name string) (string, error) { return sysctl(name) }

// TempName names a temporary file beside p for an atomic write: hidden,
// random so two writers never meet, and marked as jailkit's.
func TempName(p string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return path.Join(path.Dir(p), ".jailkit-"+hex.EncodeToString(b[:])+"-"+path.Base(p))
}

// IsTerminal reports whether f is a character device, which is how jailkit
// tells a terminal from a pipe or file: fetch(1) and pkg draw progress
// meters only on one, and the CLI colours its output only on one.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
