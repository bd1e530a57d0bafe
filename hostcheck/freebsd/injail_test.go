package freebsd

import (
	"errors"
	"net/netip"
	"testing"
)

func TestPrisonLocalIP4(t *testing.T) {
	a := netip.MustParseAddr
	lan, lo := a("192.0.2.70"), a("127.0.1.1")
	tests := []struct {
		name string
		jail []netip.Addr
		bind netip.Addr
		want netip.Addr
		err  error
	}{
		{"localhost goes to the LAN primary", []netip.Addr{lan}, a("127.0.0.1"), lan, nil},
		{"localhost goes to a loopback primary", []netip.Addr{lo, lan}, a("127.0.0.1"), lo, nil},
		{"own address stays", []netip.Addr{lo, lan}, lan, lan, nil},
		{"wildcard with one address", []netip.Addr{lan}, netip.IPv4Unspecified(), lan, nil},
		{"wildcard with two addresses", []netip.Addr{lo, lan}, netip.IPv4Unspecified(), netip.IPv4Unspecified(), nil},
		{"another loopback address", []netip.Addr{lan}, a("127.0.0.2"), netip.Addr{}, ErrAddrNotAvail},
		{"someone else's address", []netip.Addr{lan}, a("192.0.2.10"), netip.Addr{}, ErrAddrNotAvail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PrisonLocalIP4(tt.jail, tt.bind)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("PrisonLocalIP4(%v, %v) = %v, %v; want %v, %v", tt.jail, tt.bind, got, err, tt.want, tt.err)
			}
		})
	}
}
