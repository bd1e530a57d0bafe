package install

import (
	"path"
	"regexp"
	"strings"
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
