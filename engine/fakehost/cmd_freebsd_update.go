package fakehost

import (
	"path"
	"slices"
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
// --not-running-from-cron fetch install": it marks the base as patched.
func (h *Host) freebsdUpdate(a []string) ([]byte, error) {
	i := slices.Index(a, "-b")
	if i < 0 || i+1 >= len(a) || !slices.Contains(a, "fetch") || !slices.Contains(a, "install") {
		return nil, fail(a, "usage: freebsd-update -b basedir ... fetch install")
	}
	root := a[i+1]
	if _, err := h.files.Lstat(path.Join(root, "bin")); err != nil {
		return nil, fail(a, "freebsd-update: %s does not hold a FreeBSD base", root)
	}
	sub, err := h.files.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	return []byte("Installing updates... done.\n"), sub.WriteFile("/usr/share/misc/patched", []byte("p2\n"), 0o644)
}
