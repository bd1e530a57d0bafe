package fakehost

import (
	"path"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/system"
)

// freebsdVersion prints Config.OSRelease.
func (h *Host) freebsdVersion(a []string) ([]byte, error) {
	cfg, err := h.Config()
	if err != nil {
		return nil, err
	}
	return []byte(cfg.OSRelease + "\n"), nil
}

// freebsdUpdate handles "freebsd-update -b ROOT --currently-running R
// --not-running-from-cron fetch install" the way
// usr.sbin/freebsd-update/freebsd-update.sh does what jailkit relies on:
// the patches are those of `uname -m`, which UNAME_m in the environment
// overrides (usr.bin/uname/uname.c, CHECK_ENV), and install refuses when
// kern.securelevel > 0 (install_check_params). It marks the base as
// patched for that machine in /usr/share/misc and in /etc, both of which
// real patches touch.
func (h *Host) freebsdUpdate(cmd system.Cmd) ([]byte, error) {
	a := cmd.Argv
	i := slices.Index(a, "-b")
	if i < 0 || i+1 >= len(a) || !slices.Contains(a, "fetch") || !slices.Contains(a, "install") {
		return nil, fail(a, "usage: freebsd-update -b basedir ... fetch install")
	}
	cfg, err := h.Config()
	if err != nil {
		return nil, err
	}
	if cfg.Securelevel > 0 {
		return nil, fail(a, "Updates cannot be installed when the system securelevel\nis greater than zero.")
	}
	root := a[i+1]
	if _, err := h.files.Lstat(path.Join(root, "bin")); err != nil {
		return nil, fail(a, "freebsd-update: %s does not hold a FreeBSD base", root)
	}
	sub, err := h.files.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	machine := cfg.Machine()
	for _, e := range cmd.Env {
		if v, ok := strings.CutPrefix(e, "UNAME_m="); ok {
			machine = v
		}
	}
	mark := []byte("p2 " + machine + "\n")
	if err := sub.WriteFile("/usr/share/misc/patched", mark, 0o644); err != nil {
		return nil, err
	}
	return []byte("Installing updates... done.\n"), sub.WriteFile("/etc/patched", mark, 0o644)
}
