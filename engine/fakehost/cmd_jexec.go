package fakehost

import (
	"io"
	"slices"
)

// jexec runs a command inside a jail: pkg and sockstat.
func (h *Host) jexec(a []string, progress io.Writer) ([]byte, error) {
	args := slices.DeleteFunc(slices.Clone(a[1:]), func(s string) bool { return s == "-l" })
	if len(args) < 2 {
		return nil, fail(a, "usage: jexec [-l] jail command ...")
	}
	j, err := h.running(args[0])
	if err != nil {
		return nil, fail(a, "jexec: %v", err)
	}
	if args[1] == "pkg" || args[1] == "/usr/sbin/pkg" || args[1] == "/usr/local/sbin/pkg" {
		return h.pkgInJail(j, a, args[1:], progress)
	}
	if args[1] == "sockstat" || args[1] == "/usr/bin/sockstat" {
		return h.sockstatIn(args[1:], j.Name)
	}
	return nil, fail(a, "jexec: %s: command not found in the fake host", args[1])
}
