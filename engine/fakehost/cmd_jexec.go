package fakehost

import "path"

// jexec handles "jexec [-l] JAIL /usr/sbin/pkg bootstrap [-f] [-y]" and
// "jexec [-l] JAIL sockstat ...": usr.sbin/jexec/jexec.c reads its own
// options up to the jail, and the command after it is the jail's, argv
// untouched.
func (h *Host) jexec(a []string) ([]byte, error) {
	p := mustParse(a)
	if len(p.Operands) < 2 {
		return nil, fail(a, "fakehost: jexec without a command (a shell) is not simulated")
	}
	j, err := h.running(p.Operands[0])
	if err != nil {
		return nil, fail(a, "jexec: %v", err)
	}
	cmd := p.Operands[1:]
	if path.Base(cmd[0]) == "pkg" && mustParse(cmd).Sub == "bootstrap" {
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
	if path.Base(cmd[0]) == "sockstat" {
		return h.sockstatIn(cmd, j.Name)
	}
	return nil, fail(a, "jexec: %s: command not found in the fake host", cmd[0])
}
