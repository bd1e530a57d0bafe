package fakehost

import (
	"io"
	"slices"
)

// jexec runs a command inside a jail: pkg and sockstat.
func (h *Host) jexec(a []string, progress io.Writer) ([]byte, error) {
	// jexec's getopt ("lnu:U:", usr.sbin/jexec/jexec.c) stops at the jail
	// name: a -l after it belongs to the command.
	args := slices.Clone(a[1:])
	for len(args) > 0 && args[0] == "-l" {
		args = args[1:]
	}
	if len(args) < 2 {
		return nil, fail(a, "usage: jexec [-l] jail command ...")
	}
	j, err := h.running(args[0])
	if err != nil {
		return nil, fail(a, "jexec: %v", err)
	}
	if args[1] == "/usr/local/sbin/pkg" && len(args) > 2 && args[2] == "version" {
		return h.pkgVersion(a, args[2:], j)
	}
	if args[1] == "/usr/local/sbin/pkg" && len(args) > 2 && args[2] == "upgrade" {
		return h.pkgUpgrade(a, args[2:], j)
	}
	if args[1] == "pkg" || args[1] == "/usr/sbin/pkg" || args[1] == "/usr/local/sbin/pkg" {
		return h.pkgInJail(j, a, args[1:], progress)
	}
	if args[1] == "sockstat" || args[1] == "/usr/bin/sockstat" {
		return h.sockstatIn(args[1:], j.Name)
	}
	return nil, fail(a, "jexec: %s: command not found in the fake host", args[1])
}
