package freebsd

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestValidInterfaceName(t *testing.T) {
	tests := map[string]bool{
		"em0": true, "lo1": true, "vtnet0": true, "epair0a": true, "bridge0": true,
		"vlan0.100": true, "wg_home": true, "a": true,
		"abcdefghijklmno":  true,  // 15: fills IFNAMSIZ with its NUL
		"abcdefghijklmnop": false, // 16
		"":                 false, "0em": false, "Em0": false, "em-0": false, "em 0": false,
		"em0\n": false, "_em": false, ".em": false, "emé": false, "em0:1": false,
	}
	for in, want := range tests {
		if got := ValidInterfaceName(in); got != want {
			t.Errorf("ValidInterfaceName(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestBroadcast(t *testing.T) {
	tests := []struct{ prefix, want string }{
		{"192.168.1.10/24", "192.168.1.255"},
		{"192.168.1.0/24", "192.168.1.255"},
		{"10.1.2.3/8", "10.255.255.255"},
		{"172.16.5.4/20", "172.16.15.255"},
		{"192.0.2.4/31", "192.0.2.5"},
		{"192.0.2.9/32", "192.0.2.9"},
		{"0.0.0.0/0", "255.255.255.255"},
		{"2001:db8::10/64", "2001:db8::ffff:ffff:ffff:ffff"},
		{"2001:db8:0:1::/56", "2001:db8:0:ff:ffff:ffff:ffff:ffff"},
		{"fe80::1/128", "fe80::1"},
		{"::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"::ffff:192.0.2.1/120", "::ffff:192.0.2.255"},
	}
	for _, tt := range tests {
		if got := Broadcast(netip.MustParsePrefix(tt.prefix)); got != netip.MustParseAddr(tt.want) {
			t.Errorf("Broadcast(%s) = %s, want %s", tt.prefix, got, tt.want)
		}
	}
	zoned := netip.PrefixFrom(netip.MustParseAddr("fe80::1%em0"), 64)
	if got := Broadcast(zoned); got != netip.MustParseAddr("fe80::ffff:ffff:ffff:ffff") {
		t.Errorf("Broadcast(%s with a zone) = %s", zoned, got)
	}
	if got := Broadcast(netip.Prefix{}); got.IsValid() {
		t.Errorf("Broadcast of the zero prefix = %s", got)
	}
}

func TestIDs(t *testing.T) {
	passwd := readTestdata(t, "snapshots/sample/files/etc/passwd")
	ids := IDs(passwd)
	for _, a := range ParsePasswd(passwd) {
		if id, ok := ids[a.Name]; !ok || id != a.UID {
			t.Errorf("%s: IDs gives %d, %v; passwd has uid %d", a.Name, id, ok, a.UID)
		}
	}
	group := strings.Join([]string{
		"# $FreeBSD$",
		"wheel:*:0:root",
		"  operator:*:5:root  ",
		"bind:*:53:",
		"wheel:*:99:",  // a second wheel: the first wins
		"+:*::",        // NIS
		"-nobody:*:3:", // NIS
		":*:7:",        // no name
		"short:*",      // too few fields
		"neg:*:-1:",    // negative
		"text:*:x:",    // not a number
		"big:*:99999999999999999999:",
		"nogroup:*:65533:",
		"",
	}, "\n")
	want := map[string]int{"wheel": 0, "operator": 5, "bind": 53, "nogroup": 65533}
	if got := IDs([]byte(group)); !reflect.DeepEqual(got, want) {
		t.Errorf("IDs(group) = %v, want %v", got, want)
	}
	if got := IDs(nil); len(got) != 0 {
		t.Errorf("IDs(nil) = %v", got)
	}
}
