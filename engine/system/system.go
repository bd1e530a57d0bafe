package system

import (
	"context"
	"io"
	"io/fs"
)

// Cmd is one command to run: an argv slice, never a shell string.
type Cmd struct {
	Argv []string
	// Stdin, when not nil, is fed to the command.
	Stdin []byte
	// Progress, when not nil, receives the command's output as it runs
	// (for long steps such as pkg install); the output is still returned.
	Progress io.Writer
	// Mutates says the command changes the host; a dry run does not run
	// it. Read-only commands (sockstat, jls, sysrc -n) run even in a dry
	// run so the plan can be computed from real facts.
	Mutates bool
	// Env holds NAME=value entries added to the command's environment:
	// freebsd-update reads the architecture from UNAME_m (see the plan
	// step's Env).
	Env []string
}

// System is every side effect jailkit has on a host.
type System interface {
	// Run runs cmd and returns its standard output. A non-zero exit is an
	// error that carries the command's standard error.
	Run(ctx context.Context, cmd Cmd) ([]byte, error)
	// Sysctl reads one sysctl value as text.
	Sysctl(name string) (string, error)
	// HostInfo reads kernel facts without starting a process.
	HostInfo

	ReadFile(name string) ([]byte, error)
	Lstat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Readlink(name string) (string, error)
	// WriteFile writes atomically (temporary file, then rename) with perm.
	WriteFile(name string, data []byte, perm fs.FileMode) error
	MkdirAll(name string, perm fs.FileMode) error
	Remove(name string) error
	RemoveAll(name string) error
	Rename(oldname, newname string) error
	Symlink(target, name string) error
	Chown(name string, uid, gid int) error
	Chmod(name string, perm fs.FileMode) error

	// OpenRoot returns a System whose files are confined to dir (a host
	// path) the way os.Root confines them: no symlink or ".." may lead
	// out of it. Every write into a jail root goes through one.
	OpenRoot(dir string) (System, error)
}
