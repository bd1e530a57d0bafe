package freebsd

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
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) < 7 || f[0] == "" || strings.HasPrefix(f[0], "+") || strings.HasPrefix(f[0], "-") {
			continue
		}
		uid, err1 := strconv.Atoi(f[2])
		gid, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil || uid < 0 {
			continue
		}
		out = append(out, Account{Name: f[0], UID: uid, GID: gid, Home: f[5], Shell: f[6]})
	}
	return out
}

// SystemAccount reports whether an account is one FreeBSD or a package
// creates (root, daemons, nobody): the article accepts that those exist in
// both the host and a jail.
func (a Account) SystemAccount() bool {
	return a.UID < 1000 || a.UID == 65534
}
