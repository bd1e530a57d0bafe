package lab

import (
	"fmt"
	"net/netip"

	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// hostAddrOf reports whether a is a usable host address of p: inside it,
// neither its network nor its broadcast address.
func hostAddrOf(p netip.Prefix, a netip.Addr) bool {
	if !p.Contains(a) {
		return false
	}
	return a != p.Addr() && a != freebsd.Broadcast(p)
}

func addr4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func u32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// reserved is an address taken in the lab, and by what.
type reserved struct {
	what string
	line int
}

// allocate checks the written addresses and hands out the automatic ones:
// written addresses first (so an auto jail never takes one a later entry
// names), then each auto entry in file order gets the lowest free block
// of the subnet big enough for it. The same file always gives the same
// addresses.
func (c *labCheck) allocate(l *Lab, entries []*labEntry) {
	taken := map[netip.Addr]reserved{l.Network.Gateway: {what: "the gateway", line: c.netLine("gateway")}}
	dyn := c.dhcpRanges(l, entries)
	for _, e := range entries {
		if !e.auto && e.first.IsValid() {
			c.reserveWritten(l, e, taken, dyn)
		}
	}
	for _, e := range entries {
		if e.auto {
			c.allocateAuto(l, e, taken, dyn)
		}
	}
}

// reserveWritten checks the addresses an entry wrote (count of them from
// its first) and reserves them.
func (c *labCheck) reserveWritten(l *Lab, e *labEntry, taken map[netip.Addr]reserved, dyn []dynRange) {
	sub := l.Network.Subnet
	name := e.y.Name
	names := expandNames(name, e.count, e.numbered)
	for k := 0; k < e.count; k++ {
		a := addr4(u32(e.first) + uint32(k))
		line := c.jailLine(e.idx, "address")
		who := names[k]
		switch {
		case !hostAddrOf(sub, a):
			if k > 0 {
				c.at(line, "jail %s: address: %d jails from %s run past the end of %s at %s; start lower or lower the count", name, e.count, e.first, sub, who)
			} else {
				c.at(line, "jail %s: address: %s is not a host address of the lab subnet %s; pick an address inside it or write address: auto", name, a, sub)
			}
			e.ok = false
		case taken[a].what != "":
			t := taken[a]
			c.at(line, "jail %s: address: %s is already %s (line %d); give every jail its own address or write address: auto", who, a, t.what, t.line)
			e.ok = false
		default:
			if r, in := inRanges(dyn, a); in {
				c.at(line, "jail %s: address: %s lies in the dynamic range %s-%s of DHCP jail %s; pick an address outside it or write address: auto", who, a, r.start, r.end, r.jail)
				e.ok = false
				continue
			}
			taken[a] = reserved{what: "the address of jail " + who, line: line}
		}
		if !e.ok {
			break
		}
	}
}

// allocateAuto gives an auto entry the first run of free addresses of the
// subnet long enough for it, outside the DHCP ranges.
func (c *labCheck) allocateAuto(l *Lab, e *labEntry, taken map[netip.Addr]reserved, dyn []dynRange) {
	sub := l.Network.Subnet
	first, last := u32(sub.Addr())+1, u32(freebsd.Broadcast(sub))-1
	start, run := uint32(0), 0
	found := false
	for v := first; v <= last; v++ {
		a := addr4(v)
		_, inDyn := inRanges(dyn, a)
		// A loghost on the subnet may be a machine outside the lab; an
		// auto jail must not take its address.
		if taken[a].what != "" || inDyn || a == l.Network.Loghost {
			run = 0
			continue
		}
		if run == 0 {
			start = v
		}
		run++
		if run == e.count {
			found = true
			break
		}
	}
	if !found {
		what := "a free address"
		if e.count > 1 {
			what = fmt.Sprintf("%d consecutive free addresses", e.count)
		}
		c.at(c.jailLine(e.idx, "address"), "jail %s: address: auto finds no %s left in %s; use a larger subnet or fewer jails", e.y.Name, what, sub)
		e.ok = false
		return
	}
	e.first = addr4(start)
	names := expandNames(e.y.Name, e.count, e.numbered)
	for k := 0; k < e.count; k++ {
		taken[addr4(start+uint32(k))] = reserved{what: "the address of jail " + names[k], line: c.jailLine(e.idx, "address")}
	}
}

// dynRange is the dynamic address range of a DHCP jail.
type dynRange struct {
	jail       string
	start, end netip.Addr
}

func inRanges(rs []dynRange, a netip.Addr) (dynRange, bool) {
	for _, r := range rs {
		if u32(a) >= u32(r.start) && u32(a) <= u32(r.end) {
			return r, true
		}
	}
	return dynRange{}, false
}

// dhcpRanges returns the dynamic range of every DHCP jail: its own
// range_start and range_end, else the recipe's default of .100-.199 of
// the subnet's first /24 (which the lab then hands the recipe
// explicitly, see labRangeDefault).
func (c *labCheck) dhcpRanges(l *Lab, entries []*labEntry) []dynRange {
	var out []dynRange
	for _, e := range entries {
		if e.r == nil || e.r.Roles.DHCP == nil {
			continue
		}
		dhcp := e.r.Roles.DHCP
		line := c.jailLine(e.idx, "")
		for _, p := range e.y.Params {
			if p.Name == dhcp.RangeStart {
				line = p.Line
			}
		}
		if e.numbered {
			c.at(c.jailLine(e.idx, "count"), "jail %s: count: a classroom of DHCP servers would answer the same clients; give the lab one dhcp jail", e.y.Name)
			continue
		}
		start, end, ok := labDHCPRange(l.Network.Subnet, dhcp, e.y.Params)
		if !ok {
			continue
		}
		sub := l.Network.Subnet
		switch {
		case !hostAddrOf(sub, start) || !hostAddrOf(sub, end) || u32(start) > u32(end):
			c.at(line, "jail %s: params.range_start: the dynamic range %s-%s is not a range of host addresses of %s; give a start and an end inside it, start first", e.y.Name, start, end, sub)
			continue
		}
		r := dynRange{jail: e.y.Name, start: start, end: end}
		if prev, clash := overlapping(out, r); clash {
			c.at(line, "jail %s: params.range_start: the dynamic range %s-%s overlaps %s-%s of DHCP jail %s; two servers must never hand out the same addresses, so give each its own range", e.y.Name, start, end, prev.start, prev.end, prev.jail)
			continue
		}
		if r.start.Compare(l.Network.Gateway) <= 0 && l.Network.Gateway.Compare(r.end) <= 0 {
			c.at(line, "jail %s: params.range_start: the dynamic range %s-%s holds the gateway %s; start or end it elsewhere", e.y.Name, start, end, l.Network.Gateway)
			continue
		}
		out = append(out, r)
	}
	return out
}

func overlapping(rs []dynRange, r dynRange) (dynRange, bool) {
	for _, o := range rs {
		if u32(r.start) <= u32(o.end) && u32(o.start) <= u32(r.end) {
			return o, true
		}
	}
	return dynRange{}, false
}

// labDHCPRange is the dynamic range a DHCP jail of the lab serves.
func labDHCPRange(sub netip.Prefix, dhcp *recipe.DHCPRole, params []Param) (netip.Addr, netip.Addr, bool) {
	var s, e string
	for _, p := range params {
		switch {
		case dhcp.RangeStart != "" && p.Name == dhcp.RangeStart:
			s = p.Value
		case dhcp.RangeEnd != "" && p.Name == dhcp.RangeEnd:
			e = p.Value
		}
	}
	if s != "" || e != "" {
		sa, err1 := netip.ParseAddr(s)
		ea, err2 := netip.ParseAddr(e)
		if err1 != nil || err2 != nil || !sa.Is4() || !ea.Is4() {
			return netip.Addr{}, netip.Addr{}, false
		}
		return sa, ea, true
	}
	if !sub.IsValid() || sub.Bits() > 24 {
		return netip.Addr{}, netip.Addr{}, false
	}
	b := sub.Addr().As4()
	return netip.AddrFrom4([4]byte{b[0], b[1], b[2], 100}), netip.AddrFrom4([4]byte{b[0], b[1], b[2], 199}), true
}
