package freebsd

// Format source: sbin/ifconfig/ifconfig.c in the FreeBSD source tree
// prints the interface line, sbin/ifconfig/af_inet.c and af_inet6.c the
// inet and inet6 lines; IFNAMSIZ is defined in sys/net/if.h.

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Interface is one network interface from ifconfig -a.
type Interface struct {
	Name     string
	Loopback bool
	Up       bool
	// Prefixes holds each address with its netmask as a prefix length.
	Prefixes []netip.Prefix
}

// ParseIfconfig reads `ifconfig -a`: a line "name: flags=..." starts an
// interface; indented "inet ADDR netmask 0xffffff00" (or ADDR/LEN, or a
// dotted netmask) and "inet6 ADDR prefixlen N" lines add addresses.
func ParseIfconfig(data []byte) []Interface {
	var out []Interface
	var cur *Interface
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			cur = nil
			if ifc, ok := parseIfHeader(line); ok {
				out = append(out, ifc)
				cur = &out[len(out)-1]
			}
			continue
		}
		if cur == nil {
			continue
		}
		if p, ok := parseInetLine(line); ok {
			cur.Prefixes = append(cur.Prefixes, p)
		}
	}
	return out
}

// parseIfHeader reads the line that starts an interface,
// "em0: flags=8843<UP,BROADCAST,RUNNING> metric 0 mtu 1500".
func parseIfHeader(line string) (Interface, bool) {
	name, rest, ok := strings.Cut(line, ":")
	if !ok || strings.ContainsAny(name, " \t") || name == "" {
		return Interface{}, false
	}
	ifc := Interface{Name: name}
	if i := strings.Index(rest, "<"); i >= 0 {
		if j := strings.Index(rest[i:], ">"); j > 0 {
			for _, fl := range strings.Split(rest[i+1:i+j], ",") {
				switch fl {
				case "LOOPBACK":
					ifc.Loopback = true
				case "UP":
					ifc.Up = true
				}
			}
		}
	}
	return ifc, true
}

// parseInetLine reads an "inet" or "inet6" line of an interface into the
// address with its prefix length; a missing or odd netmask counts as a
// host route (/32 or /128).
func parseInetLine(line string) (netip.Prefix, bool) {
	f := strings.Fields(line)
	if len(f) < 2 || (f[0] != "inet" && f[0] != "inet6") {
		return netip.Prefix{}, false
	}
	addrText := f[1]
	bits := -1
	if a, l, ok := strings.Cut(addrText, "/"); ok {
		addrText = a
		if n, err := strconv.Atoi(l); err == nil {
			bits = n
		}
	}
	a, err := netip.ParseAddr(addrText)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	for i := 2; i+1 < len(f); i++ {
		switch f[i] {
		case "netmask":
			bits = maskBits(f[i+1])
		case "prefixlen":
			if n, err := strconv.Atoi(f[i+1]); err == nil {
				bits = n
			}
		}
	}
	if bits < 0 || bits > a.BitLen() {
		bits = a.BitLen()
	}
	p, err := a.WithZone("").Prefix(bits)
	if err != nil {
		return netip.Prefix{}, false
	}
	// Keep the host address, not the network, in the prefix.
	return netip.PrefixFrom(a.WithZone(""), p.Bits()), true
}

// maskBits reads a netmask as ifconfig prints it (0xffffff00) or dotted.
func maskBits(s string) int {
	var m uint32
	if strings.HasPrefix(s, "0x") {
		n, err := strconv.ParseUint(s[2:], 16, 32)
		if err != nil {
			return -1
		}
		m = uint32(n)
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return -1
		}
		b := a.As4()
		m = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	}
	bits := 0
	for m&0x80000000 != 0 {
		bits++
		m <<= 1
	}
	if m != 0 {
		return -1 // not a contiguous mask
	}
	return bits
}

// ifNameMax is the longest interface name: IFNAMSIZ (16, in
// sys/net/if.h) less the terminating NUL.
const ifNameMax = 16 - 1

// ValidInterfaceName reports whether s is a network interface name as
// jailkit accepts one, ^[a-z][a-z0-9_.]{0,14}$: a lower-case letter, then
// lower-case letters, digits, '_' or '.', at most 15 in all, which is what
// fits in IFNAMSIZ.
func ValidInterfaceName(s string) bool {
	if len(s) == 0 || len(s) > ifNameMax || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Broadcast returns the last address of p: the broadcast address ifconfig
// shows for an inet prefix, and for an IPv6 prefix, which has no
// broadcast, simply its last address. The host bits of p's address do not
// matter, and a zone is dropped. It returns the zero Addr when p is not
// valid.
func Broadcast(p netip.Prefix) netip.Addr {
	if !p.IsValid() {
		return netip.Addr{}
	}
	p = p.Masked()
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// FormatIfconfig prints interfaces the way ifconfig -a does, keeping only
// what ParseIfconfig reads: the flags line, "inet ADDR netmask 0xMASK"
// (af_inet.c prints the mask in hex) and "inet6 ADDR prefixlen N"
// (af_inet6.c). It is how an interface list read from the kernel goes
// into a snapshot.
func FormatIfconfig(ifs []Interface) []byte {
	var b bytes.Buffer
	for _, ifc := range ifs {
		var flags []string
		if ifc.Up {
			flags = append(flags, "UP")
		}
		if ifc.Loopback {
			flags = append(flags, "LOOPBACK")
		}
		fmt.Fprintf(&b, "%s: flags=0<%s> metric 0 mtu 1500\n", ifc.Name, strings.Join(flags, ","))
		for _, p := range ifc.Prefixes {
			a := p.Addr()
			if !a.Is4() {
				fmt.Fprintf(&b, "\tinet6 %s prefixlen %d\n", a, p.Bits())
				continue
			}
			mask := uint32(0)
			if p.Bits() > 0 {
				mask = ^uint32(0) << (32 - p.Bits())
			}
			fmt.Fprintf(&b, "\tinet %s netmask 0x%08x\n", a, mask)
		}
	}
	return b.Bytes()
}
