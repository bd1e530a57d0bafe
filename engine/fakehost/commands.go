package fakehost

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/jailkit/jailkit/engine/fakehost/fakeconf"
	"github.com/jailkit/jailkit/engine/fakehost/fakeupdate"
	"github.com/jailkit/jailkit/engine/fakehost/getopt"
	"github.com/jailkit/jailkit/engine/system"
)

// fail is a command that ran and exited 1 with msg on standard error.
func fail(argv []string, format string, args ...any) error {
	return &system.ExitError{Argv: argv, Err: errors.New("exit status 1"), Stderr: fmt.Sprintf(format, args...)}
}

// handler simulates one command; h.mu is held.
type handler func(h *Host, cmd system.Cmd) ([]byte, error)

// commands maps argv[0] to its simulation; any other command is missing
// from the fake host.
var commands = map[string]handler{
	"chflags":         argvOnly((*Host).chflags),
	"cp":              argvOnly((*Host).cp),
	"df":              argvOnly((*Host).df),
	"etcupdate":       func(h *Host, cmd system.Cmd) ([]byte, error) { return fakeupdate.Etcupdate(h.files, cmd) },
	"fetch":           func(h *Host, cmd system.Cmd) ([]byte, error) { return h.fetch(cmd.Argv, cmd.Progress) },
	"freebsd-update":  (*Host).freebsdUpdate,
	"freebsd-version": argvOnly((*Host).freebsdVersion),
	"ifconfig":        argvOnly((*Host).ifconfigRun),
	"jail":            argvOnly((*Host).jail),
	"jexec":           func(h *Host, cmd system.Cmd) ([]byte, error) { return h.jexec(cmd.Argv, cmd.Progress) },
	"jls":             argvOnly((*Host).jls),
	"kldload":         argvOnly((*Host).kld),
	"kldstat":         argvOnly((*Host).kldstat),
	"kldunload":       argvOnly((*Host).kld),
	"mount":           argvOnly((*Host).mount),
	"pkg":             (*Host).pkg,
	"service":         argvOnly((*Host).service),
	"sockstat":        argvOnly((*Host).sockstat),
	"sysrc":           argvOnly((*Host).sysrc),
	"tar":             argvOnly((*Host).tar),
	"umount":          argvOnly((*Host).umount),
	"zfs":             argvOnly((*Host).zfs),
}

// argvOnly adapts a simulation that has no use for the progress writer.
func argvOnly(f func(h *Host, a []string) ([]byte, error)) handler {
	return func(h *Host, cmd system.Cmd) ([]byte, error) { return f(h, cmd.Argv) }
}

// run dispatches a command; h.mu is held. Every argv is first read
// with its command's option string from FreeBSD's source
// (getopt/testdata/getopt.txt) and refused as the real tool refuses it, so no
// handler sees an argv FreeBSD would not take.
func (h *Host) run(cmd system.Cmd) ([]byte, error) {
	f, ok := commands[cmd.Argv[0]]
	if !ok {
		return nil, fmt.Errorf("%s: %w", cmd.Argv[0], system.ErrNoCommand)
	}
	if err := getopt.Check(cmd.Argv); err != nil {
		logRefused(cmd.Argv, err)
		return nil, refuse(cmd.Argv, err)
	}
	return f(h, cmd)
}

// jailIndex returns the index in st of the jail called name, or -1.
func jailIndex(st State, name string) int {
	idx := -1
	for i, j := range st.Jails {
		if j.Name == name {
			idx = i
		}
	}
	return idx
}

// running finds a jail by name or JID: every jail of State runs.
func (h *Host) running(name string) (Jail, error) {
	var found *Jail
	// A look-up without a copy of the whole state: a host of hundreds
	// of jails runs this for every jexec (fakeconf.Cached.View).
	err := h.state.View(filepath.Join(h.Dir, stateFile), func(st *State) {
		for i := range st.Jails {
			if j := &st.Jails[i]; j.Name == name || fmt.Sprint(j.JID) == name {
				c := fakeconf.Clone(*j)
				found = &c
				return
			}
		}
	})
	if err != nil {
		return Jail{}, err
	}
	if found == nil {
		return Jail{}, fmt.Errorf("jail \"%s\" not found", name)
	}
	return *found, nil
}
