package freebsd

import (
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"
)

// seed adds every sample file plus the given strings to a fuzz corpus.
func seed(f *testing.F, files []string, extra ...string) {
	for _, name := range files {
		data, err := os.ReadFile(testdataPath(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

func FuzzSockstat(f *testing.F) {
	seed(f, []string{"sockstat-13.txt", "sockstat-14.txt", "sockstat-14-s.txt"},
		"root nginx 12345 1024tcp4 *:80 *:*\n",
		"?        ?          ?     ?  tcp4   *:6000 *:*\n?? ?? ?? ?? udp46 *:1 *:*\n",
		"ntpd ntpd 880 20 udp6 fe80::1%lo0:123 *:*\n",
		"root syslogd 702 4 dgram /var/run/log\nroot x 1 2 stream -> [3 4]\n",
		"   192.0.2.2:9899\n\t\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		socks, skipped := ParseSockstat(data)
		if skipped < 0 {
			t.Fatal("negative skip count")
		}
		for _, s := range socks {
			if _, _, ok := splitProto(s.Proto); !ok {
				t.Fatalf("accepted protocol %q", s.Proto)
			}
			if s.Local.Port < 0 || s.Local.Port > 65535 {
				t.Fatalf("port %d", s.Local.Port)
			}
			_ = s.Local.String() + s.Owner() + s.Transport()
		}
	})
}

func FuzzSockstatJSON(f *testing.F) {
	seed(f, nil,
		`{"sockstat": {"socket": [{"user": "root", "command": "sshd", "pid": 1, "fd": 4, "proto": "tcp4", "local": {"address": "*", "port": 22}, "foreign": {"address": "*", "port": 0}}]}}`,
		`{"sockstat": {"socket": [{"user": 0, "pid": "x", "proto": "dgram", "local": {"path": "/var/run/log"}}]}}`,
		`{"sockstat": {"socket": [{"proto": 5, "local": {"address": ["a"], "port": 1e99}}]}}`,
		`{"sockstat": null}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		socks, err := ParseSockstatJSON(data)
		if err != nil && socks != nil {
			t.Fatal("sockets with an error")
		}
		for _, s := range socks {
			if s.Local.Port < 0 || s.Local.Port > 65535 {
				t.Fatalf("port %d", s.Local.Port)
			}
		}
	})
}

func FuzzJls(f *testing.F) {
	seed(f, []string{"jls.json", "jls-n.json", "jls.txt"},
		`{"jail-information": {"jail": [{"jid": 1, "ip4.addr": [[1], {"a": 2}, null], "vnet": true}]}}`,
		`devfs_ruleset=4 nodying host.hostname="a \"b\" c" allow.noraw_sockets ip4.addr=1.2.3.4,5.6.7.8 jid=3 name=x`,
		"   JID  IP Address      Hostname                      Path\n     3                  h                  /p\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		js, err := ParseJlsJSON(data)
		if err == nil {
			for _, j := range js {
				_ = j.VNet()
				_ = j.Addrs()
			}
		}
		for _, j := range ParseJls(data) {
			if j.JID <= 0 {
				t.Fatalf("jid %d", j.JID)
			}
		}
		for _, j := range ParseJlsParams(data) {
			if j.JID <= 0 {
				t.Fatalf("jid %d", j.JID)
			}
		}
	})
}

func FuzzSysctl(f *testing.F) {
	seed(f, []string{"sysctl.txt"}, "a.b: c: d\n=x\n: \nkern.x=1\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		for k := range ParseSysctl(data) {
			if k == "" || strings.ContainsAny(k, " \t\n") {
				t.Fatalf("bad name %q", k)
			}
		}
	})
}

func FuzzRCConf(f *testing.F) {
	seed(f, []string{"snapshots/sample/files/etc/rc.conf", "snapshots/clean/files/etc/rc.conf"},
		`a="${b:-x} $c \$d" e='f'g h=i\ j # k`+"\n",
		"x=\"unterminated\nline\n", "y=${\n", "z=$", "w=\\", "#'\nq='1'\n", "if [ x ]; then\n\tv=1\nfi\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		rc := NewRCConf()
		rc.Parse("/etc/rc.conf", data)
		for name, v := range rc.Vars {
			if name == "" || !isNameByte(name[0], true) {
				t.Fatalf("bad name %q", name)
			}
			if v.Line < 1 {
				t.Fatalf("line %d", v.Line)
			}
		}
	})
}

func FuzzDevfsRules(f *testing.F) {
	seed(f, []string{"devfs.rules"},
		"[a=1]\nadd include $a\n[b=2]\nadd include $a\nadd include 1\nadd path 'bpf*' unhide\n",
		"[x=99999999999]\n[=]\n[y=3\nadd path [ unhide\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		d := &DevfsRules{}
		d.Parse("/etc/devfs.rules", data)
		for _, rs := range d.Sets {
			rules, _, _ := d.Expand(rs)
			_ = Visible(rules, "bpf0")
		}
	})
}

func FuzzJailConf(f *testing.F) {
	seed(f, []string{"snapshots/sample/files/etc/jail.conf", "snapshots/sample/files/etc/jail.conf.d/dns.conf", "snapshots/sample/files/etc/jail.conf.d/www.conf"},
		`a { b = "c\"d"; e += 'f'; g; allow.nox; } * { h = "$name ${i}"; } .include "x";`,
		"/* unterminated", `"unterminated`, "a { b { c; } }", "x = ;;;{}}}", "$v = 1; j { path = $v; }")
	include := func(pattern string) []ConfFile {
		return []ConfFile{{Name: pattern, Data: []byte(`.include "again"; inc { p = 1; }`)}}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, j := range ParseJailConf("/etc/jail.conf", data, include) {
			if j.Params["name"] != j.Name {
				t.Fatalf("name %q vs %q", j.Name, j.Params["name"])
			}
		}
	})
}

func FuzzIfconfig(f *testing.F) {
	seed(f, []string{"snapshots/sample/commands/ifconfig.txt"},
		"x: flags=1<UP\n\tinet 1.2.3.4/99\n\tinet6 ::1 prefixlen 999\n\tinet 1.1.1.1 netmask 0x\n",
		"\tinet 1.2.3.4\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, ifc := range ParseIfconfig(data) {
			for _, p := range ifc.Prefixes {
				if !p.IsValid() {
					t.Fatalf("invalid prefix on %s", ifc.Name)
				}
			}
		}
	})
}

func FuzzPasswd(f *testing.F) {
	seed(f, []string{"snapshots/sample/files/etc/passwd"}, "a:b:-1:0:::\n::::::\n+x:::::::\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, a := range ParsePasswd(data) {
			if a.Name == "" || a.UID < 0 {
				t.Fatalf("%+v", a)
			}
		}
	})
}

// FuzzHostOutputs covers the small parsers: freebsd-version, kldstat and
// df.
func FuzzHostOutputs(f *testing.F) {
	seed(f, []string{"snapshots/sample/commands/kldstat.txt", "snapshots/sample/commands/df.txt", "snapshots/sample/commands/freebsd-version.txt"},
		"1 2 3 4 5%\n", "14.x-RELEASE", "9999999999999999999999.1-RELEASE")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, _ = ParseRelease(data)
		_ = ParseKldstat(data)
		if kb := ParseDf(data); kb < -1 {
			t.Fatalf("df %d", kb)
		}
	})
}

func FuzzIDs(f *testing.F) {
	seed(f, []string{"snapshots/sample/files/etc/passwd"},
		"wheel:*:0:root\n# c\n:x:1:\nbad\n+:::\nwheel:*:2:\n", " a:b:3 \n")
	f.Fuzz(func(t *testing.T, data []byte) {
		ids := IDs(data)
		for name, id := range ids {
			if name == "" || id < 0 || strings.ContainsAny(name, ":\n") {
				t.Fatalf("bad entry %q=%d", name, id)
			}
		}
		// Every account passwd reads has an id (perhaps of an earlier
		// entry of the same name).
		for _, a := range ParsePasswd(data) {
			if _, ok := ids[a.Name]; !ok {
				t.Fatalf("%s missing from IDs", a.Name)
			}
		}
	})
}

func FuzzValidInterfaceName(f *testing.F) {
	re := regexp.MustCompile(`^[a-z][a-z0-9_.]{0,14}$`)
	for _, s := range []string{"em0", "vlan0.100", "abcdefghijklmnop", "", "é", "a\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidInterfaceName(s), re.MatchString(s); got != want {
			t.Fatalf("ValidInterfaceName(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}

func FuzzBroadcast(f *testing.F) {
	f.Add([]byte{192, 168, 1, 10}, 24)
	f.Add(make([]byte, 16), 64)
	f.Fuzz(func(t *testing.T, b []byte, bits int) {
		a, ok := netip.AddrFromSlice(b)
		if !ok {
			return
		}
		p := netip.PrefixFrom(a, bits)
		last := Broadcast(p)
		if !p.IsValid() {
			if last.IsValid() {
				t.Fatalf("Broadcast(invalid %v) = %s", p, last)
			}
			return
		}
		if !p.Masked().Contains(last) {
			t.Fatalf("Broadcast(%s) = %s, outside the prefix", p, last)
		}
		if n := last.Next(); n.IsValid() && p.Masked().Contains(n) {
			t.Fatalf("Broadcast(%s) = %s, not the last address", p, last)
		}
	})
}
