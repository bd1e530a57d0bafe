package install

import (
	"errors"
	"path"
	"regexp"
	"strings"

	"github.com/jailkit/jailkit/engine/system"
)

// DefaultMirror is where release media come from unless --mirror says
// otherwise.
const DefaultMirror = "https://download.freebsd.org"

// machine returns the mirror's machine and machine_arch directory names.
func machine(arch string) (string, string) {
	switch arch {
	case "arm64", "aarch64":
		return "arm64", "aarch64"
	}
	return arch, arch
}

// ReleaseURL returns the URL of a file of a release on a mirror.
func ReleaseURL(mirror, release, arch, file string) string {
	m, ma := machine(arch)
	return strings.TrimRight(mirror, "/") + "/releases/" + m + "/" + ma + "/" + release + "/" + file
}

// MediaDir is the cache of a release's sets on the host.
func MediaDir(jailsDir, release, arch string) string {
	return path.Join(jailsDir, "media", release+"-"+arch)
}

// BaseDir is the shared, read-only base of thin jails of a release.
func BaseDir(jailsDir, release, arch string) string {
	return path.Join(jailsDir, "templates", release+"-"+arch)
}

var patchRE = regexp.MustCompile(`-p[0-9]+$`)

// mediaRelease drops a patch level: 14.3-RELEASE-p2 comes from the
// 14.3-RELEASE media.
func mediaRelease(r string) string { return patchRE.ReplaceAllString(r, "") }

// fetchSaysMissing says whether fetch(1) failed because the file is not
// on the mirror. fetch exits 1 whatever went wrong (usr.bin/fetch/fetch.c)
// and tells why only in its diagnostic, "URL: REASON", where REASON is
// libfetch's text: HTTP 404 and 410 read "Not Found" and "Gone"
// (lib/libfetch/http.errors), a missing file:// path reads strerror(ENOENT).
func fetchSaysMissing(err error) bool {
	var xe *system.ExitError
	if !errors.As(err, &xe) {
		return false
	}
	for _, reason := range []string{": Not Found", ": Gone", ": No such file or directory"} {
		if strings.Contains(xe.Stderr, reason) {
			return true
		}
	}
	return false
}
