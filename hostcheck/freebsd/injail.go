package freebsd

import (
	"errors"
	"net/netip"
)

// ErrAddrNotAvail is EADDRNOTAVAIL: the address is not the jail's.
var ErrAddrNotAvail = errors.New("address not available in the jail")

// PrisonLocalIP4 returns the address a bind(2) to addr lands on inside a
// shared-IP jail whose IPv4 addresses are jailIP4 (the first being the
// primary), following prison_local_ip4 in sys/netinet/in_jail.c:
//
//   - INADDR_ANY stays the wildcard unless the jail has exactly one
//     address, which it becomes;
//   - an address of the jail stays;
//   - 127.0.0.1, when not the jail's, becomes the primary address;
//   - anything else fails with EADDRNOTAVAIL.
//
// So "localhost only" daemons in a jail (sshd's X11UseLocalhost displays,
// php-fpm on 127.0.0.1) listen on the primary address: on the LAN when
// that is the jail's LAN address. A jail without IPv4 is not modelled.
func PrisonLocalIP4(jailIP4 []netip.Addr, addr netip.Addr) (netip.Addr, error) {
	if len(jailIP4) == 0 {
		return netip.Addr{}, errors.New("the jail has no IPv4 address")
	}
	primary := jailIP4[0]
	if addr == netip.IPv4Unspecified() {
		if len(jailIP4) == 1 {
			return primary, nil
		}
		return addr, nil
	}
	for _, a := range jailIP4 {
		if a == addr {
			return addr, nil
		}
	}
	if addr == netip.AddrFrom4([4]byte{127, 0, 0, 1}) {
		return primary, nil
	}
	return netip.Addr{}, ErrAddrNotAvail
}
