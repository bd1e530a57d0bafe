package snapsys

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/ops"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck"
)

// ErrReadOnly is returned by every change asked of a snapshot.
var ErrReadOnly = errors.New("a collected snapshot cannot be changed")

// System is a collected host: files from DIR/files (regular files of at
// most system.MaxReadSize bytes, confined to it by os.Root like a live
// root), the outputs of the commands collect ran from DIR/commands, and
// the sysctls it listed. A command collect did not run fails with
// system.ErrNoExec, which planners report as a fact not read; every
// change fails with ErrReadOnly.
type System struct {
	readOnly
	dir    string
	cmds   *os.Root
	sysctl map[string]string
}

// Open opens the snapshot directory dir (given as --from) as a *System;
// a directory that is not a snapshot is bad input.
func Open(dir string) (system.System, error) {
	src, err := hostcheck.OpenSnapshot(dir)
	if err != nil {
		return nil, &inputerr.FieldError{Field: "--from", Problem: err.Error(), Hint: "give a directory written by jailkit collect --out"}
	}
	src.Close()
	files, err := system.NewReal(dir + "/files")
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", dir, err)
	}
	s := &System{readOnly: readOnly{files}, dir: dir, sysctl: map[string]string{}}
	if s.cmds, err = os.OpenRoot(dir + "/commands"); err != nil {
		s.cmds = nil // a snapshot without commands: every command fails
	}
	if s.cmds != nil {
		if data, err := system.ReadRegular(s.cmds, "sysctl.txt", system.MaxReadSize); err == nil {
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				if name, v, ok := strings.Cut(sc.Text(), ": "); ok {
					s.sysctl[name] = v
				}
			}
		}
	}
	return s, nil
}

// ErrChange refuses cmd, which would change the host, given --from:
// bad input, as a snapshot can only be planned against.
func ErrChange(cmd string) error {
	return &inputerr.FieldError{Field: "--from", Problem: cmd + " plans against a collected host and cannot change it", Hint: "add --dry-run"}
}

// Run answers a command collect ran, with its output as collected.
func (s *System) Run(_ context.Context, cmd system.Cmd) ([]byte, error) {
	if cmd.Mutates {
		return nil, fmt.Errorf("run %s: %w", strings.Join(cmd.Argv, " "), ErrReadOnly)
	}
	for _, c := range hostcheck.Commands {
		if c.Argv != nil && slices.Equal(c.Argv, cmd.Argv) && s.cmds != nil {
			return system.ReadRegular(s.cmds, c.File, system.MaxReadSize)
		}
	}
	if n := len(cmd.Argv); n > 2 && cmd.Argv[0] == "sockstat" && cmd.Argv[n-2] == "-j" && recipe.ValidJailName(cmd.Argv[n-1]) == nil && s.cmds != nil {
		return system.ReadRegular(s.cmds, strings.TrimPrefix(jailSockstat(cmd.Argv[n-1]), "commands/"), system.MaxReadSize)
	}
	if n := len(cmd.Argv); n > 3 && s.cmds != nil && recipe.ValidJailName(cmd.Argv[2]) == nil && slices.Equal(cmd.Argv, ops.PendingArgv(cmd.Argv[2])) {
		return system.ReadRegular(s.cmds, strings.TrimPrefix(jailPending(cmd.Argv[2]), "commands/"), system.MaxReadSize)
	}
	name := "?"
	if len(cmd.Argv) > 0 {
		name = cmd.Argv[0]
	}
	return nil, fmt.Errorf("run %s: %w (the snapshot %s has no output of %q)", name, system.ErrNoExec, s.dir, strings.Join(cmd.Argv, " "))
}

// Sysctl answers from the collected sysctl listing.
func (s *System) Sysctl(name string) (string, error) {
	if v, ok := s.sysctl[name]; ok {
		return v, nil
	}
	return "", fmt.Errorf("sysctl %s: not in the snapshot %s: %w", name, s.dir, fs.ErrNotExist)
}

// readOnly passes the reads of a System through and refuses its changes,
// in a jail root too.
type readOnly struct{ system.System }

func (r readOnly) WriteFile(name string, _ []byte, _ fs.FileMode) error { return refuse("write", name) }
func (r readOnly) MkdirAll(name string, _ fs.FileMode) error            { return refuse("mkdir", name) }
func (r readOnly) Remove(name string) error                             { return refuse("remove", name) }
func (r readOnly) RemoveAll(name string) error                          { return refuse("remove", name) }
func (r readOnly) Rename(o, _ string) error                             { return refuse("rename", o) }
func (r readOnly) Symlink(_, name string) error                         { return refuse("symlink", name) }
func (r readOnly) Chown(name string, _, _ int) error                    { return refuse("chown", name) }
func (r readOnly) Chmod(name string, _ fs.FileMode) error               { return refuse("chmod", name) }

// OpenRoot confines reads to a jail root of the snapshot.
func (r readOnly) OpenRoot(dir string) (system.System, error) {
	sub, err := r.System.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return readOnly{sub}, nil
}

func refuse(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: ErrReadOnly}
}

// Sysctl of a jail root opened in a snapshot: none (a Real confined to
// a directory would read the live host's).
func (r readOnly) Sysctl(name string) (string, error) {
	return "", fmt.Errorf("sysctl %s: %w", name, fs.ErrNotExist)
}
