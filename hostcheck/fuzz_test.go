package hostcheck

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// FuzzRun feeds odd facts through every check: the input is split on
// "\n--\n" into sockstat text, jls JSON, jail.conf, devfs.rules, rc.conf
// and passwd, and the report must come out without a panic, with counts
// that match its findings.
func FuzzRun(f *testing.F) {
	join := func(parts ...string) []byte { return []byte(strings.Join(parts, "\n--\n")) }
	f.Add(join("root sshd 1 2 tcp4 *:22 *:*\n? ? ? ? udp4 *:53 *:*",
		`{"jail-information": {"jail": [{"jid": 1, "name": "a", "path": "/j/a", "ip4.addr": ["10.0.0.1"], "allow.raw_sockets": true, "enforce_statfs": 0, "securelevel": -1, "children.max": 3, "sysvshm": "new"}]}}`,
		`b { path = /j/b; ip4.addr = 10.0.0.2; allow.mount; allow.mount.zfs; }`,
		"[x=5]\nadd path 'bpf*' unhide\n[y=5]\n",
		"jail_a_rootdir=/j/a\njail_a_devfs_ruleset=x\nsendmail_enable=YES\nsyslogd_flags=",
		"u:*:1001:1001::/:/bin/sh"))
	f.Add(join("", "{}", "", "", "", ""))
	f.Fuzz(func(t *testing.T, data []byte) {
		parts := strings.SplitN(string(data), "\n--\n", 6)
		for len(parts) < 6 {
			parts = append(parts, "")
		}
		facts := &Facts{Missing: map[string]string{}, JailFiles: map[string]*JailFiles{}, JailSockets: map[int][]freebsd.Socket{},
			Sysctl: map[string]string{"security.jail.set_hostname_allowed": "1"}, RC: freebsd.NewRCConf(), Devfs: &freebsd.DevfsRules{},
			JailsDir: freebsd.DefaultJailsDir, FreeKB: 1, Release: "13.0-RELEASE", Major: 13}
		facts.Sockets, _ = freebsd.ParseSockstat([]byte(parts[0]))
		facts.Jails, _ = freebsd.ParseJlsJSON([]byte(parts[1]))
		facts.Configured = freebsd.ParseJailConf("/etc/jail.conf", []byte(parts[2]), nil)
		facts.Devfs.Parse("/etc/devfs.rules", []byte(parts[3]))
		facts.RC.Parse("/etc/rc.conf", []byte(parts[4]))
		facts.Accounts = freebsd.ParsePasswd([]byte(parts[5]))
		for _, j := range append(append([]freebsd.Jail(nil), facts.Jails...), facts.Configured...) {
			jf := &JailFiles{RC: freebsd.NewRCConf(), HasPasswd: true, Accounts: facts.Accounts, DNSRoles: []string{"primary", "secondary"}}
			jf.RC.Parse("/etc/rc.conf", []byte(parts[4]))
			facts.JailFiles[j.Name] = jf
		}
		plan := Planned{Name: "p", Recipe: "mail", IPs: []netip.Addr{netip.MustParseAddr("10.0.0.1")}, Ports: []Port{{"tcp", 22}, {"udp", 53}},
			DevfsUnhide: []string{"bpf*"}, KernelModules: []string{"linux64"}, HostRCConf: map[string]string{"linux_enable": "YES"}, SendmailOff: true, Role: "dns-secondary"}
		r := Run(facts, Options{Planned: []Planned{plan}})
		n := r.Summary.Fail + r.Summary.Warn + r.Summary.Info + r.Summary.Pass
		if n != len(r.Findings) {
			t.Fatalf("summary counts %d, findings %d", n, len(r.Findings))
		}
		for _, fd := range r.Findings {
			if fd.ID == "" || fd.Title == "" || fd.Why == "" {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}
		if _, err := r.JSON(); err != nil {
			t.Fatal(err)
		}
	})
}
