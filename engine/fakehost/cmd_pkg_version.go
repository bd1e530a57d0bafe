package fakehost

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	installed, _ := sub.ReadFile("/var/db/pkg/installed")
	newer, _ := os.ReadFile(filepath.Join(h.Dir, PkgUpdates))
	var b strings.Builder
	for _, p := range strings.Fields(string(installed)) {
		if slices.Contains(strings.Fields(string(newer)), p) {
			fmt.Fprintf(&b, "%s-1.0 <\n", p)
		}
	}
	return []byte(b.String()), nil
}
