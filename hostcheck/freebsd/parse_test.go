package freebsd

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// testdataPath resolves the name of a test file. The FreeBSD output
// samples are in this package's testdata; names under snapshots/ are the
// snapshots hostcheck audits in its tests (built from the same samples),
// whose command outputs and files these parsers read too rather than
// keeping a second copy.
func testdataPath(name string) string {
	if strings.HasPrefix(name, "snapshots/") {
		return filepath.Join("..", "testdata", name)
	}
	return filepath.Join("testdata", name)
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(testdataPath(name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// row is a compact expectation for one parsed socket.
type row struct {
	user, cmd   string
	pid, fd     int
	proto       string
	local, frgn string
	path, state string
}

func rowOf(s Socket) row {
	r := row{user: s.User, cmd: s.Command, pid: s.PID, fd: s.FD, proto: s.Proto, path: s.Path, state: s.State}
	if !s.Unix() {
		r.local, r.frgn = s.Local.String(), s.Foreign.String()
	}
	return r
}

func TestParseSockstat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []row
		skipped int
	}{
		{"14 sample", string(readTestdata(t, "sockstat-14.txt")), []row{
			{"root", "sshd", 1021, 4, "tcp6", "*:22", "*:*", "", ""},
			{"root", "sshd", 1021, 5, "tcp4", "*:22", "*:*", "", ""},
			{"root", "sendmail", 950, 4, "tcp4", "127.0.0.1:25", "*:*", "", ""},
			{"root", "syslogd", 702, 6, "udp6", "*:514", "*:*", "", ""},
			{"root", "syslogd", 702, 7, "udp4", "*:514", "*:*", "", ""},
			{"ntpd", "ntpd", 880, 20, "udp6", "fe80::1%lo0:123", "*:*", "", ""},
			{"ntpd", "ntpd", 880, 21, "udp4", "192.168.1.10:123", "*:*", "", ""},
			{"root", "rpcbind", 650, 8, "udp46", "*:111", "*:*", "", ""},
			{"root", "rpcbind", 650, 10, "tcp46", "*:111", "*:*", "", ""},
		}, 0},
		{"13 sample", string(readTestdata(t, "sockstat-13.txt")), []row{
			{"root", "sshd", 1021, 5, "tcp4", "*:22", "*:*", "", ""},
			{"root", "sendmail", 950, 4, "tcp4", "127.0.0.1:25", "*:*", "", ""},
			{"root", "syslogd", 702, 7, "udp4", "*:514", "*:*", "", ""},
			{"root", "inetd", 733, 5, "tcp4", "*:21", "*:*", "", ""},
		}, 0},
		{"14 -s sample", string(readTestdata(t, "sockstat-14-s.txt")), []row{
			{"root", "sendmail", 950, 4, "tcp4", "127.0.0.1:25", "*:*", "", "LISTEN"},
			{"root", "sshd", 1021, 5, "tcp4", "192.168.1.10:22", "*:*", "", "LISTEN"},
		}, 0},
		{"long user name shifts the columns",
			"USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS\n" +
				"postgresql postgres    1500 5   tcp4   192.168.1.5:5432      *:*\n" +
				"_dhcpserver dhcpd      77 7   udp4   *:67                  *:*\n",
			[]row{
				{"postgresql", "postgres", 1500, 5, "tcp4", "192.168.1.5:5432", "*:*", "", ""},
				{"_dhcpserver", "dhcpd", 77, 7, "udp4", "*:67", "*:*", "", ""},
			}, 0},
		{"4-digit FD glued to the protocol",
			"root     nginx      12345 1024tcp4   *:80                  *:*\n" +
				"www      httpd      99999 10240tcp46 *:443                 *:*\n",
			[]row{
				{"root", "nginx", 12345, 1024, "tcp4", "*:80", "*:*", "", ""},
				{"www", "httpd", 99999, 10240, "tcp46", "*:443", "*:*", "", ""},
			}, 0},
		{"IPv6 with scope ids and full addresses",
			"ntpd     ntpd         880 20  udp6   fe80::a00:27ff:fe4e:1%em0:123 *:*\n" +
				"root     sshd        1021 4   tcp6   2001:db8::10:22       2001:db8::99:51234\n" +
				"root     named        700 9   udp6   ::1:53                *:*\n",
			[]row{
				{"ntpd", "ntpd", 880, 20, "udp6", "fe80::a00:27ff:fe4e:1%em0:123", "*:*", "", ""},
				{"root", "sshd", 1021, 4, "tcp6", "2001:db8::10:22", "2001:db8::99:51234", "", ""},
				{"root", "named", 700, 9, "udp6", "::1:53", "*:*", "", ""},
			}, 0},
		{"unowned rows on 13/14 (?) and 15 (??)",
			"?        ?          ?     ?  tcp4   *:6000                *:*\n" +
				"??       ??            ?? ?? udp4   *:4500                *:*\n",
			[]row{
				{"", "", -1, -1, "tcp4", "*:6000", "*:*", "", ""},
				{"", "", -1, -1, "udp4", "*:4500", "*:*", "", ""},
			}, 0},
		{"unix sockets",
			"root     syslogd      702 4   dgram  /var/run/log\n" +
				"root     devd         500 4   stream /var/run/devd.pipe\n" +
				"root     cron         800 5   dgram  -> /var/run/logpriv\n" +
				"root     sessiond     900 3   seqpac /var/run/my socket\n" +
				"root     foo          901 3   stream (not connected)\n",
			[]row{
				{"root", "syslogd", 702, 4, "dgram", "", "", "/var/run/log", ""},
				{"root", "devd", 500, 4, "stream", "", "", "/var/run/devd.pipe", ""},
				{"root", "cron", 800, 5, "dgram", "", "", "", ""},
				{"root", "sessiond", 900, 3, "seqpac", "", "", "/var/run/my socket", ""},
				{"root", "foo", 901, 3, "stream", "", "", "", ""},
			}, 0},
		{"command with a blank and a command named like a protocol",
			"root     my daemon    42 3   tcp4   *:7000                *:*\n" +
				"root     tcp4          43 3   udp4   *:7001                *:*\n",
			[]row{
				{"root", "my daemon", 42, 3, "tcp4", "*:7000", "*:*", "", ""},
				{"root", "tcp4", 43, 3, "udp4", "*:7001", "*:*", "", ""},
			}, 0},
		{"15 auto-sized columns and sctp continuation lines",
			"USER COMMAND  PID FD PROTO LOCAL ADDRESS     FOREIGN ADDRESS\n" +
				"root sshd    1021  4 tcp4  *:22              *:*\n" +
				"root sctpd    600  5 sctp4 192.0.2.1:9899    *:*\n" +
				"??   ??        ?? ??       192.0.2.2:9899    \n" +
				"                                 192.0.2.3:9899\n",
			[]row{
				{"root", "sshd", 1021, 4, "tcp4", "*:22", "*:*", "", ""},
				{"root", "sctpd", 600, 5, "sctp4", "192.0.2.1:9899", "*:*", "", ""},
			}, 0},
		{"garbage lines are counted, not fatal",
			"hello world\nroot sshd x 4 tcp4 *:22 *:*\nroot sshd 1 2 tcp4 nonsense *:*\n",
			nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			socks, skipped := ParseSockstat([]byte(tt.in))
			var got []row
			for _, s := range socks {
				got = append(got, rowOf(s))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tt.want)
			}
			if skipped != tt.skipped {
				t.Errorf("skipped = %d, want %d", skipped, tt.skipped)
			}
		})
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in       string
		ok       bool
		wildcard bool
		addr     string
		port     int
	}{
		{"*:22", true, true, "", 22},
		{"*:*", true, true, "", 0},
		{"127.0.0.1:25", true, false, "127.0.0.1", 25},
		{"::1:123", true, false, "::1", 123},
		{"fe80::1%lo0:123", true, false, "fe80::1%lo0", 123},
		{"[2001:db8::1]:53", true, false, "2001:db8::1", 53},
		{"::ffff:192.0.2.1:80", true, false, "192.0.2.1", 80},
		{":::22", true, true, "", 22},
		{"0.0.0.0:22", true, true, "", 22},
		{"host:22", false, false, "", 0},
		{"1.2.3.4:99999", false, false, "", 0},
		{"1.2.3.4", false, false, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, ok := ParseEndpoint(tt.in)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if e.Wildcard != tt.wildcard || e.Port != tt.port {
				t.Errorf("got %+v", e)
			}
			if tt.addr != "" && e.Addr.String() != tt.addr {
				t.Errorf("addr = %s, want %s", e.Addr, tt.addr)
			}
		})
	}
}

func TestParseSockstatJSON(t *testing.T) {
	in := `{"__version": "1", "sockstat": {"socket": [
	{"user": "root", "command": "sshd", "pid": 1021, "fd": 4, "proto": "tcp6", "local": {"address": "*", "port": 22}, "foreign": {"address": "*", "port": 0}, "conn-state": "LISTEN"},
	{"user": "root", "command": "sendmail", "pid": "950", "fd": "4", "proto": "tcp4 ", "local": {"address": "127.0.0.1", "port": 25}, "foreign": {"address": "*", "port": 0}},
	{"user": 1001, "command": "app", "pid": 77, "fd": 1024, "proto": "udp46", "local": {"address": "fe80::1%lo0", "port": 5353}, "foreign": {"address": "*", "port": 0}},
	{"proto": "tcp4", "local": {"address": "*", "port": 6000}, "foreign": {"address": "*", "port": 0}},
	{"user": "root", "command": "syslogd", "pid": 702, "fd": 4, "proto": "dgram", "local": {"path": "/var/run/log"}},
	{"user": "root", "command": "x", "pid": 1, "fd": 1, "proto": "bogus"}
	]}}`
	socks, err := ParseSockstatJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []row
	for _, s := range socks {
		got = append(got, rowOf(s))
	}
	want := []row{
		{"root", "sshd", 1021, 4, "tcp6", "*:22", "*:*", "", "LISTEN"},
		{"root", "sendmail", 950, 4, "tcp4", "127.0.0.1:25", "*:*", "", ""},
		{"1001", "app", 77, 1024, "udp46", "fe80::1%lo0:5353", "*:*", "", ""},
		{"", "", -1, -1, "tcp4", "*:6000", "*:*", "", ""},
		{"root", "syslogd", 702, 4, "dgram", "", "", "/var/run/log", ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	if _, err := ParseSockstatJSON([]byte("USER COMMAND")); err == nil {
		t.Error("text accepted as JSON")
	}
}

func TestParseJls(t *testing.T) {
	t.Run("json sample", func(t *testing.T) {
		js, err := ParseJlsJSON(readTestdata(t, "jls.json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(js) != 2 {
			t.Fatalf("got %d jails", len(js))
		}
		www := js[1]
		if www.Name != "www" || www.JID != 2 || www.Hostname != "www.home.lan" || www.Path != "/usr/local/jails/containers/www" {
			t.Errorf("www = %+v", www)
		}
		if !reflect.DeepEqual(www.IP4, []netip.Addr{netip.MustParseAddr("192.168.1.80")}) || len(www.IP6) != 0 {
			t.Errorf("addresses %v %v", www.IP4, www.IP6)
		}
		for k, v := range map[string]string{"allow.raw_sockets": "true", "enforce_statfs": "1", "securelevel": "-1", "vnet": "inherit", "allow.chflags": "false"} {
			if www.Params[k] != v {
				t.Errorf("%s = %q, want %q", k, www.Params[k], v)
			}
		}
		if !www.Running() || www.VNet() {
			t.Error("running/vnet wrong")
		}
	})
	// jls -n as jls.c and libxo emit it: numbers as strings, address
	// lists as arrays, booleans as booleans (see testdata/README.md).
	t.Run("json -n as jls.c emits it", func(t *testing.T) {
		js, err := ParseJlsJSON(readTestdata(t, "jls-n.json"))
		if err != nil || len(js) != 2 {
			t.Fatal(err, js)
		}
		dns, dhcp := js[0], js[1]
		wantIP4 := []netip.Addr{netip.MustParseAddr("192.168.1.53"), netip.MustParseAddr("192.168.1.54")}
		if dns.JID != 1 || !reflect.DeepEqual(dns.IP4, wantIP4) || len(dns.IP6) != 1 || dns.Params["allow.set_hostname"] != "false" {
			t.Errorf("dns = %+v", dns)
		}
		if dhcp.JID != 2 || len(dhcp.IP4) != 0 || !dhcp.VNet() || dhcp.Params["securelevel"] != "-1" || dhcp.Params["allow.raw_sockets"] != "true" {
			t.Errorf("dhcp = %+v", dhcp)
		}
	})
	t.Run("json with several addresses and vnet", func(t *testing.T) {
		js, err := ParseJlsJSON([]byte(`{"jail-information": {"jail": [{"jid": 7, "name": "r", "ip4.addr": ["10.0.0.1", "10.0.0.2"], "ip6.addr": ["2001:db8::1"], "vnet": "new", "sysvshm": "new"}]}}`))
		if err != nil || len(js) != 1 {
			t.Fatal(err, js)
		}
		if len(js[0].IP4) != 2 || len(js[0].IP6) != 1 || !js[0].VNet() || js[0].Params["sysvshm"] != "new" {
			t.Errorf("%+v", js[0])
		}
	})
	t.Run("plain sample and a VNET row without address", func(t *testing.T) {
		in := string(readTestdata(t, "jls.txt")) + "     3                  vnet1.home.lan                /usr/local/jails/containers/vnet1\n"
		js := ParseJls([]byte(in))
		if len(js) != 3 {
			t.Fatalf("got %d: %+v", len(js), js)
		}
		if js[0].Name != "dns" || js[0].IP4[0].String() != "192.168.1.53" || js[0].Hostname != "dns.home.lan" {
			t.Errorf("%+v", js[0])
		}
		if js[2].JID != 3 || len(js[2].IP4) != 0 || js[2].Hostname != "vnet1.home.lan" || js[2].Name != "vnet1" {
			t.Errorf("%+v", js[2])
		}
	})
	t.Run("jls -n text", func(t *testing.T) {
		in := `devfs_ruleset=4 nodying enforce_statfs=2 host=new ip4=new jid=5 name=web path=/j/web ip4.addr=10.0.0.5,10.0.0.6 host.hostname="my host" allow.noraw_sockets allow.sysvipc persist`
		js := ParseJlsParams([]byte(in))
		if len(js) != 1 {
			t.Fatal(js)
		}
		j := js[0]
		if j.Name != "web" || j.JID != 5 || j.Hostname != "my host" || len(j.IP4) != 2 {
			t.Errorf("%+v", j)
		}
		for k, v := range map[string]string{"allow.raw_sockets": "false", "allow.sysvipc": "true", "dying": "false", "persist": "true"} {
			if j.Params[k] != v {
				t.Errorf("%s = %q, want %q", k, j.Params[k], v)
			}
		}
	})
	t.Run("bad json", func(t *testing.T) {
		if _, err := ParseJlsJSON([]byte("{")); err == nil {
			t.Error("no error")
		}
	})
}

func TestParseSysctl(t *testing.T) {
	m := ParseSysctl(append(readTestdata(t, "sysctl.txt"), []byte("kern.hostname: a: b\nnot a sysctl line\nvm.x=3\n")...))
	for k, v := range map[string]string{"security.bsd.see_other_uids": "1", "kern.randompid": "0", "kern.securelevel": "-1", "kern.hostname": "a: b", "vm.x": "3"} {
		if m[k] != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}
	if len(m) != 17 {
		t.Errorf("got %d entries", len(m))
	}
}

func TestRCConf(t *testing.T) {
	rc := NewRCConf()
	rc.Parse("/etc/defaults/rc.conf", []byte(`
sendmail_enable="NO"	# comment with a quote: don't
sendmail_submit_enable="YES"
syslogd_flags="-s"
if [ -z "${source_rc_confs_defined}" ]; then
	source_rc_confs_defined=yes
fi
`))
	rc.Parse("/etc/rc.conf", []byte(`# the host's settings
hostname='host.home.lan'
sshd_enable=YES sshd_flags="-o 'X=1'"
syslogd_flags="${syslogd_flags} -b 192.0.2.1"
ifconfig_em0="inet 192.0.2.1 \
netmask 255.255.255.0"
multi="line one
line two"
escaped="a \"quoted\" \$HOME"
sendmail_enable=NONE;clear_tmp_enable=YES
bad name="x"
`))
	rc.Parse("/etc/rc.conf.local", []byte("sshd_enable=\"NO\"\n"))
	rc.Parse("/etc/rc.conf.d/sshd", []byte("sshd_enable=YES\n"))
	tests := map[string]string{
		"hostname":               "host.home.lan",
		"sshd_flags":             "-o 'X=1'",
		"syslogd_flags":          "-s -b 192.0.2.1",
		"ifconfig_em0":           "inet 192.0.2.1 netmask 255.255.255.0",
		"multi":                  "line one\nline two",
		"escaped":                `a "quoted" $HOME`,
		"sendmail_enable":        "NONE",
		"sendmail_submit_enable": "YES",
		"clear_tmp_enable":       "YES",
		"sshd_enable":            "YES",
		// Assignments inside an if block count as if the test held,
		// which is what sourcing /etc/defaults/rc.conf does here.
		"source_rc_confs_defined": "yes",
	}
	for k, v := range tests {
		t.Run(k, func(t *testing.T) {
			if got := rc.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		})
	}
	if v, _ := rc.Lookup("sshd_enable"); v.File != "/etc/rc.conf.d/sshd" {
		t.Errorf("sshd_enable from %s, want rc.conf.d to win", v.File)
	}
	if v, _ := rc.Lookup("multi"); v.File != "/etc/rc.conf" || v.Line != 7 {
		t.Errorf("multi at %s:%d", v.File, v.Line)
	}
	if !rc.Yes("clear_tmp_enable") || rc.Yes("sendmail_enable") {
		t.Error("Yes is wrong")
	}
}

func TestDevfsRules(t *testing.T) {
	d := &DevfsRules{}
	d.Parse("/etc/defaults/devfs.rules", readTestdata(t, "devfs.rules"))
	jail := d.Find("devfsrules_jail")
	if jail == nil || jail.Number != 4 || d.Find("4") != jail {
		t.Fatalf("ruleset 4 missing: %+v", d.Sets)
	}
	rules, inc, missing := d.Expand(jail)
	if !reflect.DeepEqual(inc, []string{"devfsrules_hide_all", "devfsrules_unhide_basic", "devfsrules_unhide_login"}) || len(missing) != 0 {
		t.Errorf("included %v missing %v", inc, missing)
	}
	for name, vis := range map[string]bool{"null": true, "pts/3": true, "bpf0": false, "mem": false, "zfs": true, "ttyv0": false} {
		if Visible(rules, name) != vis {
			t.Errorf("%s visible = %v, want %v", name, !vis, vis)
		}
	}
	d.Parse("/etc/devfs.rules", []byte(`
[devfsrules_jail_dhcp=10]  # for the dhcp jail
add include $devfsrules_jail
add path 'bpf*' unhide
add path "tun*" mode 0660 group network
[loop=11]
add include $loop
add include $nosuch
[broken
[noeq]
add path x unhide
`))
	dhcp := d.Find("10")
	if dhcp == nil || dhcp.Name != "devfsrules_jail_dhcp" || dhcp.File != "/etc/devfs.rules" || dhcp.Line != 2 {
		t.Fatalf("%+v", dhcp)
	}
	rules, inc, _ = d.Expand(dhcp)
	if !slices.Contains(inc, "devfsrules_jail") || !Visible(rules, "bpf0") || Visible(rules, "mem") {
		t.Errorf("dhcp ruleset: inc %v bpf0 %v", inc, Visible(rules, "bpf0"))
	}
	if _, _, missing := d.Expand(d.Find("loop")); !reflect.DeepEqual(missing, []string{"nosuch"}) {
		t.Errorf("loop expansion missing = %v", missing)
	}
}

func TestParseJailConf(t *testing.T) {
	files := map[string]string{
		"/etc/jail.conf.d/dns.conf": `dns { ip4.addr = "em0|192.168.1.53/32"; allow.noraw_sockets; }`,
		"/etc/jail.conf.d/www.conf": `www { ip4.addr = 192.168.1.80, 192.168.1.81; allow.raw_sockets = 1; }`,
	}
	include := func(pattern string) []ConfFile {
		var out []ConfFile
		for _, n := range []string{"/etc/jail.conf.d/dns.conf", "/etc/jail.conf.d/www.conf"} {
			if ok, _ := matchPath(pattern, n); ok {
				out = append(out, ConfFile{n, []byte(files[n])})
			}
		}
		return out
	}
	main := `# global
exec.start = "/bin/sh /etc/rc";
path = "/usr/local/jails/containers/$name";
$base = "/usr/local/jails";
mount.devfs;
/* block
   comment */
// line comment
* { enforce_statfs = 2; }
dns {
	host.hostname = "dns.home.lan";
	exec.start += "/usr/local/bin/extra";
	children.max = 0;
	path = "${base}/dns";
}
"quoted name" { host.hostname = 'x y'; securelevel = 3; }
.include "/etc/jail.conf.d/*.conf";
`
	js := ParseJailConf("/etc/jail.conf", []byte(main), include)
	if got := jailConfNames(js); !reflect.DeepEqual(got, []string{"dns", "quoted name", "www"}) {
		t.Fatalf("jails %v", got)
	}
	by := map[string]Jail{}
	for _, j := range js {
		by[j.Name] = j
	}
	dns := by["dns"]
	for k, v := range map[string]string{
		"exec.start":        "/bin/sh /etc/rc,/usr/local/bin/extra",
		"mount.devfs":       "true",
		"enforce_statfs":    "2",
		"allow.raw_sockets": "false",
		"path":              "/usr/local/jails/dns",
		"host.hostname":     "dns.home.lan",
	} {
		if dns.Params[k] != v {
			t.Errorf("dns %s = %q, want %q", k, dns.Params[k], v)
		}
	}
	if dns.Source != "/etc/jail.conf" || len(dns.IP4) != 1 || dns.IP4[0].String() != "192.168.1.53" || dns.Path != "/usr/local/jails/dns" {
		t.Errorf("dns %+v", dns)
	}
	www := by["www"]
	if www.Source != "/etc/jail.conf.d/www.conf" || len(www.IP4) != 2 || www.Params["allow.raw_sockets"] != "1" || www.Path != "/usr/local/jails/containers/www" {
		t.Errorf("www %+v", www)
	}
	if q := by["quoted name"]; q.Hostname != "x y" || q.Params["securelevel"] != "3" {
		t.Errorf("quoted %+v", q)
	}
	// Includes that include themselves stop.
	loop := func(string) []ConfFile { return []ConfFile{{"/etc/jail.conf", []byte(`.include "x"; a { }`)}} }
	if got := ParseJailConf("/etc/jail.conf", []byte(`.include "x";`), loop); len(got) != 1 {
		t.Errorf("loop gave %d jails", len(got))
	}
}

func matchPath(pattern, name string) (bool, error) {
	if !strings.ContainsAny(pattern, "*?[") {
		return pattern == name, nil
	}
	dir := pattern[:strings.LastIndexByte(pattern, '/')+1]
	return strings.HasPrefix(name, dir) && strings.HasSuffix(name, strings.TrimPrefix(pattern[len(dir):], "*")), nil
}

func TestParseIfconfig(t *testing.T) {
	ifs := ParseIfconfig(readTestdata(t, "snapshots/sample/commands/ifconfig.txt"))
	if len(ifs) != 2 || ifs[0].Name != "em0" || ifs[1].Name != "lo0" || !ifs[1].Loopback || ifs[0].Loopback || !ifs[0].Up {
		t.Fatalf("%+v", ifs)
	}
	var got []string
	for _, p := range ifs[0].Prefixes {
		got = append(got, p.String())
	}
	want := []string{"192.168.1.10/24", "192.168.1.53/32", "192.168.1.80/32", "fe80::a00:27ff:fe4e:1/64"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("em0 %v", got)
	}
	cidr := ParseIfconfig([]byte("vtnet0: flags=8863<UP> mtu 1500\n\tinet 10.1.2.3/16 broadcast 10.1.255.255\n\tinet 10.9.9.9 netmask 255.255.255.0\n\tinet 10.8.8.8 netmask 0xff00ff00\n"))
	if len(cidr) != 1 || len(cidr[0].Prefixes) != 3 || cidr[0].Prefixes[0].Bits() != 16 || cidr[0].Prefixes[1].Bits() != 24 || cidr[0].Prefixes[2].Bits() != 32 {
		t.Errorf("%+v", cidr)
	}
}

func TestParsePasswdAndMisc(t *testing.T) {
	acc := ParsePasswd(readTestdata(t, "snapshots/sample/files/etc/passwd"))
	if len(acc) != 6 || acc[5].Name != "alice" || acc[5].UID != 1001 || acc[5].SystemAccount() || !acc[4].SystemAccount() {
		t.Errorf("%+v", acc)
	}
	if got := ParsePasswd([]byte("+:::::::\nbad\nx:*:notnum:0::/:/bin/sh\nok:*:5:5::/:/bin/sh\n")); len(got) != 1 || got[0].Name != "ok" {
		t.Errorf("%+v", got)
	}
	for in, want := range map[string][3]any{
		"14.3-RELEASE-p2\n":  {"14.3-RELEASE-p2", 14, 3},
		"15.0-CURRENT":       {"15.0-CURRENT", 15, 0},
		"13.2-RELEASE\n14.1": {"13.2-RELEASE", 13, 2},
		"garbage":            {"garbage", 0, 0},
	} {
		r, ma, mi := ParseRelease([]byte(in))
		if r != want[0] || ma != want[1] || mi != want[2] {
			t.Errorf("%q: %s %d %d", in, r, ma, mi)
		}
	}
	if mods := ParseKldstat(readTestdata(t, "snapshots/sample/commands/kldstat.txt")); !reflect.DeepEqual(mods, []string{"kernel", "cryptodev", "zfs"}) {
		t.Errorf("%v", mods)
	}
	if kb := ParseDf(readTestdata(t, "snapshots/sample/commands/df.txt")); kb != 38800000 {
		t.Errorf("df %d", kb)
	}
	wrapped := "Filesystem 1024-blocks Used Avail Capacity Mounted on\n/dev/a/very/long/device/name\n 100 50 50 50% /usr/local\n"
	if kb := ParseDf([]byte(wrapped)); kb != 50 {
		t.Errorf("wrapped df %d", kb)
	}
	if kb := ParseDf([]byte("nothing")); kb != -1 {
		t.Errorf("bad df %d", kb)
	}
}

// jailConfNames lists jail names in a stable order, for messages.
func jailConfNames(js []Jail) []string {
	out := make([]string, 0, len(js))
	for _, j := range js {
		out = append(out, j.Name)
	}
	sort.Strings(out)
	return out
}
