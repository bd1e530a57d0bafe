//go:build linux

package recipes_test

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
)

// namedConf is where the dns recipe puts BIND's config inside the jail.
const namedConf = "/usr/local/etc/namedb/named.conf"

// zoneRE finds the zone statements of a rendered named.conf: name, type
// and file, with any lines (primaries) between type and file.
var zoneRE = regexp.MustCompile(`(?m)^zone "([^"]+)" \{\n\ttype (primary|secondary);\n(?:\t[^\n]*\n)*?\tfile "([^"]+)";`)

// dnsZone is one zone statement of a rendered named.conf.
type dnsZone struct{ name, typ, file string }

// zonesOf lists the zone statements of a rendered named.conf.
func zonesOf(t *testing.T, root string) []dnsZone {
	t.Helper()
	conf, err := os.ReadFile(filepath.Join(root, namedConf))
	if err != nil {
		t.Fatal(err)
	}
	var zones []dnsZone
	for _, m := range zoneRE.FindAllStringSubmatch(string(conf), -1) {
		zones = append(zones, dnsZone{m[1], m[2], m[3]})
	}
	if n := strings.Count(string(conf), "\nzone \""); len(zones) == 0 || len(zones) != n {
		t.Fatalf("read %d of %d zone statements in %s:\n%s", len(zones), n, namedConf, conf)
	}
	return zones
}

// TestDNSConformanceCheck runs BIND's own checkers on every dns case:
// named-checkconf loads named.conf and every zone in the jail tree (-t
// makes the paths jail paths), and named-checkzone checks each primary
// zone file on its own. Every zone file the recipe rendered must be named
// by a zone statement, so none goes unchecked.
func TestDNSConformanceCheck(t *testing.T) {
	// Its own namespace and temporary trees: safe beside other tests.
	t.Parallel()
	requireTool(t, "named-checkconf", "named-checkzone")
	for _, file := range casesOf(t, "dns") {
		name := strings.TrimSuffix(filepath.Base(file), ".args")
		t.Run(name, func(t *testing.T) {
			root, files := renderTo(t, "dns", file)
			mustRun(t, time.Minute, "named-checkconf", "-t", root, "-z", namedConf)
			checked := map[string]bool{}
			for _, z := range zonesOf(t, root) {
				if z.typ != "primary" {
					continue
				}
				mustRun(t, time.Minute, "named-checkzone", "-k", "fail", "-n", "fail", z.name, filepath.Join(root, z.file))
				checked[z.file] = true
			}
			for _, f := range files {
				if !f.Dir && strings.HasSuffix(f.Path, ".db") && !checked[f.Path] {
					t.Errorf("zone file %s is rendered but no primary zone loads it", f.Path)
				}
			}
		})
	}
}

// TestDNSConformanceRejectsBroken proves the checkers above can fail: a
// config or zone that BIND refuses must make them exit non-zero.
func TestDNSConformanceRejectsBroken(t *testing.T) {
	t.Parallel()
	requireTool(t, "named-checkconf", "named-checkzone")
	tests := []struct {
		name string
		path string // file inside the jail to break
		edit func(string) string
		zone bool // check with named-checkzone instead of named-checkconf
	}{
		{"unknown option", namedConf, func(s string) string {
			return strings.Replace(s, "\tversion\tnone;", "\tversoin\tnone;", 1)
		}, false},
		{"unbalanced brace", namedConf, func(s string) string {
			return strings.Replace(s, "};\n", "\n", 1)
		}, false},
		{"zone file missing", namedConf, func(s string) string {
			return strings.Replace(s, "primary/forward.db", "primary/nosuch.db", 1)
		}, false},
		{"bad address in zone", "/usr/local/etc/namedb/primary/forward.db", func(s string) string {
			return s + "bad\tIN\tA\t300.1.1.1\n"
		}, true},
		{"CNAME beside other data", "/usr/local/etc/namedb/primary/forward.db", func(s string) string {
			return s + "dup\tIN\tA\t192.0.2.1\ndup\tIN\tCNAME\tdns\n"
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, _ := renderTo(t, "dns", "testdata/values/dns.args")
			p := filepath.Join(root, tc.path)
			breakFile(t, p, tc.edit)
			var out string
			var err error
			if tc.zone {
				out, err = run(t, time.Minute, "named-checkzone", "-k", "fail", "-n", "fail", "home.lan", p)
			} else {
				out, err = run(t, time.Minute, "named-checkconf", "-t", root, "-z", namedConf)
			}
			if err == nil {
				t.Fatalf("the checker accepted a broken %s:\n%s", tc.path, out)
			}
			t.Logf("rejected as expected: %s", strings.TrimSpace(out))
		})
	}
}

// digResult is what the test needs from dig's output.
type digResult struct {
	status  string   // NOERROR, NXDOMAIN, REFUSED...
	flags   []string // qr, aa, rd...
	answers []string // "name TYPE data", TTL and class dropped
}

var (
	digStatusRE = regexp.MustCompile(`status: ([A-Z]+)`)
	digFlagsRE  = regexp.MustCompile(`;; flags: ([a-z ]+);`)
)

func parseDig(out string) digResult {
	var r digResult
	if m := digStatusRE.FindStringSubmatch(out); m != nil {
		r.status = m[1]
	}
	if m := digFlagsRE.FindStringSubmatch(out); m != nil {
		r.flags = strings.Fields(m[1])
	}
	inAnswer := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, ";; ANSWER SECTION:"):
			inAnswer = true
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, ";"):
			inAnswer = false
		case inAnswer:
			f := strings.Fields(line)
			if len(f) >= 5 {
				r.answers = append(r.answers, strings.Join(append([]string{f[0], f[3]}, f[4:]...), " "))
			}
		}
	}
	return r
}

// dig queries server inside ns without recursion. A server that should
// answer gets three tries of three seconds, so a loaded CI machine does
// not fail the test; one that must not answer gets a single one-second
// try (a closed port answers at once with ICMP, so this costs nothing
// when the test passes).
func dig(t *testing.T, ns *namespace, patient bool, server, name, typ string) (digResult, string, error) {
	t.Helper()
	tries := []string{"+time=1", "+tries=1"}
	if patient {
		tries = []string{"+time=3", "+tries=3"}
	}
	argv := append([]string{"dig", "+norec"}, tries...)
	out, err := ns.run(t, 30*time.Second, append(argv, "@"+server, name, typ)...)
	return parseDig(out), out, err
}

// requireAuthAnswer queries server and requires an authoritative NOERROR
// answer that contains want ("dns.home.lan. A 127.0.0.53").
func requireAuthAnswer(t *testing.T, ns *namespace, server, name, typ, want string) {
	t.Helper()
	r, out, err := dig(t, ns, true, server, name, typ)
	if err != nil {
		t.Fatalf("dig @%s %s %s: %v\n%s", server, name, typ, err, out)
	}
	if r.status != "NOERROR" || !slices.Contains(r.flags, "aa") || !slices.Contains(r.answers, want) {
		t.Fatalf("dig @%s %s %s: want an authoritative answer %q, got status %s flags %v answers %q\n%s",
			server, name, typ, want, r.status, r.flags, r.answers, out)
	}
}

// requireNoAnswer requires that server gives no DNS answer at all.
func requireNoAnswer(t *testing.T, ns *namespace, server, name, typ string) {
	t.Helper()
	r, out, err := dig(t, ns, false, server, name, typ)
	if err == nil || r.status != "" {
		t.Fatalf("dig @%s %s %s answered (status %q); nothing may listen there:\n%s", server, name, typ, r.status, out)
	}
}

// serveDNS renders the dns recipe for the jail address ip (or a comma
// list of addresses) with the
// --set values of an args file, prepares the tree for BIND's bind user,
// and starts named chrooted into it (-t, as rc.d/named does on FreeBSD)
// inside ns. It returns once every zone is loaded.
func serveDNS(t *testing.T, ns *namespace, argsFile, ip string, sets ...string) (*daemon, string) {
	t.Helper()
	spec := specFromArgs(t, argsFile)
	spec.IPs = []string{ip}
	spec.Sets = append(spec.Sets, sets...)
	root, files := renderTo(t, "dns", spec)
	chownTree(t, root, files, nil)
	// named writes its pid file before dropping to bind's uid... but after
	// chroot, so the directory must exist inside the tree.
	mkdirOwned(t, filepath.Join(root, "var/run/named"), 0o755, "bind")
	d := ns.start(t, "named", "-g", "-u", "bind", "-t", root, "-c", namedConf)
	d.waitLog(t, "all zones loaded", 30*time.Second)
	first, _, _ := strings.Cut(ip, ",")
	ns.waitListen(t, d, "tcp", netip.AddrPortFrom(netip.MustParseAddr(first), 53).String(), 10*time.Second)
	return d, root
}

// TestDNSConformanceServe starts named on the rendered config in a
// private network namespace whose loopback holds the jail address
// 127.0.0.53, and proves it answers authoritatively there, answers
// nothing on 127.0.0.1 in the same namespace, and that the kernel shows
// its sockets on the jail address only.
func TestDNSConformanceServe(t *testing.T) {
	t.Parallel()
	requireTool(t, "named", "dig")
	const ip = "127.0.0.53"
	ns := newNamespace(t)
	ns.addAddr(t, "lo", ip+"/8")
	serveDNS(t, ns, "testdata/values/dns.args", ip)

	requireAuthAnswer(t, ns, ip, "dns.home.lan", "A", "dns.home.lan. A "+ip)
	requireAuthAnswer(t, ns, ip, "home.lan", "NS", "home.lan. NS dns.home.lan.")
	requireAuthAnswer(t, ns, ip, "53.0.0.127.in-addr.arpa", "PTR", "53.0.0.127.in-addr.arpa. PTR dns.home.lan.")
	requireNoAnswer(t, ns, "127.0.0.1", "dns.home.lan", "A")
	for _, proto := range []string{"tcp", "udp"} {
		ns.requireOnlyOn(t, proto, 53, ip)
	}
	// rndc's control channel: on the jail address too, never 127.0.0.1.
	ns.requireOnlyOn(t, "tcp", 953, ip)
}

// TestDNSConformanceServeIPv6 serves the dual-stack case with the jail's
// IPv4 and IPv6 addresses on loopback and proves listen-on-v6 works the
// same way: answers over IPv6 on the jail's address (the PTR made from an
// AAAA record among them), none on ::1 or 127.0.0.1, and no socket on
// any other address of either family.
func TestDNSConformanceServeIPv6(t *testing.T) {
	t.Parallel()
	requireTool(t, "named", "dig")
	const ip4, ip6 = "127.0.0.53", "2001:db8::53"
	ns := newNamespace(t)
	ns.addAddr(t, "lo", ip4+"/8")
	// nodad: the address is usable at once instead of after duplicate
	// address detection, which could never find a duplicate here anyway.
	ns.mustRun(t, 10*time.Second, "ip", "-6", "addr", "add", ip6+"/128", "dev", "lo", "nodad")
	spec := specFromArgs(t, "testdata/values/dns-ipv6.args")
	if spec.IPs[0] != "192.0.2.53,"+ip6 {
		t.Fatalf("dns-ipv6.args changed its addresses (%q); update this test", spec.IPs)
	}
	d, _ := serveDNS(t, ns, "testdata/values/dns-ipv6.args", ip4+","+ip6)
	ns.waitListen(t, d, "tcp", "["+ip6+"]:53", 10*time.Second)

	requireAuthAnswer(t, ns, ip6, "dns.example.org", "AAAA", "dns.example.org. AAAA "+ip6)
	requireAuthAnswer(t, ns, ip6, "www.example.org", "AAAA", "www.example.org. AAAA 2001:db8::80")
	requireAuthAnswer(t, ns, ip4, "www.example.org", "A", "www.example.org. A 192.0.2.80")
	requireAuthAnswer(t, ns, ip6, "0.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "PTR",
		"0.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR www.example.org.")
	requireNoAnswer(t, ns, "::1", "dns.example.org", "AAAA")
	requireNoAnswer(t, ns, "127.0.0.1", "dns.example.org", "AAAA")
	for _, proto := range []string{"tcp", "udp"} {
		ns.requireOnlyOn(t, proto, 53, ip4, ip6)
	}
}

// TestDNSConformancePrimarySecondary serves the dns-records case as a
// primary on 127.0.0.53 and the dns-secondary case as its secondary on
// 127.0.0.54, in one namespace, and proves the whole chain: the records
// parameter becomes real answers (A, CNAME, MX, TXT, NS and the PTR made
// from an A record), the secondary transfers both zones and answers them
// authoritatively, the primary refuses a transfer to any other address,
// and neither server answers on 127.0.0.1.
func TestDNSConformancePrimarySecondary(t *testing.T) {
	t.Parallel()
	requireTool(t, "named", "dig")
	const primary, secondary = "127.0.0.53", "127.0.0.54"
	ns := newNamespace(t)
	ns.addAddr(t, "lo", primary+"/8")
	ns.addAddr(t, "lo", secondary+"/8")
	// The primary's records name 192.0.2.54 as ns2; in this namespace the
	// secondary lives on 127.0.0.54, so the address lists follow it.
	pri, priRoot := serveDNS(t, ns, "testdata/values/dns-records.args", primary, "secondaries="+secondary)
	sec, _ := serveDNS(t, ns, "testdata/values/dns-secondary.args", secondary, "primary="+primary)

	for _, want := range []struct{ name, typ, answer string }{
		{"www.home.lan", "A", "www.home.lan. A 192.0.2.80"},
		{"www.home.lan", "AAAA", "www.home.lan. AAAA 2001:db8::80"},
		{"ftp.home.lan", "CNAME", "ftp.home.lan. CNAME www.home.lan."},
		{"home.lan", "MX", "home.lan. MX 10 mail.home.lan."},
		{"home.lan", "TXT", `home.lan. TXT "v=spf1 mx -all"`},
		{"home.lan", "NS", "home.lan. NS ns2.home.lan."},
		{"53.0.0.127.in-addr.arpa", "PTR", "53.0.0.127.in-addr.arpa. PTR dns.home.lan."},
	} {
		requireAuthAnswer(t, ns, primary, want.name, want.typ, want.answer)
	}

	// notify yes with also-notify: the primary tells its secondary.
	pri.waitLog(t, "zone home.lan/IN: sending notifies", 15*time.Second)
	// The secondary loads both zones by transfer; named logs each.
	sec.waitLog(t, "transfer of 'home.lan/IN' from 127.0.0.53#53: Transfer status: success", 30*time.Second)
	sec.waitLog(t, "transfer of '0.0.127.in-addr.arpa/IN' from 127.0.0.53#53: Transfer status: success", 30*time.Second)
	requireAuthAnswer(t, ns, secondary, "www.home.lan", "A", "www.home.lan. A 192.0.2.80")
	requireAuthAnswer(t, ns, secondary, "home.lan", "MX", "home.lan. MX 10 mail.home.lan.")
	requireAuthAnswer(t, ns, secondary, "53.0.0.127.in-addr.arpa", "PTR", "53.0.0.127.in-addr.arpa. PTR dns.home.lan.")

	// allow-transfer: the secondary's address may pull the zone, any
	// other address of the same machine may not.
	out, err := ns.run(t, 15*time.Second, "dig", "+time=3", "+tries=2", "-b", secondary, "@"+primary, "home.lan", "AXFR")
	if err != nil || !strings.Contains(out, "www.home.lan.") || strings.Contains(out, "Transfer failed") {
		t.Fatalf("AXFR from the secondary's address was not served: %v\n%s", err, out)
	}
	out, _ = ns.run(t, 15*time.Second, "dig", "+time=3", "+tries=2", "-b", "127.0.0.1", "@"+primary, "home.lan", "AXFR")
	if strings.Contains(out, "www.home.lan.") || !strings.Contains(out, "Transfer failed") {
		t.Fatalf("AXFR from 127.0.0.1 was not refused:\n%s", out)
	}

	// NOTIFY end to end: a change on the primary (new serial, new record,
	// then a reload by SIGHUP as rc.d/named reload does) reaches the
	// secondary within seconds, although its refresh timer is an hour.
	zoneFile := filepath.Join(priRoot, "usr/local/etc/namedb/primary/forward.db")
	data, err := os.ReadFile(zoneFile)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(data), "2026112601\t; serial", "2026112602\t; serial", 1)
	if changed == string(data) {
		t.Fatalf("serial 2026112601 not found in %s; dns-records.args changed?", zoneFile)
	}
	if err := os.WriteFile(zoneFile, []byte(changed+"new\tIN\tA\t192.0.2.99\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := len(sec.log())
	if err := pri.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, _, _ := dig(t, ns, true, secondary, "new.home.lan", "A")
		if slices.Contains(r.answers, "new.home.lan. A 192.0.2.99") && slices.Contains(r.flags, "aa") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the secondary never served the primary's change; its log:\n%s", sec.log())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(sec.log()[before:], "notify from 127.0.0.53#") {
		t.Errorf("the secondary transferred the change without a NOTIFY from the primary; log:\n%s", sec.log())
	}

	requireNoAnswer(t, ns, "127.0.0.1", "www.home.lan", "A")
	for _, proto := range []string{"tcp", "udp"} {
		ns.requireOnlyOn(t, proto, 53, primary, secondary)
	}
	ns.requireOnlyOn(t, "tcp", 953, primary, secondary)
}

// dnsRecipe loads the built-in dns recipe once, so the fuzzer spends its
// time in the templates rather than in parsing the catalogue.
var dnsRecipe = sync.OnceValues(func() (*recipe.Recipe, error) {
	c, err := recipe.LoadCatalog()
	if err != nil {
		return nil, err
	}
	return c.Get("dns")
})

// renderDNS renders the dns recipe for 192.0.2.53 with sets.
func renderDNS(t testing.TB, sets ...string) ([]render.File, error) {
	t.Helper()
	r, err := dnsRecipe()
	if err != nil {
		t.Fatal(err)
	}
	v, err := render.NewValues(r, render.JailSpec{IPs: []string{"192.0.2.53"}, Sets: sets})
	if err != nil {
		return nil, err
	}
	return render.Render(v)
}

// TestDNSBadInput covers the checks the dns templates make on values the
// parameter types alone cannot judge: each must fail the render as bad
// input (exit status 2), with one line naming the field and the fix.
func TestDNSBadInput(t *testing.T) {
	tests := []struct {
		name string
		sets []string
		want string
	}{
		{"secondary without primary", []string{"role=secondary"}, "--set primary: a secondary needs the address of its primary"},
		{"primary on a primary", []string{"primary=192.0.2.1"}, "--set primary: only a secondary transfers"},
		{"records on a secondary", []string{"role=secondary", "primary=192.0.2.1", "records=www=A:192.0.2.80"}, "--set records: a secondary copies its zones"},
		{"no equals", []string{"records=www"}, `--set records: "www" is not NAME=TYPE:DATA`},
		{"bad A", []string{"records=www=A:300.1.1.1"}, `"300.1.1.1" is not an IPv4 address`},
		{"v6 in A", []string{"records=www=A:2001:db8::1"}, "is not an IPv4 address"},
		{"bad AAAA", []string{"records=www=AAAA:2001:db8:::1"}, "is not an IPv6 address"},
		{"AAAA with two ::", []string{"records=www=AAAA:1::2::3"}, "is not an IPv6 address"},
		{"AAAA too long", []string{"records=www=AAAA:1:2:3:4:5:6:7:8:9"}, "is not an IPv6 address"},
		{"AAAA too short", []string{"records=www=AAAA:1:2:3:4:5:6:7"}, "is not an IPv6 address"},
		{"AAAA group of 5", []string{"records=www=AAAA:2001:db8::12345"}, "is not an IPv6 address"},
		{"AAAA lone colon", []string{"records=www=AAAA::1:2"}, "is not an IPv6 address"},
		{"A leading zero", []string{"records=www=A:192.0.2.08"}, "is not an IPv4 address"},
		{"A octet 256", []string{"records=www=A:192.0.2.256"}, "is not an IPv4 address"},
		{"A three octets", []string{"records=www=A:192.0.2"}, "is not an IPv4 address"},
		{"host label too long", []string{"records=ftp=CNAME:" + strings.Repeat("a", 64) + ".example.org"}, "is not a host name"},
		{"v4 in AAAA", []string{"records=www=AAAA:192.0.2.1"}, "is not an IPv6 address"},
		{"bad name", []string{"records=w w=A:192.0.2.1"}, `name "w w" must be @ or a name inside the zone`},
		{"label too long", []string{"records=" + strings.Repeat("a", 64) + "=A:192.0.2.1"}, "must be @ or a name inside the zone"},
		{"bad CNAME target", []string{"records=ftp=CNAME:-www"}, "is not a host name"},
		{"CNAME at apex", []string{"records=@=CNAME:www"}, "the zone apex cannot be a CNAME"},
		{"CNAME on the jail's name", []string{"records=dns=CNAME:www"}, "dns already has the jail's own address records"},
		{"CNAME beside A", []string{"records=www=A:192.0.2.80,www=CNAME:web"}, "www already has A records"},
		{"A beside CNAME", []string{"records=www=CNAME:web,www=A:192.0.2.80"}, "www is a CNAME"},
		{"two CNAMEs", []string{"records=www=CNAME:a,www=CNAME:b"}, "www already is a CNAME"},
		{"MX preference too big", []string{"records=@=MX:65536:mail"}, "preference from 0 to 65535"},
		{"MX without host", []string{"records=@=MX:10"}, "MX data must be PREFERENCE:HOST"},
		{"unknown type", []string{"records=_sip._tcp=SRV:0:5:5060:sip"}, "type SRV is not supported"},
		{"TXT too long", []string{"records=@=TXT:" + strings.Repeat("x", 256)}, "1 to 255 printable ASCII characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := renderDNS(t, tc.sets...)
			if err == nil {
				t.Fatalf("rendered with %q; want an error containing %q", tc.sets, tc.want)
			}
			if !errors.Is(err, inputerr.ErrInput) {
				t.Errorf("error is not bad input (exit 2): %v", err)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error = %q; want one line containing %q", msg, tc.want)
			}
		})
	}
}

// TestDNSRecordsAccepted pins what good entries become in forward.db,
// including the address forms the parser must not refuse.
func TestDNSRecordsAccepted(t *testing.T) {
	tests := []struct{ rec, want string }{
		{"www=A:192.0.2.80", "www\tIN\tA\t192.0.2.80"},
		{"zero=A:0.0.0.0", "zero\tIN\tA\t0.0.0.0"},
		{"top=A:255.255.255.255", "top\tIN\tA\t255.255.255.255"},
		{"Www=AAAA:2001:DB8::80", "www\tIN\tAAAA\t2001:db8::80"},
		{"full=AAAA:2001:db8:0:0:0:0:0:1", "full\tIN\tAAAA\t2001:db8:0:0:0:0:0:1"},
		{"lo=AAAA:::1", "lo\tIN\tAAAA\t::1"},
		{"head=AAAA:fe80::", "head\tIN\tAAAA\tfe80::"},
		{"seven=AAAA:1:2:3:4:5:6:7::", "seven\tIN\tAAAA\t1:2:3:4:5:6:7::"},
		{"ftp=CNAME:www", "ftp\tIN\tCNAME\twww"},
		{"ext=CNAME:host.example.org.", "ext\tIN\tCNAME\thost.example.org."},
		{"@=MX:0:mail.example.org", "@\tIN\tMX\t0 mail.example.org."},
		{"@=MX:65535:mail", "@\tIN\tMX\t65535 mail"},
		{"@=NS:ns2", "@\tIN\tNS\tns2"},
		{"_dmarc=TXT:v=DMARC1; p=none", ""}, // a semicolon is refused by the string type
		{"_dmarc=TXT:v=DMARC1 p=none", "_dmarc\tIN\tTXT\t\"v=DMARC1 p=none\""},
		{"*.lab=A:192.0.2.9", "*.lab\tIN\tA\t192.0.2.9"},
		{strings.Repeat("a", 63) + "=A:192.0.2.9", strings.Repeat("a", 63) + "\tIN\tA\t192.0.2.9"},
	}
	for _, tc := range tests {
		t.Run(tc.rec, func(t *testing.T) {
			files, err := renderDNS(t, "records="+tc.rec)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("records=%q rendered; want it refused", tc.rec)
				}
				return
			}
			if err != nil {
				t.Fatalf("records=%q: %v", tc.rec, err)
			}
			for _, f := range files {
				if f.Path == "/usr/local/etc/namedb/primary/forward.db" {
					if !strings.Contains(string(f.Content), "\n"+tc.want+"\n") {
						t.Fatalf("forward.db lacks %q:\n%s", tc.want, f.Content)
					}
					return
				}
			}
			t.Fatal("no forward.db rendered")
		})
	}
}

// recordLineRE is the only shape a records entry may take in forward.db.
var recordLineRE = regexp.MustCompile(`^(@|(\*|[a-z0-9_-]+)(\.[a-z0-9_-]+)*)\tIN\t(A|AAAA|CNAME|MX|NS|TXT)\t("[^"\\;]*"|[0-9a-z_.:-]+|[0-9]+ [0-9a-z_.-]+)$`)

// FuzzDNSRecords feeds arbitrary entries to the records parser in the
// dns templates. Whatever it accepts must come out as exactly one record
// line of the expected shape, so no value can smuggle a second record, a
// $INCLUDE or a comment into the zone file; and what it refuses must be
// refused as bad input.
func FuzzDNSRecords(f *testing.F) {
	for _, s := range []string{"www=A:192.0.2.80", "www=AAAA:2001:db8::80", "ftp=CNAME:www", "@=MX:10:mail",
		"@=NS:ns2.example.org.", "@=TXT:v=spf1 mx -all", "x=A:1.2.3.4 ; evil", "x=TXT:a\" b", "$INCLUDE=A:1.1.1.1", "*.w=A:1.1.1.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rec string) {
		if strings.Contains(rec, ",") {
			return // a list separator: that is two entries
		}
		files, err := renderDNS(t, "records="+rec)
		if err != nil {
			// Only the parser's own messages: an error from a template
			// function (reverseZone, ptrLabel) would mean the parser let
			// through a value those functions refuse.
			if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "--set records") {
				t.Fatalf("records=%q: not the records parser's bad-input error: %v", rec, err)
			}
			return
		}
		var zone string
		for _, f := range files {
			if f.Path == "/usr/local/etc/namedb/primary/forward.db" {
				zone = string(f.Content)
			}
		}
		_, extra, ok := strings.Cut(zone, "; records from the records parameter\n")
		if strings.TrimSpace(rec) == "" {
			return
		}
		if !ok {
			t.Fatalf("records=%q rendered but forward.db has no records section:\n%s", rec, zone)
		}
		lines := strings.Split(strings.TrimSuffix(extra, "\n"), "\n")
		if len(lines) != 1 || !recordLineRE.MatchString(lines[0]) {
			t.Fatalf("records=%q became %q", rec, lines)
		}
	})
}

// TestDNSNotes checks that the notes printed after an install tell the
// admin the next steps for the jail's own role and addresses.
func TestDNSNotes(t *testing.T) {
	r, err := dnsRecipe()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args string
		want []string
		not  []string
	}{
		{"testdata/values/dns.args", []string{`"nameserver 192.0.2.53"`, "Raise serial (now 1) whenever home.lan changes", "MX record in home.lan"},
			[]string{"secondary of", "for each secondary"}},
		{"testdata/values/dns-records.args", []string{"NS record for each secondary (192.0.2.54)"}, nil},
		{"testdata/values/dns-secondary.args", []string{`"nameserver 192.0.2.54"`, "secondary of 192.0.2.53", "add 192.0.2.54 to", "records=@=NS:ns2.home.lan"},
			[]string{"Raise serial", "MX record"}},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.args), func(t *testing.T) {
			v, err := render.NewValues(r, specFromArgs(t, tc.args))
			if err != nil {
				t.Fatal(err)
			}
			notes, err := v.Notes()
			if err != nil {
				t.Fatal(err)
			}
			flat := strings.Join(strings.Fields(notes), " ")
			for _, w := range tc.want {
				if !strings.Contains(flat, w) {
					t.Errorf("notes lack %q:\n%s", w, notes)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(flat, n) {
					t.Errorf("notes should not say %q:\n%s", n, notes)
				}
			}
		})
	}
}
