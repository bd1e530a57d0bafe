package freebsd

// Format source: lib/libc/gen/pw_scan.c in the FreeBSD source tree reads
// passwd lines, lib/libc/gen/getgrent.c group lines.

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
)

// Account is one line of a passwd file.
type Account struct {
	Name  string
	UID   int
	GID   int
	Home  string
	Shell string
}

// ParsePasswd reads /etc/passwd (name:password:uid:gid:gecos:home:shell);
// comments and malformed lines are skipped.
func ParsePasswd(data []byte) []Account {
	var out []Account
	eachEntry(data, func(f []string) {
		if len(f) < 7 {
			return
		}
		uid, err1 := strconv.Atoi(f[2])
		gid, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil || uid < 0 {
			return
		}
		out = append(out, Account{Name: f[0], UID: uid, GID: gid, Home: f[5], Shell: f[6]})
	})
	return out
}

// IDs reads a passwd or group file into a map from name to numeric id:
// the third colon-separated field, which is the UID in passwd(5) and the
// GID in group(5). Comments, NIS "+" and "-" entries and malformed lines
// (fewer than three fields, or an id that is not a number from 0 up) are
// skipped, and the first entry of a name wins, as getpwnam(3) and
// getgrnam(3) find the first.
func IDs(data []byte) map[string]int {
	out := map[string]int{}
	eachEntry(data, func(f []string) {
		if len(f) < 3 {
			return
		}
		id, err := strconv.Atoi(f[2])
		if err != nil || id < 0 {
			return
		}
		if _, seen := out[f[0]]; !seen {
			out[f[0]] = id
		}
	})
	return out
}

// eachEntry calls fn with the colon-separated fields of each entry of a
// passwd or group file. Blank lines, # comments, entries without a name
// and NIS "+" or "-" entries are skipped.
func eachEntry(data []byte, fn func(fields []string)) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, ":")
		if f[0] == "" || strings.HasPrefix(f[0], "+") || strings.HasPrefix(f[0], "-") {
			continue
		}
		fn(f)
	}
}

// SystemAccount reports whether an account is one FreeBSD or a package
// creates (root, daemons, nobody): the article accepts that those exist in
// both the host and a jail.
func (a Account) SystemAccount() bool {
	return a.UID < 1000 || a.UID == 65534
}
