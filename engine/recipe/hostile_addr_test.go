package recipe

import (
	"net/netip"
	"strings"
	"testing"
)

// TestCheckJailAddr is the one rule of jail addresses, which install,
// render and lab share.
func TestCheckJailAddr(t *testing.T) {
	tests := []struct {
		addr  string
		bits  int
		iface string
		want  string // "" for an address a jail may have
	}{
		{"192.0.2.53", -1, "", ""},
		{"192.0.2.53", 24, "em0", ""},
		{"2001:db8::53", 64, "em0", ""},
		{"0.0.0.0", -1, "", "unspecified"},
		{"::", -1, "", "unspecified"},
		{"127.0.0.1", -1, "", "host's own loopback"},
		{"127.0.0.1", -1, "lo1", "host's own loopback"},
		{"::1", -1, "", "host's own loopback"},
		{"::ffff:127.0.0.1", -1, "", "host's own loopback"},
		{"224.0.0.1", -1, "", "multicast"},
		{"ff02::1", -1, "", "multicast"},
		{"255.255.255.255", -1, "", "limited broadcast"},
		{"169.254.1.1", -1, "", "link-local"},
		{"fe80::1", -1, "", "link-local"},
		{"192.0.2.53", 0, "", "prefix length 0"},
		{"192.0.2.0", 24, "", "network address of 192.0.2.0/24"},
		{"192.0.2.255", 24, "", "broadcast address of 192.0.2.0/24"},
		{"2001:db8::", 64, "", "network address of 2001:db8::/64"},
		{"192.0.2.0", 31, "", ""}, // RFC 3021: a /31 has no network address
		{"192.0.2.0", -1, "", ""}, // no prefix written, nothing to judge
		{"127.0.0.2", -1, "", ""}, // render: no interface yet
		{"127.0.0.2", -1, "lo1", ""},
		{"127.0.0.2", -1, "lo0", "cloned loopback interface such as lo1, not lo0"},
		{"127.0.0.2", -1, "em0", "not em0"},
	}
	for _, tt := range tests {
		t.Run(tt.addr+"/"+tt.iface, func(t *testing.T) {
			got := string(CheckJailAddr(netip.MustParseAddr(tt.addr), tt.bits, tt.iface))
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("CheckJailAddr(%s, %d, %q) = %q, want %q", tt.addr, tt.bits, tt.iface, got, tt.want)
			}
		})
	}
}

// TestHostAddrClash: the network and broadcast address of a host subnet
// are never a jail's; an address a jail already holds is the jails'
// business.
func TestHostAddrClash(t *testing.T) {
	host := []netip.Prefix{netip.MustParsePrefix("192.0.2.10/24"), netip.MustParsePrefix("127.0.0.1/8")}
	own := map[netip.Addr]bool{netip.MustParseAddr("192.0.2.53"): true}
	for addr, want := range map[string]string{
		"192.0.2.255": "broadcast address of the host's subnet 192.0.2.0/24",
		"192.0.2.0":   "network address of the host's subnet 192.0.2.0/24",
		"192.0.2.53":  "",
		"192.0.2.54":  "",
	} {
		got := string(HostAddrClash(netip.MustParseAddr(addr), host, own))
		if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("HostAddrClash(%s) = %q, want %q", addr, got, want)
		}
	}
}

// TestWholeNumbers: yaml.v3 would cut 1.5 into an int field; strict
// decoding says so instead.
func TestWholeNumbers(t *testing.T) {
	y := "apiVersion: jailkit/v1\nname: w\nsummary: w\nlistens:\n  - {proto: tcp, port: 80.5}\n"
	_, err := ParseRecipe("w.yaml", []byte(y), nil)
	if err == nil || !strings.Contains(err.Error(), `w.yaml:5: port: "80.5" is not a whole number`) {
		t.Fatalf("err = %v", err)
	}
}
