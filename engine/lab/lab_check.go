package lab

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/jailkit/jailkit/engine/recipe"
)

// crossChecks applies the rules that span jails, once every jail has its
// name and address: where the syslog goes, how the name servers relate,
// and what a DHCP jail needs from the network.
func (c *labCheck) crossChecks(l *Lab) {
	byAddr := make(map[netip.Addr]*Jail, len(l.Jails))
	byName := make(map[string]*Jail, len(l.Jails))
	for _, j := range l.Jails {
		byAddr[j.Addr] = j
		byName[j.Name] = j
	}
	if l.loghostJail != "" {
		j := byName[l.loghostJail]
		if j == nil {
			c.at(c.netLine("loghost"), "network.loghost: %q is neither an IP address nor a jail of the lab; give the syslog server's address or the name of a lab jail", l.loghostJail)
		} else {
			l.Network.Loghost = j.Addr
			// The base rc.conf closes syslogd's network socket (-ss) in a
			// jail without a loghost, so the loghost jail would drop
			// every message the others send it.
			l.Warnings = append(l.Warnings, Warning{Jail: j.Name, Line: c.netLine("loghost"),
				Msg: fmt.Sprintf("%s:%d: jail %s: network.loghost: its syslogd keeps no network socket (syslogd_flags=\"-ss\"), so it drops what the other jails send; after apply run sysrc -j %s syslogd_flags=\"-a %s -b %s\" and service -j %s syslogd restart",
					l.Source, c.netLine("loghost"), j.Name, j.Name, l.Network.Subnet, j.Addr, j.Name)})
		}
	}
	c.nameServers(l, byAddr)
	for _, j := range l.Jails {
		if j.Recipe.Roles.DHCP == nil {
			continue
		}
		if !l.Network.VNet {
			if v, ok := j.param("vnet"); !ok || v != "true" {
				l.Warnings = append(l.Warnings, Warning{Jail: j.Name, Line: j.Line,
					Msg: fmt.Sprintf("%s:%d: jail %s: dhcpd reads and sends raw frames through bpf; in a shared-IP jail it sees every frame of %s but cannot own a broadcast address or routes, so clients may get no answer: set network.vnet: true for the lab",
						l.Source, j.Line, j.Name, l.Network.Interface)})
			}
		}
	}
}

// nameServers enforces the article's rule: a primary and its secondary
// never run on the same host, because one failure of the host would take
// both. Every jail of a lab runs on one host, so a lab may hold the
// primary of a zone or a secondary of it, never both; and a primary may
// not name a lab jail among its secondaries.
func (c *labCheck) nameServers(l *Lab, byAddr map[netip.Addr]*Jail) {
	var primary *Jail
	flagged := map[*Jail]bool{}
	for _, j := range l.Jails {
		dns := j.Recipe.Roles.DNS
		if dns == nil {
			continue
		}
		zone := l.Network.Domain
		if z, ok := j.param(dns.Zone); ok && strings.TrimSuffix(strings.ToLower(z), ".") != zone {
			c.at(j.paramLine(dns.Zone), "jail %s: params.%s: %s differs from network.domain %s; the lab's name server serves the lab's domain, so drop the %s param", j.Name, dns.Zone, z, zone, dns.Zone)
			continue
		}
		if j.isPrimary() {
			if primary != nil {
				c.at(j.paramLine(dns.Server), "jail %s: recipe: %s is already the primary of %s (line %d); a zone has one primary, so keep one dns jail in the lab", j.Name, primary.Name, zone, primary.Line)
				continue
			}
			primary = j
			if v, ok := j.param(dns.Secondaries); ok {
				for _, s := range recipe.SplitList(v) {
					a, err := netip.ParseAddr(s)
					if err != nil {
						continue
					}
					if other := byAddr[a.Unmap()]; other != nil {
						c.at(j.paramLine(dns.Secondaries), "jail %s: params.%s: %s is lab jail %s, on the same host as this primary; primary and secondary DNS never share a host (one failure would take both), so run the secondary on another machine", j.Name, dns.Secondaries, a, other.Name)
					}
				}
			}
		} else {
			if v, ok := j.param(dns.Primary); ok {
				if a, err := netip.ParseAddr(v); err == nil && byAddr[a.Unmap()] != nil {
					c.at(j.paramLine(dns.Primary), "jail %s: params.%s: %s is lab jail %s, on the same host as this secondary; primary and secondary DNS never share a host (one failure would take both), so run the secondary on another machine", j.Name, dns.Primary, a, byAddr[a.Unmap()].Name)
					flagged[j] = true
					continue
				}
			}
		}
	}
	for _, j := range l.Jails {
		if j.Recipe.Roles.DNS == nil {
			continue
		}
		if !j.isPrimary() && primary != nil && !flagged[j] {
			c.at(j.paramLine(j.Recipe.Roles.DNS.Server), "jail %s: params.%s: secondary of %s on the same host as its primary %s (line %d); primary and secondary DNS never share a host (one failure would take both), so run the secondary on another machine", j.Name, j.Recipe.Roles.DNS.Server, l.Network.Domain, primary.Name, primary.Line)
		}
	}
}
