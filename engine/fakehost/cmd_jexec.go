package fakehost

import (
	"slices"
	"strings"
)

// jexec handles "jexec -l NAME /usr/sbin/pkg bootstrap -y".
func (h *Host) jexec(a []string) ([]byte, error) {
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
	if strings.HasSuffix(args[1], "pkg") && len(args) >= 3 && args[2] == "bootstrap" {
		sub, err := h.files.OpenRoot(j.Path)
		if err != nil {
			return nil, err
		}
		if err := sub.MkdirAll("/usr/local/sbin", 0o755); err != nil {
			return nil, err
		}
		return []byte("Bootstrapping pkg from pkg+https://pkg.FreeBSD.org/FreeBSD:14:amd64/quarterly, please wait...\nInstalling pkg-2.1.2...\n"),
			sub.WriteFile("/usr/local/sbin/pkg", []byte("fake pkg\n"), 0o755)
	}
	if args[1] == "/usr/local/sbin/pkg" && len(args) > 2 && args[2] == "version" {
		return h.pkgVersion(a, args[2:], j)
	}
	if args[1] == "/usr/local/sbin/pkg" && len(args) > 2 && args[2] == "upgrade" {
		return h.pkgUpgrade(a, args[2:], j)
	}
	if args[1] == "sockstat" || args[1] == "/usr/bin/sockstat" {
		return h.sockstatIn(args[1:], j.Name)
	}
	return nil, fail(a, "jexec: %s: command not found in the fake host", args[1])
}
