package hostcheck

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// hostSockets returns the IPv4/IPv6 sockets that belong to the host, not
// to a jail: a socket bound to a jail's address is the jail's, and so is
// one that sockstat -j listed for a jail.
func (c *runCtx) hostSockets() []*freebsd.Socket {
	if c.hostSocks != nil {
		return c.hostSocks
	}
	jailAddr := c.f.jailAddrSet()
	type key struct {
		pid, fd int
		proto   string
		local   freebsd.Endpoint
	}
	inJail := map[key]bool{}
	for _, list := range c.f.JailSockets {
		for _, s := range list {
			inJail[key{s.PID, s.FD, s.Proto, s.Local}] = true
		}
	}
	out := make([]*freebsd.Socket, 0, len(c.f.Sockets))
	for i := range c.f.Sockets {
		s := &c.f.Sockets[i]
		if s.Unix() {
			continue
		}
		if !s.Local.Wildcard && s.Local.Addr.IsValid() && jailAddr[s.Local.Addr.WithZone("")] {
			continue
		}
		if len(inJail) > 0 && inJail[key{s.PID, s.FD, s.Proto, s.Local}] {
			continue
		}
		out = append(out, s)
	}
	c.hostSocks = out
	return out
}

// jailSocketsByName groups the sockets of running jails by jail name.
func (c *runCtx) jailSocketsByName() map[string][]*freebsd.Socket {
	if c.jailSocks != nil {
		return c.jailSocks
	}
	byAddr := map[netip.Addr]string{}
	for _, j := range c.f.Jails {
		for _, a := range j.Addrs() {
			byAddr[a.WithZone("")] = j.Name
		}
	}
	out := map[string][]*freebsd.Socket{}
	for i := range c.f.Sockets {
		s := &c.f.Sockets[i]
		if s.Unix() || s.Local.Wildcard || !s.Local.Addr.IsValid() {
			continue
		}
		if name, ok := byAddr[s.Local.Addr.WithZone("")]; ok {
			out[name] = append(out[name], s)
		}
	}
	for jid, list := range c.f.JailSockets {
		for _, j := range c.f.Jails {
			if j.JID != jid {
				continue
			}
			for k := range list {
				out[j.Name] = append(out[j.Name], &list[k])
			}
		}
	}
	c.jailSocks = out
	return out
}

// plannedPort returns the planned jail that needs transport/port on the
// shared network stack, if any.
func (c *runCtx) plannedPort(transport string, port int) *Planned {
	for i := range c.planned {
		p := &c.planned[i]
		if p.VNet == "required" {
			continue // its own stack: a host wildcard cannot clash
		}
		for _, pp := range p.Ports {
			if pp.Proto == transport && pp.Port == port {
				return p
			}
		}
	}
	return nil
}

func checkWildcard(c *runCtx) []Finding {
	type group struct {
		owner      string
		command    string
		transports []string
		port       int
		protos     []string
	}
	groups := map[string]*group{}
	var order []string
	for _, s := range c.hostSockets() {
		if !s.Local.Wildcard || s.Local.Port == 0 {
			continue
		}
		t := s.Transport()
		if t != "tcp" && t != "udp" && t != "sctp" && t != "udplite" {
			continue
		}
		k := fmt.Sprintf("%s|%d", s.Command, s.Local.Port)
		g, ok := groups[k]
		if !ok {
			g = &group{owner: s.Owner(), command: s.Command, port: s.Local.Port}
			groups[k] = g
			order = append(order, k)
		}
		if !slices.Contains(g.transports, t) {
			g.transports = append(g.transports, t)
		}
		if !slices.Contains(g.protos, s.Proto) {
			g.protos = append(g.protos, s.Proto)
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := groups[order[i]], groups[order[j]]
		if a.port != b.port {
			return a.port < b.port
		}
		return a.command < b.command
	})
	out := []Finding{}
	for _, k := range order {
		g := groups[k]
		found := fmt.Sprintf("%s listens on *:%d (%s)", g.owner, g.port, strings.Join(g.protos, ", "))
		sev := Warn
		for _, t := range g.transports {
			if p := c.plannedPort(t, g.port); p != nil && sev != Fail {
				sev = Fail
				found += fmt.Sprintf("; the planned %s jail needs %s/%d on its own address", plannedName(p), t, g.port)
			}
		}
		out = append(out, c.finding(sev, found, daemonFix(g.command, g.port, c.host)))
	}
	return out
}

func plannedName(p *Planned) string {
	if p.Name != "" {
		return p.Name
	}
	return p.Recipe
}

// daemonFix is the exact way to bind a daemon FreeBSD ships (or a common
// package) to the host's own address, or to turn it off.
func daemonFix(command string, port int, host string) string {
	switch command {
	case "sshd":
		return fmt.Sprintf("add \"ListenAddress %s\" to /etc/ssh/sshd_config, then: service sshd restart", host)
	case "inetd":
		return fmt.Sprintf("sysrc inetd_flags=\"-wW -C 60 -a %s\" && service inetd restart", host)
	case "syslogd":
		return fmt.Sprintf("sysrc syslogd_flags=\"-ss\" && service syslogd restart (or syslogd_flags=\"-s -b %s\" to keep receiving remote logs on the host address)", host)
	case "ntpd":
		return fmt.Sprintf("add \"interface ignore wildcard\" and \"interface listen %s\" to /etc/ntp.conf, then: service ntpd restart", host)
	case "rpcbind":
		return fmt.Sprintf("sysrc rpcbind_enable=NO && service rpcbind stop (or, when the host serves NFS, sysrc rpcbind_flags=\"-h %s\" && service rpcbind restart)", host)
	case "sendmail":
		return sendmailFix
	case "named":
		return fmt.Sprintf("in named.conf options: listen-on { %s; }; listen-on-v6 { none; }; then: service named restart", host)
	case "httpd":
		return fmt.Sprintf("in httpd.conf replace \"Listen %d\" with \"Listen %s:%d\", then: service apache24 restart", port, host, port)
	case "nginx":
		return fmt.Sprintf("in nginx.conf use \"listen %s:%d;\", then: service nginx restart", host, port)
	case "master", "smtpd":
		return fmt.Sprintf("postconf -e inet_interfaces=%s && service postfix restart", host)
	case "unbound", "local-unbo":
		return fmt.Sprintf("in unbound.conf server: \"interface: %s\", then restart unbound", host)
	case "dnsmasq":
		return fmt.Sprintf("in dnsmasq.conf: \"listen-address=%s\" and \"bind-interfaces\", then: service dnsmasq restart", host)
	case "cupsd":
		return fmt.Sprintf("in cupsd.conf: \"Listen %s:%d\", then: service cupsd restart", host, port)
	case "lpd":
		return "sysrc lpd_flags=\"-s\" && service lpd restart"
	case "mountd", "nfsd", "rpc.statd", "rpc.lockd":
		return "sysrc nfs_server_enable=NO rpc_statd_enable=NO rpc_lockd_enable=NO && service nfsd stop && service mountd stop"
	case "ypbind", "ypserv":
		return "sysrc nis_client_enable=NO nis_server_enable=NO && service ypbind stop"
	case "mysqld", "mariadbd":
		return fmt.Sprintf("in my.cnf [mysqld]: \"bind-address = %s\", then: service mysql-server restart", host)
	case "postgres":
		return fmt.Sprintf("in postgresql.conf: \"listen_addresses = '%s'\", then: service postgresql restart", host)
	case "smbd", "nmbd":
		return fmt.Sprintf("in smb4.conf [global]: \"interfaces = %s\" and \"bind interfaces only = yes\", then: service samba_server restart", host)
	case "dhcpd":
		return "sysrc dhcpd_ifaces=\"IFACE\" for the one interface it serves, then: service isc-dhcpd restart"
	case "":
		return fmt.Sprintf("find the owner with: sockstat -46l -p %d; then bind it to %s or stop it", port, host)
	}
	return fmt.Sprintf("bind %s to %s (not *) in its configuration, or stop it: service %s stop", command, host, command)
}

func checkAddrInUse(c *runCtx) []Finding {
	out := []Finding{}
	for i := range c.planned {
		p := &c.planned[i]
		for _, a := range p.IPs {
			for _, ifc := range c.f.Interfaces {
				for _, pr := range ifc.Prefixes {
					if pr.Addr() != a.WithZone("") {
						continue
					}
					if jailUsing(c.f, a) != "" {
						continue // reported below as the jail's
					}
					out = append(out, c.finding(Fail,
						fmt.Sprintf("%s for the planned %s jail is already configured on host interface %s", a, plannedName(p), ifc.Name),
						fmt.Sprintf("pick another address for --ip, or remove it from the host: ifconfig %s inet %s -alias (and its ifconfig_%s_alias line: sysrc -x ifconfig_%s_aliasN)", ifc.Name, a, ifc.Name, ifc.Name)))
				}
			}
			if name := jailUsing(c.f, a); name != "" && name != p.Name {
				out = append(out, c.finding(Fail,
					fmt.Sprintf("%s for the planned %s jail is already used by jail %s", a, plannedName(p), name),
					"pick another address for --ip; list the ones in use with: jls -n name ip4.addr ip6.addr"))
			}
		}
	}
	return out
}

// jailUsing names a running or configured jail that has address a.
func jailUsing(f *Facts, a netip.Addr) string {
	a = a.WithZone("")
	for _, list := range [][]freebsd.Jail{f.Jails, f.Configured} {
		for _, j := range list {
			for _, ja := range j.Addrs() {
				if ja.WithZone("") == a {
					return j.Name
				}
			}
		}
	}
	return ""
}

func checkAddrSubnet(c *runCtx) []Finding {
	out := []Finding{}
	for i := range c.planned {
		p := &c.planned[i]
		for _, a := range p.IPs {
			a = a.WithZone("")
			inside := false
			for _, ifc := range c.f.Interfaces {
				for _, pr := range ifc.Prefixes {
					if pr.Masked().Contains(a) {
						inside = true
					}
				}
			}
			if inside {
				continue
			}
			var nets []string
			for _, ifc := range c.f.Interfaces {
				if ifc.Loopback {
					continue
				}
				for _, pr := range ifc.Prefixes {
					if !pr.Addr().IsLinkLocalUnicast() && pr.Bits() < pr.Addr().BitLen() {
						nets = append(nets, ifc.Name+" "+pr.Masked().String())
					}
				}
			}
			found := fmt.Sprintf("%s for the planned %s jail is outside every configured subnet", a, plannedName(p))
			if len(nets) > 0 {
				found += " (" + strings.Join(nets, ", ") + ")"
			}
			out = append(out, c.finding(Warn, found,
				"use an address from the host's subnet for --ip, or add a route for it; an internal jail can use a loopback alias such as 127.0.1.1 on lo1"))
		}
	}
	return out
}
