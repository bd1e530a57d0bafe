package fakehost

import (
	"io"
	"path"
)

// jexec handles "jexec [-l] JAIL pkg ..." and "jexec [-l] JAIL sockstat
// ...": usr.sbin/jexec/jexec.c reads its own options up to the jail, and
// the command after it is the jail's, argv untouched.
func (h *Host) jexec(a []string, progress io.Writer) ([]byte, error) {
	p := mustParse(a)
	if len(p.Operands) < 2 {
		return nil, fail(a, "fakehost: jexec without a command (a shell) is not simulated")
	}
	j, err := h.running(p.Operands[0])
	if err != nil {
		return nil, fail(a, "jexec: %v", err)
	}
	cmd := p.Operands[1:]
	if cmd[0] == "/usr/local/sbin/pkg" && len(cmd) > 1 && cmd[1] == "version" {
		return h.pkgVersion(a, cmd[1:], j)
	}
	if cmd[0] == "/usr/local/sbin/pkg" && len(cmd) > 1 && cmd[1] == "upgrade" {
		return h.pkgUpgrade(a, cmd[1:], j)
	}
	switch cmd[0] {
	case "pkg", "/usr/sbin/pkg", "/usr/local/sbin/pkg":
		return h.pkgInJail(j, a, cmd, progress)
	}
	if path.Base(cmd[0]) == "sockstat" {
		return h.sockstatIn(cmd, j.Name)
	}
	return nil, fail(a, "jexec: %s: command not found in the fake host", cmd[0])
}
