package fakehost

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/fakehost/fakepkg"
	"github.com/jailkit/jailkit/engine/system"
)

// pkg is the host's pkg. On a host that never bootstrapped pkg it is the
// bootstrapper /usr/sbin/pkg; once bootstrapped, the real pkg, of which
// "-j NAME" runs the host's binary attached to the jail (freebsd/pkg
// src/main.c: jail_getid, jail_attach) with the jail's db and config.
func (h *Host) pkg(cmd system.Cmd) ([]byte, error) {
	cfg, err := h.Config()
	if err != nil {
		return nil, err
	}
	a := cmd.Argv
	if !cfg.HostPkg {
		// The bootstrapper's getopt "+:dN46" skips -j without an
		// argument and stops at the jail name, so the sub-getopt "+:y"
		// starts at the name: "pkg -j NAME install -y" never sees -y.
		if !fakepkg.BootstrapperYes(a[1:]) && !fakepkg.EnvYes(cmd.Env, "ASSUME_ALWAYS_YES") {
			return nil, fail(a, "%s", fakepkg.NonInteractive)
		}
		// Bootstrapping would install pkg on the host: jailkit must
		// never ask for that, so the fake host treats it as an error.
		return nil, fail(a, "fakehost: pkg would bootstrap itself on the host")
	}
	p := mustParse(a)
	name, ok := p.Arg("j")
	if !ok {
		return nil, fail(a, "fakehost: only pkg -j JAIL is simulated on the host")
	}
	j, err := h.running(name)
	if err != nil {
		return nil, fail(a, "pkg: %v", err)
	}
	return h.pkgIn(j, a, append([]string{p.Sub}, p.Operands...), cmd.Progress)
}

// pkgIn runs the real pkg's install or delete with the jail's database.
func (h *Host) pkgIn(j Jail, a, args []string, progress io.Writer) ([]byte, error) {
	if len(args) < 2 || (args[0] != "install" && args[0] != "delete") {
		return nil, fail(a, "usage: pkg install|delete -y pkg ...")
	}
	sub, err := h.files.OpenRoot(j.Path)
	if err != nil {
		return nil, err
	}
	old, _ := sub.ReadFile("/var/db/pkg/installed")
	have := strings.Fields(string(old))
	for _, p := range args[1:] {
		if strings.HasPrefix(p, "-") {
			continue
		}
		if args[0] == "delete" {
			have = slices.DeleteFunc(have, func(s string) bool { return s == p })
			continue
		}
		if progress != nil {
			fmt.Fprintf(progress, "[%s] Installing %s...\n", j.Name, p)
		}
		if !slices.Contains(have, p) {
			if err := h.fetchPkg(j, p, "1.0"); err != nil {
				return nil, err
			}
			have = append(have, p)
		}
	}
	if err := sub.MkdirAll("/var/db/pkg", 0o755); err != nil {
		return nil, err
	}
	return nil, sub.WriteFile("/var/db/pkg/installed", []byte(strings.Join(have, "\n")+"\n"), 0o644)
}

// pkgInJail is pkg run inside j by jexec: the jail's own /usr/sbin/pkg
// bootstrapper, or its /usr/local/sbin/pkg once bootstrapped. jexec -l
// starts it with a clean environment (usr.sbin/jexec/jexec.c), so only
// -y after the subcommand answers the bootstrapper.
func (h *Host) pkgInJail(j Jail, a, args []string, progress io.Writer) ([]byte, error) {
	sub, err := h.files.OpenRoot(j.Path)
	if err != nil {
		return nil, err
	}
	_, statErr := sub.Lstat("/usr/local/sbin/pkg")
	bootstrapped := statErr == nil
	if args[0] == "/usr/local/sbin/pkg" && !bootstrapped {
		return nil, fail(a, "jexec: execvp: /usr/local/sbin/pkg: No such file or directory")
	}
	rest := args[1:]
	if len(rest) > 0 && rest[0] == "bootstrap" {
		if bootstrapped {
			return []byte("pkg already bootstrapped at /usr/local/sbin/pkg\n"), nil
		}
		if !fakepkg.BootstrapperYes(rest) {
			return nil, fail(a, "%s", fakepkg.NonInteractive)
		}
		if err := sub.MkdirAll("/usr/local/sbin", 0o755); err != nil {
			return nil, err
		}
		return []byte("Bootstrapping pkg from pkg+https://pkg.FreeBSD.org/FreeBSD:14:amd64/quarterly, please wait...\nInstalling pkg-2.1.2...\n"),
			sub.WriteFile("/usr/local/sbin/pkg", []byte("fake pkg\n"), 0o755)
	}
	if !bootstrapped {
		// The bootstrapper reads -y after any subcommand: it bootstraps,
		// then execs the real pkg with the same argv (usr.sbin/pkg/pkg.c).
		if args[0] != "/usr/sbin/pkg" && args[0] != "pkg" || !fakepkg.BootstrapperYes(rest) {
			return nil, fail(a, "%s", fakepkg.NonInteractive)
		}
		if err := sub.MkdirAll("/usr/local/sbin", 0o755); err != nil {
			return nil, err
		}
		if err := sub.WriteFile("/usr/local/sbin/pkg", []byte("fake pkg\n"), 0o755); err != nil {
			return nil, err
		}
	}
	p := mustParse(args)
	return h.pkgIn(j, a, append([]string{p.Sub}, p.Operands...), progress)
}
