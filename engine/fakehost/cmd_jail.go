package fakehost

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

var (
	confStrRE = regexp.MustCompile(`"([^"]*)"`)
	mountRE   = regexp.MustCompile(`mount \+= "(/\S+) (/\S+) nullfs `)
	netifRE   = regexp.MustCompile(`(?m)^ifconfig_([a-z0-9_]+?)(?:_alias[0-9]+|_ipv6)?="(inet6?) ([0-9a-fA-F.:]+)/[0-9]+"`)
)

// jail handles "jail -f CONF -c NAME", "jail -r NAME" and
// "jail -f CONF -rc NAME" (restart).
func (h *Host) jail(a []string) ([]byte, error) {
	conf, op, name, err := parseJailArgs(a)
	if err != nil {
		return nil, err
	}
	st, err := h.State()
	if err != nil {
		return nil, err
	}
	idx := -1
	for i, j := range st.Jails {
		if j.Name == name {
			idx = i
		}
	}
	if op == "-r" || op == "-rc" || op == "-cr" {
		if idx < 0 && op == "-r" {
			return nil, fail(a, "jail: \"%s\" not found", name)
		}
		if idx >= 0 {
			if err := h.removeJail(&st, a, idx); err != nil {
				return nil, err
			}
			idx = -1
		}
		if op == "-r" {
			return nil, h.saveState(st)
		}
	}
	if idx >= 0 {
		return nil, fail(a, "jail: %s: already exists", name)
	}
	return h.createJail(&st, a, conf, name)
}

// parseJailArgs reads "[-f CONF] -c|-r|-rc|-cr NAME" in any order; the
// last of each wins.
func parseJailArgs(a []string) (conf, op, name string, err error) {
	for i := 1; i < len(a); i++ {
		switch a[i] {
		case "-f":
			i++
			if i < len(a) {
				conf = a[i]
			}
		case "-c", "-r", "-rc", "-cr":
			op = a[i]
		default:
			name = a[i]
		}
	}
	if name == "" || op == "" {
		return "", "", "", fail(a, "usage: jail [-f conf] -c|-r|-rc name")
	}
	return conf, op, name, nil
}

// removeJail takes st.Jails[idx] out of st.
func (h *Host) removeJail(st *State, a []string, idx int) error {
	gone := st.Jails[idx]
	st.Jails = slices.Delete(st.Jails, idx, idx+1)
	// A removed VNET jail hands its interface back to the host,
	// then jail(8) runs exec.poststop.
	for k := range st.NetIfs {
		if st.NetIfs[k].Jail == gone.Name {
			st.NetIfs[k].Jail = ""
		}
	}
	for _, c := range gone.Poststop {
		if err := h.ifconfigCmd(st, c); err != nil {
			return fail(a, "jail: %s: exec.poststop %s: %v", gone.Name, strings.Join(c, " "), err)
		}
	}
	return nil
}

// createJail starts jail name as its block in conf (/etc/jail.conf when
// "") describes, adds it to st and saves st.
func (h *Host) createJail(st *State, a []string, conf, name string) ([]byte, error) {
	if conf == "" {
		conf = "/etc/jail.conf"
	}
	data, err := h.files.ReadFile(conf)
	if err != nil {
		return nil, fail(a, "jail: %s: No such file or directory", conf)
	}
	j := Jail{Name: name, JID: nextJID(*st), IP4: []string{}, IP6: []string{}, Running: []string{}}
	var prestart [][]string
	vnetIface := ""
	inBlock := false
	for _, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, name+" {") {
			inBlock = true
			continue
		}
		if !inBlock {
			continue
		}
		if t == "}" {
			break
		}
		key, val, _ := strings.Cut(t, "=")
		key = strings.TrimSpace(strings.TrimSuffix(key, "+"))
		strs := confStrRE.FindAllStringSubmatch(val, -1)
		switch key {
		case "path":
			if len(strs) > 0 {
				j.Path = strings.ReplaceAll(strs[0][1], "${name}", name)
			}
		case "host.hostname":
			if len(strs) > 0 {
				j.Hostname = strs[0][1]
			}
		case "vnet;":
			j.VNet = true
		case "vnet.interface":
			if len(strs) > 0 {
				vnetIface = strs[0][1]
			}
		case "exec.prestart", "exec.poststop":
			if len(strs) == 0 {
				continue
			}
			argv := strings.Fields(strs[0][1])
			if len(argv) == 0 || argv[0] != "/sbin/ifconfig" {
				return nil, fail(a, "fakehost: %s %q is not simulated", key, strs[0][1])
			}
			argv[0] = "ifconfig"
			if key == "exec.prestart" {
				prestart = append(prestart, argv)
			} else {
				j.Poststop = append(j.Poststop, argv)
			}
		case "ip4.addr", "ip6.addr":
			for _, s := range strs {
				ifc, addr, ok := strings.Cut(s[1], "|")
				if !ok {
					addr, ifc = ifc, ""
				}
				addr, _, _ = strings.Cut(addr, "/")
				j.Iface = ifc
				if key == "ip4.addr" {
					j.IP4 = append(j.IP4, addr)
				} else {
					j.IP6 = append(j.IP6, addr)
				}
			}
		}
	}
	if !inBlock || j.Path == "" {
		return nil, fail(a, "jail: %s: no such jail in %s", name, conf)
	}
	if _, err := h.files.Lstat(path.Join(j.Path, "etc")); err != nil {
		return nil, fail(a, "jail: %s: %s/etc: No such file or directory", name, j.Path)
	}
	// nullfs mounts need both ends, as mount(8) does.
	for _, m := range mountRE.FindAllStringSubmatch(string(data), -1) {
		for _, p := range []string{m[1], m[2]} {
			if fi, err := h.files.Lstat(p); err != nil || !fi.IsDir() {
				return nil, fail(a, "jail: %s: mount.fstab: nullfs %s: No such file or directory", name, p)
			}
		}
	}
	for _, other := range st.Jails {
		if j.VNet || other.VNet {
			continue // separate network stacks
		}
		for _, ip := range j.IP4 {
			if slices.Contains(other.IP4, ip) {
				return nil, fail(a, "jail: %s: ip4.addr %s: Address already in use", name, ip)
			}
		}
	}
	if j.VNet {
		// jail(8) runs exec.prestart, then moves vnet.interface into
		// the new jail; a failure leaves nothing (st is not saved).
		for _, c := range prestart {
			if err := h.ifconfigCmd(st, c); err != nil {
				return nil, fail(a, "jail: %s: exec.prestart %s: %v", name, strings.Join(c, " "), err)
			}
		}
		k := slices.IndexFunc(st.NetIfs, func(x NetIf) bool { return x.Name == vnetIface })
		if vnetIface == "" || k < 0 || st.NetIfs[k].Jail != "" {
			return nil, fail(a, "jail: %s: vnet.interface %s: No such interface", name, vnetIface)
		}
		st.NetIfs[k].Jail = name
		// The jail's rc runs netif, which reads rc.conf.d/netif.
		if data, err := h.files.ReadFile(path.Join(j.Path, "etc/rc.conf.d/netif")); err == nil {
			for _, m := range netifRE.FindAllStringSubmatch(string(data), -1) {
				if m[1] != vnetIface {
					continue
				}
				if m[2] == "inet" {
					j.IP4 = append(j.IP4, m[3])
				} else {
					j.IP6 = append(j.IP6, m[3])
				}
			}
		}
	} else if len(prestart) > 0 || vnetIface != "" {
		return nil, fail(a, "fakehost: jail %s: exec.prestart and vnet.interface are simulated for VNET jails only", name)
	}
	st.Jails = append(st.Jails, j)
	return []byte(name + ": created\n"), h.saveState(*st)
}
