package recipe

import (
	"fmt"
	"net/netip"
	"regexp"

	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// This file holds the one rule of what may be a jail's own address. render
// (install and render) and lab both call it; install adds what only the
// live host knows (its own addresses) through HostAddrClash.

// clonedLoRE matches a cloned loopback interface (lo1, lo2...), never lo0,
// the host's own loopback.
var clonedLoRE = regexp.MustCompile(`^lo[1-9][0-9]*$`)

// ClonedLoopback reports whether iface is a cloned loopback interface.
func ClonedLoopback(iface string) bool { return clonedLoRE.MatchString(iface) }

// AddrProblem is why an address cannot be a jail's own, as a phrase that
// follows the address ("192.0.2.0 is the network address of 192.0.2.0/24").
type AddrProblem string

// CheckJailAddr says why a (with prefix length bits, and on interface
// iface when known) cannot be a jail's own address, or "" when it can.
// Refused: the unspecified address, the host's loopback 127.0.0.1 and ::1,
// multicast, the limited broadcast, link-local addresses, a /0 prefix,
// and the network and broadcast address of the prefix given. Another
// 127/8 address is fine on a cloned lo interface (the article's internal
// jail) and refused on any other interface; with no interface yet (a
// render) it is left to install to judge.
func CheckJailAddr(a netip.Addr, bits int, iface string) AddrProblem {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return "is not an address"
	case a.IsUnspecified():
		return "is the unspecified address, which means every address of the host"
	case a == netip.IPv6Loopback() || a == netip.AddrFrom4([4]byte{127, 0, 0, 1}):
		return "is the host's own loopback address"
	case a.IsMulticast() || a.IsInterfaceLocalMulticast() || a.IsLinkLocalMulticast():
		return "is a multicast address"
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "is the limited broadcast address"
	case a.IsLinkLocalUnicast():
		return "is a link-local address, which jail(8) cannot give a jail on one interface alone"
	case bits == 0:
		return "has prefix length 0, which would claim every address"
	case a.IsLoopback() && iface != "" && !ClonedLoopback(iface):
		return AddrProblem(fmt.Sprintf("is a loopback address; put it on a cloned loopback interface such as lo1, not %s", iface))
	}
	if bits > 0 && bits < a.BitLen() {
		p := netip.PrefixFrom(a, bits).Masked()
		if a == p.Addr() && (a.Is6() || bits < 31) {
			return AddrProblem(fmt.Sprintf("is the network address of %s", p))
		}
		if a.Is4() && bits < 31 && a == freebsd.Broadcast(p) {
			return AddrProblem(fmt.Sprintf("is the broadcast address of %s", p))
		}
	}
	return ""
}

// HostAddrClash says why a cannot be a jail's address on a host that has
// the addresses hostAddrs on its interfaces, or "" when it can: the
// network or broadcast address of a host subnet. (An address the host
// itself holds is refused by the pre-flight check JK-NET-020, which knows
// which interface has it.) ownAddrs are addresses the host shows because
// a jail holds them (jail(8) adds a running jail's alias to the
// interface): those belong to jails.
func HostAddrClash(a netip.Addr, hostAddrs []netip.Prefix, ownAddrs map[netip.Addr]bool) AddrProblem {
	a = a.Unmap()
	if ownAddrs[a] {
		return ""
	}
	for _, p := range hostAddrs {
		if a.Is4() && p.Addr().Is4() && p.Bits() < 31 && a == freebsd.Broadcast(p) {
			return AddrProblem(fmt.Sprintf("is the broadcast address of the host's subnet %s", p.Masked()))
		}
		if p.Bits() < p.Addr().BitLen() && a == p.Masked().Addr() && (a.Is6() || p.Bits() < 31) {
			return AddrProblem(fmt.Sprintf("is the network address of the host's subnet %s", p.Masked()))
		}
	}
	return ""
}
