package freebsd

import (
	"bytes"
	"strings"
)

// SockstatListenArgv is the sockstat command that lists the listening
// IPv4 and IPv6 sockets in a form no column width can cut, for a
// sockstat of the given release (such as "15.0-RELEASE"):
//
//   - 15 and later (usr.bin/sockstat/main.c, libxo): --libxo json, which
//     has no columns at all. Its text output cuts LOCAL and FOREIGN
//     ADDRESS at 21 characters unless -w, so "2001:db8:1:2::53:53" would
//     lose its port.
//   - before 15 (usr.bin/sockstat/sockstat.c, no libxo): -w, which widens
//     the address columns from 21 to 45, room for any IPv6 address and
//     port ("[" and "]" are not printed).
//
// An unreadable release, or a -CURRENT build (one from before sockstat
// gained libxo also says 15.0-CURRENT), gets -w text, which every
// sockstat takes.
func SockstatListenArgv(release string) []string {
	if _, major, _ := ParseRelease([]byte(release)); major >= 15 && !strings.Contains(release, "-CURRENT") {
		return []string{"sockstat", "--libxo", "json", "-46l"}
	}
	return []string{"sockstat", "-46lw"}
}

// ParseSockstatOutput reads what SockstatListenArgv's command printed:
// libxo JSON when it starts with "{", text otherwise.
func ParseSockstatOutput(data []byte) ([]Socket, error) {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return ParseSockstatJSON(t)
	}
	socks, _ := ParseSockstat(data)
	return socks, nil
}
