package hostcheck

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

var update = flag.Bool("update", false, "rewrite golden files")

func snapshotFacts(t testing.TB, name string) *Facts {
	t.Helper()
	s, err := OpenSnapshot(filepath.Join("testdata", "snapshots", name))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return Gather(context.Background(), s, GatherOptions{})
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./hostcheck -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; rerun with -update if the change is meant.\ngot:\n%s", path, got)
	}
}

func ep(s string) freebsd.Endpoint {
	e, ok := freebsd.ParseEndpoint(s)
	if !ok {
		panic("bad endpoint " + s)
	}
	return e
}

var dhcpPlan = Planned{Name: "dhcp", Recipe: "dhcp", IPs: []netip.Addr{netip.MustParseAddr("192.168.1.67")},
	Ports: []Port{{"udp", 67}}, DevfsUnhide: []string{"bpf*"}, VNet: "optional"}

// TestSnapshotGolden pins the JSON report of each test snapshot.
func TestSnapshotGolden(t *testing.T) {
	cases := []struct {
		name, snapshot string
		opts           Options
	}{
		{"sample.json", "sample", Options{}},
		{"clean.json", "clean", Options{}},
		{"clean-dhcp.json", "clean", Options{Planned: []Planned{dhcpPlan}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Run(snapshotFacts(t, tc.snapshot), tc.opts)
			data, err := r.JSON()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, data)
		})
	}
}

func findingsOf(r Report, id string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

// want asserts that a finding with id and severity mentions every part.
func want(t *testing.T, r Report, id string, sev Severity, parts ...string) {
	t.Helper()
	for _, f := range findingsOf(r, id) {
		if f.Severity != sev {
			continue
		}
		ok := true
		for _, p := range parts {
			if !strings.Contains(f.Found+"\n"+f.Fix, p) {
				ok = false
			}
		}
		if ok {
			return
		}
	}
	t.Errorf("no %s %s finding mentioning %q; have:\n%s", sev, id, parts, dump(findingsOf(r, id)))
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s: %s | %s\n", f.Severity, f.ID, f.Found, f.Fix)
	}
	return b.String()
}

// TestSampleAcceptance is the floor: the samples' wildcard sshd,
// syslogd and rpcbind, sendmail on 127.0.0.1:25 and the www jail's unsafe
// parameters are found.
func TestSampleAcceptance(t *testing.T) {
	r := Run(snapshotFacts(t, "sample"), Options{})
	want(t, r, "JK-NET-010", Warn, "sshd", "*:22", "ListenAddress 192.168.1.10")
	want(t, r, "JK-NET-010", Warn, "syslogd", "*:514", `syslogd_flags="-ss"`)
	want(t, r, "JK-NET-010", Warn, "rpcbind", "*:111", "rpcbind_enable=NO")
	want(t, r, "JK-MAIL-020", Warn, "sendmail", "127.0.0.1:25", "sendmail_enable=NONE")
	want(t, r, "JK-MAIL-010", Warn, "sendmail_submit_enable=YES")
	want(t, r, "JK-JAIL-010", Warn, "jail www (jid 2)", "allow.raw_sockets = true", "allow.noraw_sockets;")
	want(t, r, "JK-JAIL-020", Warn, "jail www", "allow.sysvipc = true")
	want(t, r, "JK-JAIL-030", Warn, "jail www", "allow.set_hostname = true")
	want(t, r, "JK-JAIL-060", Warn, "jail www", "enforce_statfs = 1")
	want(t, r, "JK-JAIL-080", Warn, "jail www", "securelevel = -1")
	want(t, r, "JK-JAIL-090", Info, "security.jail.set_hostname_allowed is 1", "only affects jails made with the old jail(2) call")
	want(t, r, "JK-HOST-010", Warn, "security.bsd.see_other_uids is 1")
	want(t, r, "JK-HOST-020", Warn, "kern.randompid is 0")
	want(t, r, "JK-USERS-010", Warn, "alice", "pw -R /usr/local/jails/containers/www usermod alice")
	// ntpd is bound to addresses, and the dns jail is hardened.
	for _, f := range r.Findings {
		if strings.Contains(f.Found, "ntpd") || (strings.Contains(f.Found, "jail dns") && f.Severity != Pass) {
			t.Errorf("false finding: %s %s", f.ID, f.Found)
		}
	}
	if r.Failed() {
		t.Errorf("the sample host has warnings only, got fails:\n%s", dump(r.Findings))
	}
}

// TestCleanSnapshot: a host prepared the way the article says gets only
// passes.
func TestCleanSnapshot(t *testing.T) {
	r := Run(snapshotFacts(t, "clean"), Options{})
	for _, f := range r.Findings {
		if f.Severity != Pass {
			t.Errorf("false finding on the clean host: %s %s: %s", f.Severity, f.ID, f.Found)
		}
	}
	if r.Summary.Pass != len(r.Findings) || len(r.Findings) == 0 {
		t.Errorf("summary %+v for %d findings", r.Summary, len(r.Findings))
	}
}

// TestDevfsPlanned: a DHCP jail fails without a bpf ruleset and passes
// once one includes $devfsrules_jail and unhides bpf*.
func TestDevfsPlanned(t *testing.T) {
	f := snapshotFacts(t, "clean")
	opts := Options{Planned: []Planned{dhcpPlan}, Only: []string{"DEVFS"}}
	r := Run(f, opts)
	want(t, r, "JK-DEVFS-010", Fail, "bpf*", "[devfsrules_jail_dhcp=10]", "add include $devfsrules_jail", "add path 'bpf*' unhide")
	if !r.Failed() {
		t.Error("no failure")
	}
	rules := []struct {
		name, text string
		pass       bool
	}{
		{"unhide without include", "[dhcp=10]\nadd include $devfsrules_hide_all\nadd path 'bpf*' unhide\n", false},
		{"include without unhide", "[dhcp=10]\nadd include $devfsrules_jail\n", false},
		{"unhide then hidden again", "[dhcp=10]\nadd include $devfsrules_jail\nadd path 'bpf*' unhide\nadd path bpf0 hide\n", false},
		{"the article's rule", "[devfsrules_jail_dhcp=10]\nadd include $devfsrules_jail\nadd path 'bpf*' unhide\n", true},
		{"through another ruleset", "[mine=11]\nadd include $devfsrules_jail\n[dhcp=12]\nadd include $mine\nadd path bpf* unhide\n", true},
		{"ruleset 4 edited in place", "[devfsrules_jail=4]\nadd include $devfsrules_hide_all\nadd include $devfsrules_unhide_basic\nadd path 'bpf*' unhide\n", true},
	}
	for _, tc := range rules {
		t.Run(tc.name, func(t *testing.T) {
			g := *f
			g.Devfs = &freebsd.DevfsRules{Sets: append([]*freebsd.DevfsRuleset(nil), f.Devfs.Sets...)}
			g.Devfs.Parse("/etc/devfs.rules", []byte(tc.text))
			r := Run(&g, opts)
			if r.Failed() == tc.pass {
				t.Errorf("failed = %v, want %v:\n%s", r.Failed(), !tc.pass, dump(r.Findings))
			}
		})
	}
	// Without a planned jail that needs devices the check does not run.
	r = Run(f, Options{Only: []string{"JK-DEVFS-010"}})
	if len(r.Findings) != 0 {
		t.Errorf("unplanned: %s", dump(r.Findings))
	}
}

func TestPlannedNetwork(t *testing.T) {
	f := snapshotFacts(t, "sample")
	dns := Planned{Name: "ns2", Recipe: "dns", Role: "dns-secondary", Ports: []Port{{"udp", 53}, {"tcp", 22}},
		IPs: []netip.Addr{netip.MustParseAddr("192.168.1.53"), netip.MustParseAddr("192.168.1.10"), netip.MustParseAddr("10.9.9.9")}}
	r := Run(f, Options{Planned: []Planned{dns}})
	want(t, r, "JK-NET-010", Fail, "sshd", "*:22", "the planned ns2 jail needs tcp/22")
	want(t, r, "JK-NET-020", Fail, "192.168.1.53", "used by jail dns")
	want(t, r, "JK-NET-020", Fail, "192.168.1.10", "host interface em0")
	want(t, r, "JK-NET-030", Warn, "10.9.9.9", "em0 192.168.1.0/24")
	want(t, r, "JK-SVC-010", Warn, "jail dns", "the planned ns2 jail")
	for _, fd := range findingsOf(r, "JK-NET-030") {
		if strings.Contains(fd.Found, "192.168.1.53 ") {
			t.Errorf("in-subnet address reported: %s", fd.Found)
		}
	}
	// A VNET jail has its own stack: host wildcards do not clash.
	dns.VNet = "required"
	r = Run(f, Options{Planned: []Planned{dns}, Only: []string{"JK-NET-010"}})
	for _, fd := range r.Findings {
		if fd.Severity == Fail {
			t.Errorf("vnet jail: %s", fd.Found)
		}
	}
}

func TestPlannedMailAndHost(t *testing.T) {
	f := snapshotFacts(t, "sample")
	mail := Planned{Name: "mail", Recipe: "mail", SendmailOff: true, KernelModules: []string{"zfs", "linux64"},
		HostRCConf: map[string]string{"linux_enable": "YES", "zfs_enable": "YES"}}
	r := Run(f, Options{Planned: []Planned{mail}})
	want(t, r, "JK-MAIL-010", Fail, "mail server")
	want(t, r, "JK-MAIL-020", Fail, "127.0.0.1:25")
	want(t, r, "JK-HOST-070", Fail, "kernel module linux64 is not loaded; the planned mail jail needs it", "kldload linux64 && sysrc kld_list+=\" linux64\"")
	want(t, r, "JK-HOST-080", Warn, "linux_enable", `sysrc linux_enable="YES"`)
	for _, fd := range r.Findings {
		if strings.Contains(fd.Found, "zfs") {
			t.Errorf("satisfied need reported: %s", fd.Found)
		}
	}
}

func TestOnlySkip(t *testing.T) {
	f := snapshotFacts(t, "sample")
	r := Run(f, Options{Only: []string{"JK-NET-010", "jail"}, Skip: []string{"JK-JAIL-090"}})
	for _, fd := range r.Findings {
		if g := Group(fd.ID); (g != "NET" && g != "JAIL") || fd.ID == "JK-JAIL-090" {
			t.Errorf("unexpected %s", fd.ID)
		}
	}
	if len(findingsOf(r, "JK-NET-010")) == 0 || len(findingsOf(r, "JK-JAIL-010")) == 0 {
		t.Error("selected checks missing")
	}
	for _, bad := range [][]string{{"JK-NET-999"}, {"NOPE"}, {"JK-NET-01"}} {
		if err := ValidateIDs(bad); !errors.Is(err, ErrUnknownCheck) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if err := ValidateIDs([]string{"JK-NET-010", "net", "JK-SVC", "host-050"}); err != nil {
		t.Error(err)
	}
}

// TestMissingFacts: a check whose facts could not be read says so (info)
// instead of passing.
func TestMissingFacts(t *testing.T) {
	f := snapshotFacts(t, "sample")
	f.Missing[FactSockets] = "not found"
	r := Run(f, Options{Only: []string{"JK-NET-010", "JK-MAIL-020"}})
	if len(r.Findings) != 2 {
		t.Fatalf("%s", dump(r.Findings))
	}
	for _, fd := range r.Findings {
		if fd.Severity != Info || !strings.Contains(fd.Found, "not checked: sockets (not found)") {
			t.Errorf("%s %s", fd.Severity, fd.Found)
		}
	}
}

// factsWith returns clean facts changed by fn, for single-check tables.
func factsWith(t *testing.T, fn func(f *Facts)) *Facts {
	f := snapshotFacts(t, "clean")
	fn(f)
	return f
}

func TestChecksTable(t *testing.T) {
	tests := []struct {
		name  string
		id    string
		edit  func(f *Facts)
		sev   Severity
		parts []string
	}{
		{"inetd on *", "JK-NET-010", func(f *Facts) {
			f.Sockets = append(f.Sockets, freebsd.Socket{User: "root", Command: "inetd", PID: 9, FD: 5, Proto: "tcp4", Local: ep("*:21")})
		}, Warn, []string{"inetd (pid 9)", `inetd_flags="-wW -C 60 -a 192.168.1.10"`}},
		{"ntpd on *", "JK-NET-010", func(f *Facts) {
			f.Sockets = append(f.Sockets, freebsd.Socket{User: "ntpd", Command: "ntpd", PID: 9, FD: 5, Proto: "udp6", Local: ep("*:123")})
		}, Warn, []string{"interface ignore wildcard", "interface listen 192.168.1.10"}},
		{"unowned socket on *", "JK-NET-010", func(f *Facts) {
			f.Sockets = append(f.Sockets, freebsd.Socket{PID: -1, FD: -1, Proto: "tcp4", Local: ep("*:6000")})
		}, Warn, []string{"a socket no process owns", "sockstat -46l -p 6000"}},
		{"a multi-address jail's wildcard socket is the jail's", "JK-NET-010", func(f *Facts) {
			s := freebsd.Socket{User: "www", Command: "httpd", PID: 50, FD: 3, Proto: "tcp4", Local: ep("*:80")}
			f.Sockets = append(f.Sockets, s)
			f.JailSockets[2] = []freebsd.Socket{s}
		}, Pass, nil},
		{"sendmail_enable YES", "JK-MAIL-010", func(f *Facts) {
			f.RC.Parse("/etc/rc.conf", []byte("sendmail_enable=YES\nsendmail_submit_enable=NO\n"))
		}, Warn, []string{"sendmail_enable=YES (/etc/rc.conf:1)"}},
		{"sendmail NO and the rest NO", "JK-MAIL-010", func(f *Facts) {
			f.RC.Parse("/etc/rc.conf", []byte("sendmail_enable=NO\n"))
		}, Pass, nil},
		{"postfix on *:25", "JK-MAIL-020", func(f *Facts) {
			f.Sockets = append(f.Sockets, freebsd.Socket{User: "root", Command: "master", PID: 9, FD: 5, Proto: "tcp4", Local: ep("*:25")})
		}, Warn, []string{"master (pid 9) listens on *:25", "postconf -e inet_interfaces=192.168.1.10"}},
		{"ruleset 5 reused", "JK-DEVFS-020", func(f *Facts) {
			f.Devfs.Parse("/etc/devfs.rules", []byte("[devfsrules_dhcp=5]\nadd include $devfsrules_jail\n"))
		}, Warn, []string{"ruleset 5 is devfsrules_dhcp in /etc/devfs.rules (line 1)", "[devfsrules_dhcp=10]"}},
		{"two rulesets share a number", "JK-DEVFS-020", func(f *Facts) {
			f.Devfs.Parse("/etc/devfs.rules", []byte("[a=20]\n[b=20]\n"))
		}, Warn, []string{"ruleset number 20 is used by a (/etc/devfs.rules:1) and b (/etc/devfs.rules:2)"}},
		// kern_jail_set gives every jail from jail.conf set_hostname
		// (JAIL_DEFAULT_ALLOW), whatever the deprecated sysctl says.
		{"configured jail may rename itself despite the sysctl", "JK-JAIL-030", func(f *Facts) {
			f.Sysctl["security.jail.set_hostname_allowed"] = "0"
			f.Configured = append(f.Configured, *jailOf("/etc/jail.conf.d/new.conf", "new"))
		}, Warn, []string{"jail new (/etc/jail.conf.d/new.conf, not running): allow.set_hostname = true (jail(8)'s default when the jail does not set it)"}},
		{"enforce_statfs sysctl is every jail's default", "JK-JAIL-060", func(f *Facts) {
			f.Sysctl["security.jail.enforce_statfs"] = "1"
			f.Configured = append(f.Configured, *jailOf("/etc/jail.conf.d/new.conf", "new"))
		}, Warn, []string{"jail new (/etc/jail.conf.d/new.conf, not running): enforce_statfs = 1"}},
		{"unsafe enforce_statfs sysctl", "JK-JAIL-090", func(f *Facts) {
			f.Sysctl["security.jail.enforce_statfs"] = "0"
		}, Warn, []string{"security.jail.enforce_statfs is 0", "every new jail that does not set its own"}},
		{"sysvshm new", "JK-JAIL-020", func(f *Facts) {
			f.Jails[0].Params["sysvshm"] = "new"
		}, Warn, []string{"jail dns (jid 1): sysvshm = new", "sysvshm = disable;"}},
		{"allow.mount.zfs", "JK-JAIL-050", func(f *Facts) {
			f.Jails[0].Params["allow.mount"] = "true"
			f.Jails[0].Params["allow.mount.zfs"] = "true"
		}, Warn, []string{"allow.mount = true, allow.mount.zfs = true"}},
		{"children", "JK-JAIL-070", func(f *Facts) { f.Jails[1].Params["children.max"] = "5" }, Warn, []string{"jail www (jid 2): children.max = 5"}},
		{"obsolete rc.conf jail variables", "JK-JAIL-100", func(f *Facts) {
			f.RC.Parse("/etc/rc.conf", []byte(`jail_enable="YES" jail_list="www" jail_parallel_start="NO"
jail_www_rootdir="/jails/www"
jail_www_hostname="www.homenet.net"
jail_www_ip="192.168.1.200"
jail_www_exec="/bin/sh /etc/rc"
jail_www_devfs_enable="YES"
jail_www_devfs_ruleset="devfsrules_jail"
jail_my_jail_rootdir="/jails/my_jail"
`))
		}, Info, []string{"jail www: jail_www_devfs_enable, jail_www_devfs_ruleset, jail_www_exec, jail_www_hostname, jail_www_ip, jail_www_rootdir",
			`www { mount.devfs; devfs_ruleset = 4; exec.start = "/bin/sh /etc/rc"; host.hostname = "www.homenet.net"; ip4.addr = "192.168.1.200"; path = "/jails/www"; exec.clean; }`,
			"sysrc -x jail_www_devfs_enable"}},
		{"obsolete variables of a jail named with underscores", "JK-JAIL-100", func(f *Facts) {
			f.RC.Parse("/etc/rc.conf", []byte("jail_my_jail_rootdir=/jails/my_jail\n"))
		}, Info, []string{"jail my_jail: jail_my_jail_rootdir"}},
		{"syslogd -s -b", "JK-HOST-040", func(f *Facts) { f.RC.Parse("/etc/rc.conf", []byte(`syslogd_flags="-s -b 192.168.1.10"`)) }, Pass, nil},
		{"syslogd -s", "JK-HOST-040", func(f *Facts) { f.RC.Parse("/etc/rc.conf", []byte(`syslogd_flags="-s"`)) }, Warn, []string{`syslogd_flags="-s" (/etc/rc.conf:1)`}},
		{"syslogd -s -s", "JK-HOST-040", func(f *Facts) { f.RC.Parse("/etc/rc.conf", []byte(`syslogd_flags="-s -s"`)) }, Pass, nil},
		{"syslogd off", "JK-HOST-040", func(f *Facts) { f.RC.Parse("/etc/rc.conf", []byte("syslogd_enable=NO syslogd_flags=\n")) }, Pass, nil},
		{"release 13", "JK-HOST-050", func(f *Facts) { f.Release, f.Major, f.Minor = "13.2-RELEASE", 13, 2 }, Fail, []string{"13.2-RELEASE", "freebsd-update -r 14.3-RELEASE upgrade"}},
		{"release unknown", "JK-HOST-050", func(f *Facts) { f.Release, f.Major = "junk", 0 }, Info, []string{"junk"}},
		{"100 MB free", "JK-HOST-060", func(f *Facts) { f.FreeKB = 100 * 1024 }, Fail, []string{"100 MB free under /usr/local/jails"}},
		{"1 GB free", "JK-HOST-060", func(f *Facts) { f.FreeKB = 1024 * 1024 }, Warn, []string{"4 GB"}},
		{"uid clash", "JK-USERS-010", func(f *Facts) {
			f.Accounts = append(f.Accounts, freebsd.Account{Name: "carol", UID: 2001})
		}, Warn, []string{"webadmin has uid 2001 like host account carol", "usermod webadmin -u 2002"}},
		{"system accounts aside", "JK-USERS-010", func(f *Facts) {
			f.JailFiles["www"].Accounts = append(f.JailFiles["www"].Accounts, freebsd.Account{Name: "bind", UID: 53}, freebsd.Account{Name: "nobody", UID: 65534})
		}, Pass, nil},
		{"rpcbind in a jail's rc.conf", "JK-SVC-020", func(f *Facts) {
			f.JailFiles["www"].RC.Parse("/etc/rc.conf", []byte("rpcbind_enable=YES\nnfs_client_enable=YES\n"))
		}, Fail, []string{"jail www runs RPC services: rpcbind_enable=YES, nfs_client_enable=YES", "sysrc -R /usr/local/jails/containers/www rpcbind_enable=NO nfs_client_enable=NO"}},
		{"rpcbind on a jail address", "JK-SVC-020", func(f *Facts) {
			f.Sockets = append(f.Sockets, freebsd.Socket{User: "root", Command: "rpcbind", PID: 9, FD: 5, Proto: "udp4", Local: ep("192.168.1.80:111")})
		}, Fail, []string{"rpcbind (pid 9) listens on 192.168.1.80:111"}},
		{"database with sysvipc", "JK-SVC-030", func(f *Facts) {
			f.Jails[1].Params["allow.sysvipc"] = "true"
			f.Sockets = append(f.Sockets, freebsd.Socket{User: "mysql", Command: "mysqld", PID: 9, FD: 5, Proto: "tcp4", Local: ep("192.168.1.80:3306")})
		}, Warn, []string{"jail www runs a database (mysqld (pid 9) listens on 192.168.1.80:3306) with System V IPC allowed (allow.sysvipc = true)"}},
		{"database without sysvipc", "JK-SVC-030", func(f *Facts) {
			f.JailFiles["www"].RC.Parse("/etc/rc.conf", []byte("postgresql_enable=YES\n"))
		}, Info, []string{"postgresql_enable=YES"}},
		{"primary and secondary in two jails", "JK-SVC-010", func(f *Facts) {
			f.JailFiles["dns"].DNSRoles = []string{"primary"}
			f.JailFiles["www"].DNSRoles = []string{"secondary"}
		}, Warn, []string{"primary DNS (jail dns) and secondary DNS (jail www)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := factsWith(t, tc.edit)
			r := Run(f, Options{Only: []string{tc.id}})
			if tc.sev == Pass {
				for _, fd := range r.Findings {
					if fd.Severity != Pass {
						t.Errorf("want a pass, got %s", dump(r.Findings))
					}
				}
				if len(r.Findings) == 0 {
					t.Error("no finding")
				}
				return
			}
			want(t, r, tc.id, tc.sev, tc.parts...)
		})
	}
}

func TestExamplePath(t *testing.T) {
	for pattern, want := range map[string]string{"bpf*": "bpf0", "tun?": "tun0", "pts/[0-9]": "pts/0-9", "null": "null"} {
		if got := examplePath(pattern); got != want {
			t.Errorf("examplePath(%q) = %q, want %q", pattern, got, want)
		}
	}
}

// jailOf returns a configured jail that sets nothing but its name.
func jailOf(source, name string) *freebsd.Jail {
	return &freebsd.Jail{Name: name, Params: map[string]string{"name": name}, Source: source}
}

// TestCatalogueIDs: IDs are unique, well-formed, in steps of 10 within a
// known group, and every check documents itself.
func TestCatalogueIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Catalogue() {
		var n int
		if _, err := fmt.Sscanf(c.ID[len("JK-"+Group(c.ID)+"-"):], "%d", &n); err != nil || n%10 != 0 || n == 0 {
			t.Errorf("%s: not a step of 10", c.ID)
		}
		if !slices.Contains(Groups, Group(c.ID)) {
			t.Errorf("%s: unknown group", c.ID)
		}
		if seen[c.ID] {
			t.Errorf("%s twice", c.ID)
		}
		seen[c.ID] = true
		if c.Title == "" || c.What == "" || c.Why == "" || c.Fix == "" || c.Severity == "" || c.Pass == "" || c.run == nil {
			t.Errorf("%s: incomplete entry", c.ID)
		}
		if strings.Count(strings.TrimSuffix(c.Why, "."), ". ") > 0 || !strings.HasSuffix(c.Why, ".") {
			t.Errorf("%s: why must be one sentence", c.ID)
		}
	}
	for _, g := range Groups {
		found := false
		for id := range seen {
			found = found || Group(id) == g
		}
		if !found {
			t.Errorf("group %s has no check", g)
		}
	}
}

func TestHostSecurelevel(t *testing.T) {
	tests := []struct {
		level   string
		newBase bool
		want    Severity
	}{
		{"-1", true, Pass},
		{"0", true, Pass},
		{"1", false, Info},
		{"1", true, Fail},
		{"3", true, Fail},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.level, tt.newBase), func(t *testing.T) {
			f := factsWith(t, func(f *Facts) { f.Sysctl["kern.securelevel"] = tt.level })
			opts := Options{Only: []string{"JK-HOST-090"}}
			if tt.newBase {
				opts.Planned = []Planned{{Name: "dns", Recipe: "dns", NewBase: true}}
			}
			r := Run(f, opts)
			if len(r.Findings) != 1 || r.Findings[0].Severity != tt.want {
				t.Errorf("%s", dump(r.Findings))
			}
		})
	}
}

// TestJailDefaultsIgnoreAllowedSysctls: the security.jail.*_allowed knobs
// feed only the old jail(2) call (kern_jail in sys/kern/kern_jail.c), so
// a jail from jail.conf gets no raw sockets, SysV IPC, chflags or mount
// however they are set, and set_hostname however they are set.
func TestJailDefaultsIgnoreAllowedSysctls(t *testing.T) {
	f := factsWith(t, func(f *Facts) {
		for _, k := range []string{"security.jail.allow_raw_sockets", "security.jail.sysvipc_allowed",
			"security.jail.chflags_allowed", "security.jail.mount_allowed"} {
			f.Sysctl[k] = "1"
		}
		f.Sysctl["security.jail.set_hostname_allowed"] = "0"
		f.Configured = append(f.Configured, *jailOf("/etc/jail.conf.d/new.conf", "new"))
	})
	r := Run(f, Options{Only: []string{"JK-JAIL-010", "JK-JAIL-020", "JK-JAIL-030", "JK-JAIL-040", "JK-JAIL-050"}})
	for _, fd := range r.Findings {
		onNew := strings.Contains(fd.Found, "jail new ")
		if fd.ID == "JK-JAIL-030" {
			if fd.Severity != Warn || !onNew {
				t.Errorf("JK-JAIL-030 should warn that jail new may rename itself: %+v", fd)
			}
			continue
		}
		if onNew {
			t.Errorf("%s reports the jail.conf jail from a sysctl jail_set(2) ignores: %s", fd.ID, fd.Found)
		}
	}
}
