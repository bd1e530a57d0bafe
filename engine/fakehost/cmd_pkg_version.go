package fakehost

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/system"
)

// PkgUpdates is the fake host's stand-in for the remote package
// repository: the names of the packages it has a newer version of, one a
// line. A test writes it; without it every package is up to date.
const PkgUpdates = ".fakehost/pkg-updates"

// pkgVersion handles "pkg version -R -l <" run in jail j through jexec:
// the installed packages whose repository version is newer, each as
// "name-version <" (freebsd/pkg src/version.c: getopt
// "hIPRUoqvl:L:ix:g:e:O:r:tT"; -R compares with the remote catalogue,
// -l keeps the lines whose status is the given character).
func (h *Host) pkgVersion(a, args []string, j Jail) ([]byte, error) {
	if !slices.Equal(args, []string{"version", "-R", "-l", "<"}) {
		return nil, fail(a, "fakehost: only pkg version -R -l < is simulated")
	}
	sub, err := h.files.OpenRoot(j.Path)
	if err != nil {
		return nil, err
	}
	if _, err := sub.Lstat("/usr/local/sbin/pkg"); err != nil {
		return nil, fail(a, "jexec: execvp: /usr/local/sbin/pkg: No such file or directory")
	}
	var b strings.Builder
	for _, p := range h.outdated(sub) {
		fmt.Fprintf(&b, "%s-1.0 <\n", p)
	}
	return []byte(b.String()), nil
}

// outdated returns the packages installed in the jail under sub that
// PkgUpdates names and the jail has not upgraded yet.
func (h *Host) outdated(sub system.System) []string {
	installed, _ := sub.ReadFile("/var/db/pkg/installed")
	upgraded, _ := sub.ReadFile(pkgUpgraded)
	newer, _ := os.ReadFile(filepath.Join(h.Dir, PkgUpdates))
	var out []string
	for _, p := range strings.Fields(string(installed)) {
		if slices.Contains(strings.Fields(string(newer)), p) && !slices.Contains(strings.Fields(string(upgraded)), p) {
			out = append(out, p)
		}
	}
	return out
}

// pkgABI is where pkg upgrade -f notes, in a jail, the base it
// reinstalled the packages for.
const pkgABI = "/var/db/pkg/fake-abi"

// pkgUpgraded lists, in a jail, the packages pkg upgrade brought to the
// repository's version.
const pkgUpgraded = "/var/db/pkg/upgraded"

// pkgUpgrade handles "pkg upgrade -y" run in jail j through jexec: every
// outdated package is upgraded (freebsd/pkg src/upgrade.c: getopt
// "+CfFgiInqr:Uxyv"; -y answers yes; with nothing to do it prints "Your
// packages are up to date." and exits 0).
func (h *Host) pkgUpgrade(a, args []string, j Jail) ([]byte, error) {
	force := slices.Equal(args, []string{"upgrade", "-f", "-y"})
	if !force && !slices.Equal(args, []string{"upgrade", "-y"}) {
		return nil, fail(a, "fakehost: only pkg upgrade [-f] -y is simulated")
	}
	sub, err := h.files.OpenRoot(j.Path)
	if err != nil {
		return nil, err
	}
	todo := h.outdated(sub)
	if force {
		// -f reinstalls every package (src/upgrade.c: PKG_FLAG_FORCE),
		// as a new release's ABI needs: the jail's release is noted.
		installed, _ := sub.ReadFile("/var/db/pkg/installed")
		rel, _ := sub.ReadFile("/etc/patched")
		return []byte("Reinstalling " + strings.Join(strings.Fields(string(installed)), " ") + "\n"), sub.WriteFile(pkgABI, rel, 0o644)
	}
	if len(todo) == 0 {
		return []byte("Your packages are up to date.\n"), nil
	}
	for _, p := range todo {
		if err := h.fetchPkg(j, p, "2.0"); err != nil {
			return nil, err
		}
	}
	upgraded, _ := sub.ReadFile(pkgUpgraded)
	list := append(strings.Fields(string(upgraded)), todo...)
	return []byte("Upgrading " + strings.Join(todo, " ") + "\n"), sub.WriteFile(pkgUpgraded, []byte(strings.Join(list, "\n")+"\n"), 0o644)
}
