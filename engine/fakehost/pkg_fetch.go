package fakehost

import (
	"bytes"
	"os"
	"path"
	"path/filepath"

	"github.com/jailkit/jailkit/engine/fakehost/fakepkg"
)

// PkgFetchLog is where the fake package repository logs every package
// a jail's pkg fetched, one "JAIL PACKAGE BYTES" a line: a measurement,
// not host state, so Snapshot leaves it out.
const PkgFetchLog = ".fakehost/pkg-fetches"

// fetchPkg gets package name-version for jail j the way pkg does
// (freebsd/pkg libpkg/repo/binary/fetch.c, pkg_repo_binary_try_fetch):
// a file already in the cache of the right size and checksum is used
// as it is; any other (missing, short, poisoned) is fetched again and
// logged. The jail's cache is the host directory mounted on its
// /var/cache/pkg, or else the jail's own, empty in a new jail and not
// kept by the fake (so every such fetch is logged).
func (h *Host) fetchPkg(j Jail, name, version string) error {
	want := fakepkg.Content(name, version)
	st, err := h.State()
	if err != nil {
		return err
	}
	if cache := st.MountedOn(path.Join(j.Path, "var/cache/pkg")); cache != "" {
		file := filepath.Join(h.Dir, filepath.FromSlash(cache), fakepkg.FileName(name, version))
		if have, err := os.ReadFile(file); err == nil && bytes.Equal(have, want) {
			return nil
		}
		if err := os.WriteFile(file, want, 0o644); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(filepath.Join(h.Dir, PkgFetchLog), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(fakepkg.LogLine(j.Name, name, version))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
