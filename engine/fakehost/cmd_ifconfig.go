package fakehost

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/fakehost/getopt"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// ifconfigRun lists the interfaces for "ifconfig" and "ifconfig -a",
// their names for "ifconfig -l", and otherwise changes them through
// ifconfigCmd (sbin/ifconfig/ifconfig.c main: -l prints the names on one
// line; options come before the interface name).
func (h *Host) ifconfigRun(a []string) ([]byte, error) {
	p := mustParse(a)
	for _, o := range p.Opts {
		if o.Name != "a" && o.Name != "l" && o.Name != "n" && o.Name != "m" {
			return nil, fail(a, "fakehost: ifconfig -%s is not simulated", o.Name)
		}
	}
	list := p.Has("l") || p.Has("a") || len(p.Operands) == 0
	switch {
	case p.Has("l") && (p.Has("a") || p.Has("m")), list && len(p.Operands) > 1:
		// ifconfig.c: "-l cannot be used with -a or -m"; a
		// listing takes at most an address family.
		return nil, failStatus(a, 1, "%s", getopt.Lookup("ifconfig").Usage)
	case list && len(p.Operands) == 1:
		return nil, fail(a, "fakehost: ifconfig listing one address family is not simulated")
	case p.Has("l"):
		return h.ifconfigNames()
	case list:
		return h.ifconfig()
	}
	st, err := h.State()
	if err != nil {
		return nil, err
	}
	if err := h.ifconfigCmd(&st, append([]string{a[0]}, p.Operands...)); err != nil {
		return nil, err
	}
	return nil, h.saveState(st)
}

// ifconfigNames is "ifconfig -l": the names the host sees, on one line.
func (h *Host) ifconfigNames() ([]byte, error) {
	cfg, st, err := h.configAndState()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, ifc := range cfg.Interfaces {
		names = append(names, ifc.Name)
	}
	for _, n := range st.NetIfs {
		if n.Jail == "" {
			names = append(names, n.Name)
		}
	}
	return []byte(strings.Join(names, " ") + "\n"), nil
}

// ifconfig lists the configured interfaces, then the cloned ones the host
// still has.
func (h *Host) ifconfig() ([]byte, error) {
	cfg, st, err := h.configAndState()
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for i, ifc := range cfg.Interfaces {
		fmt.Fprintf(&b, "%s: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500\n", ifc.Name)
		fmt.Fprintf(&b, "\toptions=4e507bb<RXCSUM,TXCSUM,VLAN_MTU>\n\tether 52:54:00:00:00:%02x\n", i)
		writeAddrs(&b, ifc, st.Jails)
		for _, m := range st.Members[ifc.Name] {
			fmt.Fprintf(&b, "\tmember: %s flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n", m)
		}
		b.WriteString("\tmedia: Ethernet autoselect (1000baseT <full-duplex>)\n\tstatus: active\n")
	}
	for i, n := range st.NetIfs {
		if n.Jail != "" {
			continue // moved into a VNET jail: the host no longer sees it
		}
		fmt.Fprintf(&b, "%s: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500\n", n.Name)
		fmt.Fprintf(&b, "\tether 02:00:00:00:01:%02x\n", i)
		for _, m := range st.Members[n.Name] {
			fmt.Fprintf(&b, "\tmember: %s flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n", m)
		}
		b.WriteString("\tstatus: active\n")
	}
	return []byte(b.String()), nil
}

// writeAddrs writes the inet and inet6 lines of ifc: its own addresses,
// then the aliases of the jails on it.
func writeAddrs(b *strings.Builder, ifc Iface, jails []Jail) {
	addrs := slices.Clone(ifc.Addrs)
	for _, j := range jails {
		if j.Iface == ifc.Name {
			for _, ip := range j.IP4 {
				addrs = append(addrs, ip+"/32")
			}
			for _, ip := range j.IP6 {
				addrs = append(addrs, ip+"/128")
			}
		}
	}
	for _, a := range addrs {
		p, err := netip.ParsePrefix(a)
		if err != nil {
			continue
		}
		if p.Addr().Is4() {
			mask := uint32(0xffffffff) << (32 - p.Bits())
			if p.Bits() == 0 {
				mask = 0
			}
			fmt.Fprintf(b, "\tinet %s netmask 0x%08x broadcast %s\n", p.Addr(), mask, freebsd.Broadcast(p))
		} else {
			fmt.Fprintf(b, "\tinet6 %s prefixlen %d\n", p.Addr(), p.Bits())
		}
	}
}

var (
	epairRE  = regexp.MustCompile(`^epair[0-9]+$`)
	bridgeRE = regexp.MustCompile(`^bridge[0-9]+$`)
)

// ifconfigCmd handles "ifconfig epairN create [up]", "ifconfig bridgeN
// create [up]", "ifconfig IF destroy" (either side of an epair destroys
// both) and "ifconfig BRIDGE addm IF [up]", on st.
func (h *Host) ifconfigCmd(st *State, a []string) error {
	if len(a) < 3 {
		return fail(a, "usage: ifconfig interface create|destroy|addm ...")
	}
	switch a[2] {
	case "create":
		return h.ifconfigCreate(st, a)
	case "destroy":
		return ifconfigDestroy(st, a)
	case "addm":
		return h.ifconfigAddm(st, a)
	}
	return fail(a, "fakehost: ifconfig %s is not simulated", a[2])
}

// netIfIndex returns the index of the cloned interface name in st, or -1.
func netIfIndex(st *State, name string) int {
	return slices.IndexFunc(st.NetIfs, func(x NetIf) bool { return x.Name == name })
}

// ifconfigCreate clones epairN (as epairNa and epairNb) or bridgeN.
func (h *Host) ifconfigCreate(st *State, a []string) error {
	name := a[1]
	var made []string
	switch {
	case epairRE.MatchString(name):
		made = []string{name + "a", name + "b"}
	case bridgeRE.MatchString(name):
		made = []string{name}
	default:
		return fail(a, "ifconfig: SIOCIFCREATE2 (%s): Invalid argument", name)
	}
	cfg, err := h.Config()
	if err != nil {
		return err
	}
	for _, m := range made {
		if netIfIndex(st, m) >= 0 || slices.ContainsFunc(cfg.Interfaces, func(i Iface) bool { return i.Name == m }) {
			if m == name && len(a) == 3 {
				// ifconfig.c main: the interface exists and
				// "create" is the only word after it.
				return fail(a, "ifconfig: interface %s already exists", name)
			}
			return fail(a, "ifconfig: SIOCIFCREATE2 (%s): File exists", name)
		}
	}
	for _, m := range made {
		st.NetIfs = append(st.NetIfs, NetIf{Name: m})
	}
	return nil
}

// ifconfigDestroy destroys a cloned interface, both sides of an epair
// at once, and takes it out of every bridge.
func ifconfigDestroy(st *State, a []string) error {
	name := a[1]
	if netIfIndex(st, name) < 0 {
		return fail(a, "ifconfig: interface %s does not exist", name)
	}
	gone := []string{name}
	if p, ok := strings.CutSuffix(name, "a"); ok && epairRE.MatchString(p) {
		gone = append(gone, p+"b")
	} else if p, ok := strings.CutSuffix(name, "b"); ok && epairRE.MatchString(p) {
		gone = append(gone, p+"a")
	}
	st.NetIfs = slices.DeleteFunc(st.NetIfs, func(x NetIf) bool { return slices.Contains(gone, x.Name) })
	delete(st.Members, name)
	for b, ms := range st.Members {
		st.Members[b] = slices.DeleteFunc(ms, func(m string) bool { return slices.Contains(gone, m) })
		if len(st.Members[b]) == 0 {
			delete(st.Members, b)
		}
	}
	return nil
}

// ifconfigAddm adds a member to a bridge, configured or cloned.
func (h *Host) ifconfigAddm(st *State, a []string) error {
	name := a[1]
	cfg, err := h.Config()
	if err != nil {
		return err
	}
	configured := slices.ContainsFunc(cfg.Interfaces, func(x Iface) bool { return x.Name == name })
	if (netIfIndex(st, name) < 0 && !configured) || !bridgeRE.MatchString(name) {
		return fail(a, "ifconfig: interface %s does not exist", name)
	}
	if len(a) < 4 {
		return fail(a, "usage: ifconfig bridge addm interface")
	}
	m := a[3]
	if k := netIfIndex(st, m); (k < 0 || st.NetIfs[k].Jail != "") && !slices.ContainsFunc(cfg.Interfaces, func(x Iface) bool { return x.Name == m }) {
		return fail(a, "ifconfig: BRDGADD %s: No such file or directory", m)
	}
	// FreeBSD 15 refuses a member with an address (EINVAL) unless
	// net.link.bridge.member_ifaddrs=1.
	if k := slices.IndexFunc(cfg.Interfaces, func(x Iface) bool { return x.Name == m }); k >= 0 && len(cfg.Interfaces[k].Addrs) > 0 &&
		cfg.OSRelease >= "15" && !cfg.MemberIfaddrs {
		return fail(a, "ifconfig: BRDGADD %s: Invalid argument", m)
	}
	for _, ms := range st.Members {
		if slices.Contains(ms, m) {
			return fail(a, "ifconfig: BRDGADD %s: File exists", m)
		}
	}
	if st.Members == nil {
		st.Members = map[string][]string{}
	}
	st.Members[name] = append(st.Members[name], m)
	return nil
}
