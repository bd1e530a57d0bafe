package freebsd

// Format source: bin/freebsd-version/freebsd-version.sh.in in the FreeBSD
// source tree prints the release string that sys/conf/newvers.sh builds
// (REVISION-BRANCH, such as 14.3-RELEASE-p2).

import (
	"strconv"
	"strings"
)

// ParseRelease reads freebsd-version output such as "14.3-RELEASE-p2" and
// returns the major and minor numbers (0, 0 when unreadable).
func ParseRelease(data []byte) (release string, major, minor int) {
	release = strings.TrimSpace(string(data))
	if i := strings.IndexByte(release, '\n'); i >= 0 {
		release = strings.TrimSpace(release[:i])
	}
	num, _, _ := strings.Cut(release, "-")
	ma, mi, _ := strings.Cut(num, ".")
	major, err1 := strconv.Atoi(ma)
	minor, err2 := strconv.Atoi(mi)
	if err1 != nil || err2 != nil {
		return release, 0, 0
	}
	return release, major, minor
}
