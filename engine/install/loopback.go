package install

import (
	"fmt"
	"net/netip"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// loopbackNet is where jails get their loopback addresses, on lo0:
// 127/8 never crosses a wire (sys/netinet/ip_input.c drops it on any
// interface that is not a loopback one), so only the host reaches them.
var loopbackNet = netip.MustParsePrefix("127.0.1.0/24")

// pickLoopback gives a shared-IP jail whose recipe sets host.loopback a
// loopback address as its first, primary, IPv4 address. Inside a
// shared-IP jail a bind to 127.0.0.1 lands on the primary address
// (sys/netinet/in_jail.c, prison_local_ip4; modelled by
// freebsd.PrisonLocalIP4), so without it sshd's X11 displays, which bind
// localhost, listen on the jail's LAN address. A jail that has one keeps
// it on a re-install.
func (p *planner) pickLoopback(notes *[]string) error {
	j := p.v.Jail
	if !p.v.Recipe.Host.Loopback || p.vnet != nil || len(j.IP4s) == 0 {
		return nil
	}
	used := map[netip.Addr]bool{}
	for _, ifc := range p.facts.Interfaces {
		for _, pr := range ifc.Prefixes {
			used[pr.Addr()] = true
		}
	}
	for _, jl := range append(append(p.facts.Configured[:0:0], p.facts.Configured...), p.facts.Jails...) {
		if jl.Name == j.Name {
			if len(jl.IP4) > 0 && loopbackNet.Contains(jl.IP4[0]) {
				p.loopback = jl.IP4[0].String()
				return nil
			}
			continue
		}
		for _, a := range jl.IP4 {
			used[a] = true
		}
	}
	for a := loopbackNet.Addr().Next(); loopbackNet.Contains(a.Next()); a = a.Next() {
		if !used[a] {
			p.loopback = a.String()
			*notes = append(*notes, fmt.Sprintf("localhost in the jail is %s on lo0, its first address: what binds 127.0.0.1 there (sshd's X11 displays) listens on it, which only the host reaches, instead of on %s", a, j.IP4s[0]))
			return nil
		}
	}
	return &inputerr.FieldError{Field: "--ip", Problem: "every loopback address of " + loopbackNet.String() + " is taken by another jail",
		Hint: "uninstall a jail that has one, or install with --set vnet=true where the recipe allows it"}
}
