package lab

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
)

// baseLab is a small valid lab built only from the dns and dhcp recipes.
const baseLab = `apiVersion: jailkit/v1
name: t
network:
  interface: em0
  subnet: 192.0.2.0/24
  gateway: 192.0.2.1
  domain: test.lan
  vnet: true
jails:
  - name: ns
    recipe: dns
    address: 192.0.2.53
  - name: dhcp
    recipe: dhcp
    grant: [bpf]
    address: auto
  - name: pc
    recipe: www
    count: 3
    address: auto
    params:
      php: false
      resolvers: [192.0.2.1]
`

func labCatalog(t testing.TB) *recipe.Catalog {
	t.Helper()
	c, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatalf("built-in recipes: %v", err)
	}
	return c
}

func labParse(t testing.TB, src string) (*Lab, error) {
	t.Helper()
	return Parse("lab.yaml", []byte(src), labCatalog(t))
}

func TestParseLabGood(t *testing.T) {
	l, err := labParse(t, baseLab)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var got []string
	for _, j := range l.Jails {
		got = append(got, j.Name+"="+j.Addr.String()+"="+j.Hostname)
	}
	// Auto addresses: the lowest free ones, skipping the gateway and the
	// DHCP jail's dynamic range (.100-.199); the classroom block is
	// consecutive.
	want := []string{
		"ns=192.0.2.53=ns.test.lan",
		"dhcp=192.0.2.2=dhcp.test.lan",
		"pc01=192.0.2.3=pc01.test.lan",
		"pc02=192.0.2.4=pc02.test.lan",
		"pc03=192.0.2.5=pc03.test.lan",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("jails:\n got %v\nwant %v", got, want)
	}
	if l.Jails[2].Group != "pc" || l.Jails[0].Group != "" || !l.Jails[1].Auto || l.Jails[0].Auto {
		t.Fatalf("group/auto not recorded: %+v %+v %+v", l.Jails[0], l.Jails[1], l.Jails[2])
	}
	// Same file, same addresses.
	again, err := labParse(t, baseLab)
	if err != nil || again.Jails[4].Addr != l.Jails[4].Addr {
		t.Fatalf("allocation is not deterministic: %v", err)
	}
}

func TestLabClassroomNames(t *testing.T) {
	tests := []struct {
		count int
		first string
		last  string
	}{
		{1, "pc01", "pc01"},
		{9, "pc01", "pc09"},
		{99, "pc01", "pc99"},
		{100, "pc001", "pc100"},
		{250, "pc001", "pc250"},
	}
	for _, tc := range tests {
		t.Run(tc.first+"-"+tc.last, func(t *testing.T) {
			src := strings.Replace(baseLab, "count: 3", "count: "+labItoa(tc.count), 1)
			src = strings.Replace(src, "subnet: 192.0.2.0/24", "subnet: 192.0.0.0/22", 1)
			l, err := labParse(t, src)
			if err != nil {
				t.Fatal(err)
			}
			var pcs []*Jail
			for _, j := range l.Jails {
				if j.Group == "pc" {
					pcs = append(pcs, j)
				}
			}
			if len(pcs) != tc.count || pcs[0].Name != tc.first || pcs[len(pcs)-1].Name != tc.last {
				t.Fatalf("got %d jails %s..%s", len(pcs), pcs[0].Name, pcs[len(pcs)-1].Name)
			}
			for i := 1; i < len(pcs); i++ {
				if u32(pcs[i].Addr) != u32(pcs[i-1].Addr)+1 {
					t.Fatalf("%s and %s are not consecutive: %s %s", pcs[i-1].Name, pcs[i].Name, pcs[i-1].Addr, pcs[i].Addr)
				}
			}
		})
	}
}

func labItoa(n int) string { return strconv.Itoa(n) }

func TestParseLabErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want []string
	}{
		{"duplicate address", func(s string) string {
			return strings.Replace(s, "recipe: dhcp\n    grant: [bpf]\n    address: auto", "recipe: dhcp\n    grant: [bpf]\n    address: 192.0.2.53", 1)
		}, []string{`lab.yaml:16: jail dhcp: address: 192.0.2.53 is already the address of jail ns (line 12); give every jail its own address or write address: auto`}},
		{"dhcp without its grant", func(s string) string { return strings.Replace(s, "    grant: [bpf]\n", "", 1) },
			[]string{`lab.yaml:13: jail dhcp: grant: recipe dhcp needs the grant of bpf (see jailkit show dhcp); add grant: [bpf] to the jail if you accept it`}},
		{"unknown grant", func(s string) string { return strings.Replace(s, "grant: [bpf]", "grant: [bpf, root]", 1) },
			[]string{`lab.yaml:15: jail dhcp: grant: "root" is not a capability; grant one of bpf, host_paths, linux, mlock, raw_sockets, sysvipc`}},
		{"outside subnet", func(s string) string { return strings.Replace(s, "192.0.2.53", "198.51.100.53", 1) },
			[]string{`lab.yaml:12: jail ns: address: 198.51.100.53 is not a host address of the lab subnet 192.0.2.0/24; pick an address inside it or write address: auto`}},
		{"broadcast", func(s string) string { return strings.Replace(s, "192.0.2.53", "192.0.2.255", 1) },
			[]string{`jail ns: address: 192.0.2.255 is not a host address of the lab subnet`}},
		{"gateway address", func(s string) string { return strings.Replace(s, "192.0.2.53", "192.0.2.1", 1) },
			[]string{`lab.yaml:12: jail ns: address: 192.0.2.1 is already the gateway (line 6)`}},
		{"in dhcp range", func(s string) string { return strings.Replace(s, "192.0.2.53", "192.0.2.150", 1) },
			[]string{`lab.yaml:12: jail ns: address: 192.0.2.150 lies in the dynamic range 192.0.2.100-192.0.2.199 of DHCP jail dhcp`}},
		{"unknown recipe", func(s string) string { return strings.Replace(s, "recipe: dns", "recipe: dnz", 1) },
			[]string{`lab.yaml:11: jail ns: recipe: no recipe named "dnz"; use one of: `}},
		{"missing recipe", func(s string) string { return strings.Replace(s, "    recipe: dns\n", "", 1) },
			[]string{`lab.yaml:10: jail ns: recipe: is missing`}},
		{"duplicate name", func(s string) string { return strings.Replace(s, "name: dhcp", "name: ns", 1) },
			[]string{`lab.yaml:13: jail ns: name: "ns" is also the name of jail ns`}},
		{"classroom name clash", func(s string) string { return strings.Replace(s, "name: ns", "name: pc02", 1) },
			[]string{`lab.yaml:17: jail pc: name: "pc02" is also the name of jail pc02`}},
		{"bad name", func(s string) string { return strings.Replace(s, "name: ns", "name: ../ns", 1) },
			[]string{`lab.yaml:10: jail ../ns: name: "../ns" is not a valid jail name`}},
		{"bad address", func(s string) string { return strings.Replace(s, "192.0.2.53", "192.0.2.300", 1) },
			[]string{`lab.yaml:12: jail ns: address: "192.0.2.300" is not an IPv4 address`}},
		{"unknown field", func(s string) string {
			return strings.Replace(s, "    recipe: dns\n", "    recipe: dns\n    adress: x\n", 1)
		},
			[]string{`lab.yaml:12: unknown field "adress" (did you mean "address"?)`}},
		{"unknown network field", func(s string) string { return strings.Replace(s, "  vnet: true", "  vnett: true", 1) },
			[]string{`lab.yaml:8: unknown field "vnett" (did you mean "vnet"?)`}},
		{"unknown param", func(s string) string { return strings.Replace(s, "php: false", "phq: false", 1) },
			[]string{`lab.yaml:22: jail pc: params.phq: recipe www has no parameter "phq" (did you mean "php"?)`}},
		{"bad param value", func(s string) string { return strings.Replace(s, "php: false", "php: maybe", 1) },
			[]string{`lab.yaml:22: jail pc: params.php: "maybe" is not true or false; use true or false`}},
		{"param set twice", func(s string) string { return strings.Replace(s, "php: false", "php: false\n      php: true", 1) },
			[]string{`lab.yaml:23: jail pc: params.php: is set twice (also at line 22); keep one`}},
		{"two dhcp ranges overlap", func(s string) string {
			return s + "  - name: dhcp2\n    recipe: dhcp\n    grant: [bpf]\n    address: 192.0.2.60\n    params:\n      range_start: 192.0.2.150\n      range_end: 192.0.2.220\n"
		}, []string{`lab.yaml:29: jail dhcp2: params.range_start: the dynamic range 192.0.2.150-192.0.2.220 overlaps 192.0.2.100-192.0.2.199 of DHCP jail dhcp`}},
		{"dhcp range outside the subnet", func(s string) string {
			return strings.Replace(s, "recipe: dhcp\n    grant: [bpf]\n    address: auto\n", "recipe: dhcp\n    grant: [bpf]\n    address: auto\n    params:\n      range_start: 192.0.2.200\n      range_end: 192.0.3.20\n", 1)
		}, []string{`lab.yaml:18: jail dhcp: params.range_start: the dynamic range 192.0.2.200-192.0.3.20 is not a range of host addresses of 192.0.2.0/24`}},
		{"dhcp classroom", func(s string) string {
			return strings.Replace(s, "recipe: www\n    count: 3\n    address: auto\n    params:\n      php: false\n", "recipe: dhcp\n    grant: [bpf]\n    count: 3\n    address: auto\n    params:\n", 1)
		},
			[]string{`lab.yaml:20: jail pc: count: a classroom of DHCP servers would answer the same clients`}},
		{"bad count", func(s string) string { return strings.Replace(s, "count: 3", "count: 0", 1) },
			[]string{`lab.yaml:19: jail pc: count: 0 is not a number of jails from 1 to 4096`}},
		{"subnet full", func(s string) string { return strings.Replace(s, "count: 3", "count: 200", 1) },
			[]string{`lab.yaml:20: jail pc: address: auto finds no 200 consecutive free addresses left in 192.0.2.0/24`}},
		{"block past the end", func(s string) string {
			return strings.Replace(s, "count: 3\n    address: auto", "count: 3\n    address: 192.0.2.253", 1)
		}, []string{`lab.yaml:20: jail pc: address: 3 jails from 192.0.2.253 run past the end of 192.0.2.0/24`}},
		{"bad subnet", func(s string) string { return strings.Replace(s, "192.0.2.0/24", "192.0.2.7/24", 1) },
			[]string{`lab.yaml:5: network.subnet: 192.0.2.7/24 has host bits set; write the network as 192.0.2.0/24`}},
		{"ipv6 subnet", func(s string) string { return strings.Replace(s, "192.0.2.0/24", "2001:db8::/64", 1) },
			[]string{`network.subnet: 2001:db8::/64 is not an IPv4 network`}},
		{"gateway outside", func(s string) string { return strings.Replace(s, "gateway: 192.0.2.1", "gateway: 10.0.0.1", 1) },
			[]string{`lab.yaml:6: network.gateway: 10.0.0.1 is not a host address of 192.0.2.0/24`}},
		{"bad domain", func(s string) string { return strings.Replace(s, "test.lan", "test..lan", 1) },
			[]string{`lab.yaml:7: network.domain: "test..lan" is not a domain name`}},
		{"bad interface", func(s string) string { return strings.Replace(s, "em0", "em0;rm", 1) },
			[]string{`lab.yaml:4: network.interface: "em0;rm" is not an interface name`}},
		{"bad loghost", func(s string) string {
			return strings.Replace(s, "  vnet: true", "  vnet: true\n  loghost: nosuchjail", 1)
		},
			[]string{`network.loghost: "nosuchjail" is neither an IP address nor a jail of the lab`}},
		{"no jails", func(s string) string { return s[:strings.Index(s, "jails:")] + "jails: []\n" },
			[]string{`lab.yaml:1: jails: the lab has no jails`}},
		{"wrong api", func(s string) string { return strings.Replace(s, "jailkit/v1", "jailkit/v0", 1) },
			[]string{`lab.yaml:1: apiVersion is "jailkit/v0"; set apiVersion: jailkit/v1`}},
		{"list item with comma", func(s string) string {
			return strings.Replace(s, "php: false", "routers: [\"192.0.2.1,192.0.2.2\"]", 1)
		}, []string{`lab.yaml:22: params.routers: list item "192.0.2.1,192.0.2.2" contains a comma`}},
		{"primary and secondary on one host", func(s string) string {
			return s + "  - name: ns2\n    recipe: dns\n    address: 192.0.2.54\n    params:\n      role: secondary\n      primary: 192.0.2.53\n"
		}, []string{`lab.yaml:29: jail ns2: params.primary: 192.0.2.53 is lab jail ns, on the same host as this secondary; primary and secondary DNS never share a host`}},
		{"secondary of an outside primary beside the lab primary", func(s string) string {
			return s + "  - name: ns2\n    recipe: dns\n    address: 192.0.2.54\n    params:\n      role: secondary\n      primary: 198.51.100.53\n"
		}, []string{`lab.yaml:28: jail ns2: params.role: secondary of test.lan on the same host as its primary ns (line 10)`}},
		{"secondaries in the lab", func(s string) string {
			return strings.Replace(s, "address: 192.0.2.53\n", "address: 192.0.2.53\n    params:\n      secondaries: [192.0.2.2]\n", 1)
		}, []string{`lab.yaml:14: jail ns: params.secondaries: 192.0.2.2 is lab jail dhcp, on the same host as this primary`}},
		{"two primaries", func(s string) string {
			return s + "  - name: ns2\n    recipe: dns\n    address: 192.0.2.54\n"
		}, []string{`lab.yaml:24: jail ns2: recipe: ns is already the primary of test.lan (line 10)`}},
		{"zone not the domain", func(s string) string {
			return strings.Replace(s, "address: 192.0.2.53\n", "address: 192.0.2.53\n    params:\n      zone: other.lan\n", 1)
		}, []string{`lab.yaml:14: jail ns: params.zone: other.lan differs from network.domain test.lan`}},
		{"every error at once", func(s string) string {
			s = strings.Replace(s, "recipe: dns", "recipe: dnz", 1)
			return strings.Replace(s, "php: false", "php: maybe", 1)
		}, []string{`lab.yaml:11: jail ns: recipe: no recipe named "dnz"`, `lab.yaml:22: jail pc: params.php: "maybe"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantLabErrors(t, tc.edit(baseLab), tc.want)
		})
	}
}

func TestLabDHCPWithoutVNetWarns(t *testing.T) {
	l, err := labParse(t, strings.Replace(baseLab, "  vnet: true\n", "", 1))
	if err != nil {
		t.Fatal(err)
	}
	var warned []string
	for _, w := range l.Warnings {
		warned = append(warned, w.Jail)
		if !strings.Contains(w.Msg, "set network.vnet: true") || !strings.HasPrefix(w.Msg, "lab.yaml:") {
			t.Errorf("warning does not explain the fix: %s", w.Msg)
		}
	}
	if !slices.Equal(warned, []string{"dhcp"}) {
		t.Fatalf("warnings: %+v", l.Warnings)
	}
	l, err = labParse(t, baseLab)
	if err != nil || len(l.Warnings) != 0 {
		t.Fatalf("VNET lab warned: %v %+v", err, l.Warnings)
	}
}

func TestLabWiring(t *testing.T) {
	l, err := labParse(t, strings.Replace(baseLab, "  vnet: true\n", "  vnet: true\n  loghost: dhcp\n  forwarders: [192.0.2.1]\n", 1))
	if err != nil {
		t.Fatal(err)
	}
	specs := l.Specs()
	sets := map[string][]string{}
	var order []string
	for _, s := range specs {
		sets[s.Spec.Name] = s.Spec.Sets
		order = append(order, s.Spec.Name)
		if s.Spec.Hostname != s.Jail.Hostname || s.Spec.Interface != "em0" || s.Spec.IPs[0] != s.Jail.Addr.String()+"/24" {
			t.Errorf("%s: spec %+v", s.Spec.Name, s.Spec)
		}
	}
	if !slices.Equal(order, []string{"ns", "dhcp", "pc01", "pc02", "pc03"}) || specs[0].Stage != StageNameServers || specs[1].Stage != StageServices {
		t.Fatalf("order %v", order)
	}
	has := func(jail, set string) {
		t.Helper()
		if !slices.Contains(sets[jail], set) {
			t.Errorf("%s lacks %s: %v", jail, set, sets[jail])
		}
	}
	has("ns", "zone=test.lan")
	has("ns", "records=dhcp=A:192.0.2.2,pc01=A:192.0.2.3,pc02=A:192.0.2.4,pc03=A:192.0.2.5")
	has("ns", "allow_recursion=192.0.2.0/24")
	has("ns", "forwarders=192.0.2.1")
	has("ns", "loghost=192.0.2.2")
	has("dhcp", "resolvers=192.0.2.53")
	has("dhcp", "name_servers=192.0.2.53")
	has("dhcp", "routers=192.0.2.1")
	has("dhcp", "domain_name=test.lan")
	has("dhcp", "range_start=192.0.2.100")
	has("dhcp", "vnet=true")
	has("dhcp", "interfaces=epair1b")
	has("pc02", "php=false")
	has("pc02", "loghost=192.0.2.2")
	if slices.ContainsFunc(sets["dhcp"], func(s string) bool { return strings.HasPrefix(s, "loghost=") }) {
		t.Errorf("the loghost jail forwards its syslog to itself: %v", sets["dhcp"])
	}
	// The user's own param comes after the lab's, so it wins.
	if i, j := slices.Index(sets["pc02"], "resolvers=192.0.2.53"), slices.Index(sets["pc02"], "resolvers=192.0.2.1"); i < 0 || j < i {
		t.Errorf("user param does not come last: %v", sets["pc02"])
	}
	vs, err := l.Values()
	if err != nil {
		t.Fatalf("Values: %v", err)
	}
	for _, v := range vs {
		if v.Jail.Name == "pc02" && fmt.Sprint(v.Params["resolvers"]) != "[192.0.2.1]" {
			t.Errorf("pc02 resolvers %v; the file's own value must win", v.Params["resolvers"])
		}
	}
}

func TestLabUserRecordsMerge(t *testing.T) {
	src := strings.Replace(baseLab, "address: 192.0.2.53\n", "address: 192.0.2.53\n    params:\n      records: [\"ftp=CNAME:dhcp\"]\n", 1)
	l, err := labParse(t, src)
	if err != nil {
		t.Fatal(err)
	}
	sets := l.Specs()[0].Spec.Sets
	n := 0
	for _, s := range sets {
		if strings.HasPrefix(s, "records=") {
			n++
			if !strings.HasPrefix(s, "records=dhcp=A:192.0.2.2,") || !strings.HasSuffix(s, ",ftp=CNAME:dhcp") {
				t.Errorf("records not merged: %s", s)
			}
		}
	}
	if n != 1 {
		t.Fatalf("want one records set, got %d: %v", n, sets)
	}
}

func TestParseLabExamples(t *testing.T) {
	for _, f := range []string{"../../docs/examples/homelab.yaml", "../../docs/examples/classroom.yaml"} {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Parse(f, data, labCatalog(t))
			if err != nil {
				t.Fatal(err)
			}
			vs, err := l.Values()
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if _, err := render.Render(v); err != nil {
					t.Errorf("render %s: %v", v.Jail.Name, err)
				}
			}
		})
	}
}

func TestLabLoghostJailWarns(t *testing.T) {
	l, err := labParse(t, strings.Replace(baseLab, "  vnet: true\n", "  vnet: true\n  loghost: ns\n", 1))
	if err != nil {
		t.Fatal(err)
	}
	if l.Network.Loghost.String() != "192.0.2.53" {
		t.Fatalf("loghost %v", l.Network.Loghost)
	}
	if len(l.Warnings) != 1 || !strings.Contains(l.Warnings[0].Msg, `lab.yaml:9: jail ns: network.loghost: its syslogd keeps no network socket`) ||
		!strings.Contains(l.Warnings[0].Msg, `-a 192.0.2.0/24 -b 192.0.2.53`) {
		t.Fatalf("warnings: %+v", l.Warnings)
	}
}
