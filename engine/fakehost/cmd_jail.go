package fakehost

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/fakehost/getopt"
)

var (
	confStrRE = regexp.MustCompile(`"([^"]*)"`)
	mountRE   = regexp.MustCompile(`mount \+= "(/\S+) (/\S+) nullfs `)
	netifRE   = regexp.MustCompile(`(?m)^ifconfig_([a-z0-9_]+?)(?:_alias[0-9]+|_ipv6)?="(inet6?) ([0-9a-fA-F.:]+)/[0-9]+"`)
)

// jail handles "jail [-f CONF] -c NAME", "jail [-f CONF] -r NAME ..."
// and "jail [-f CONF] -rc NAME" (restart), read as usr.sbin/jail/jail.c
// main reads them: -c, -m and -r add to one set of operations, so
// "-c -r" is "-rc"; with -r every operand is a jail to remove; with -c
// one operand names a jail of the config file, and more operands (or
// one with "=") are a jail given on the command line.
func (h *Host) jail(a []string) ([]byte, error) {
	conf, start, names, err := jailArgs(a)
	if err != nil {
		return nil, err
	}
	st, err := h.State()
	if err != nil {
		return nil, err
	}
	if !start {
		// jail.c: each jail is removed on its own; one missing
		// makes the status 1 without stopping the others.
		var missing []string
		for _, name := range names {
			if idx := jailIndex(st, name); idx < 0 {
				missing = append(missing, fmt.Sprintf("jail: \"%s\" not found", name))
			} else if err := h.removeJail(&st, a, idx); err != nil {
				return nil, err
			}
		}
		if err := h.saveState(st); err != nil || len(missing) == 0 {
			return nil, err
		}
		return nil, fail(a, "%s", strings.Join(missing, "\n"))
	}
	name := names[0]
	idx := jailIndex(st, name)
	if idx >= 0 && slices.Contains(jailOps(a), "r") {
		if err := h.removeJail(&st, a, idx); err != nil {
			return nil, err
		}
		idx = -1
	}
	if idx >= 0 {
		return nil, fail(a, "jail: %s: already exists", name)
	}
	return h.createJail(&st, a, conf, name)
}

// jailOps returns the operation letters (c, m, r, R, e) of a jail argv.
func jailOps(a []string) []string {
	var ops []string
	for _, o := range mustParse(a).Opts {
		if strings.Contains("cmrRe", o.Name) {
			ops = append(ops, o.Name)
		}
	}
	return ops
}

// jailArgs reads a jail argv: the config file, whether it starts (or
// restarts) a jail, and the jails it names. What jail.c refuses with its
// usage() is refused the same way; the command-line forms the fake host
// does not simulate fail saying so.
func jailArgs(a []string) (conf string, start bool, names []string, err error) {
	p := mustParse(a)
	usage := func() error {
		s, _ := getopt.Specs()
		return failStatus(a, 1, "%s", s["jail"].Usage)
	}
	conf, _ = p.Arg("f")
	ops := jailOps(a)
	docf := !p.Has("h") && !p.Has("l") && !p.Has("n") && !p.Has("s") && !p.Has("u") && !p.Has("U")
	switch {
	case len(ops) == 0:
		// The old four-parameter command line (path hostname ip
		// command).
		if len(p.Operands) < 4 || !strings.HasPrefix(p.Operands[0], "/") {
			return "", false, nil, usage()
		}
		return "", false, nil, fail(a, "fakehost: jail's old command line is not simulated")
	case slices.Contains(ops, "e") || slices.Contains(ops, "m"):
		return "", false, nil, fail(a, "fakehost: jail -e and -m are not simulated")
	case !slices.Contains(ops, "c"):
		// -r or -R: remove.
		if !docf || len(p.Operands) == 0 {
			return "", false, nil, usage()
		}
		for _, n := range p.Operands {
			if strings.Contains(n, "=") && !slices.Contains(ops, "R") {
				return "", false, nil, usage()
			}
		}
		return conf, false, p.Operands, nil
	case len(p.Operands) > 1 || (len(p.Operands) == 1 && strings.Contains(p.Operands[0], "=")):
		if slices.Contains(ops, "R") {
			return "", false, nil, usage()
		}
		return "", false, nil, fail(a, "fakehost: a jail given by parameters on the command line is not simulated")
	case slices.Contains(ops, "R") || !docf:
		return "", false, nil, usage()
	case len(p.Operands) == 0:
		return "", false, nil, fail(a, "fakehost: starting every jail of the config file is not simulated")
	}
	return conf, true, p.Operands, nil
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
	spec, found, err := parseJailConf(a, string(data), name, nextJID(*st))
	if err != nil {
		return nil, err
	}
	j := &spec.jail
	if !found || j.Path == "" {
		return nil, fail(a, "jail: %s: no such jail in %s", name, conf)
	}
	if err := h.checkJail(*st, a, *j, string(data)); err != nil {
		return nil, err
	}
	if j.VNet {
		if err := h.attachVNet(st, a, &spec); err != nil {
			return nil, err
		}
	} else if len(spec.prestart) > 0 || spec.vnetIface != "" {
		return nil, fail(a, "fakehost: jail %s: exec.prestart and vnet.interface are simulated for VNET jails only", name)
	}
	if spec.rc {
		h.rcStart(j)
	}
	st.Jails = append(st.Jails, *j)
	return []byte(name + ": created\n"), h.saveState(*st)
}

// jailSpec is what jail -c takes from a jail's block in jail.conf.
type jailSpec struct {
	jail      Jail
	prestart  [][]string // exec.prestart, as ifconfig argv
	vnetIface string
	rc        bool // exec.start runs /etc/rc (see rcStart)
}

// parseJailConf reads the block of jail name in conf; found says
// whether conf has one.
func parseJailConf(a []string, conf, name string, jid int) (spec jailSpec, found bool, err error) {
	spec.jail = Jail{Name: name, JID: jid, IP4: []string{}, IP6: []string{}, Running: []string{}}
	for _, line := range strings.Split(conf, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, name+" {") {
			found = true
			continue
		}
		if !found {
			continue
		}
		if t == "}" {
			break
		}
		if err := spec.param(a, t); err != nil {
			return spec, found, err
		}
	}
	return spec, found, nil
}

// param applies the parameter line t of the jail's block; parameters
// the fake host does not simulate are ignored.
func (s *jailSpec) param(a []string, t string) error {
	j := &s.jail
	key, val, _ := strings.Cut(t, "=")
	key = strings.TrimSpace(strings.TrimSuffix(key, "+"))
	strs := confStrRE.FindAllStringSubmatch(val, -1)
	switch key {
	case "path":
		if len(strs) > 0 {
			j.Path = strings.ReplaceAll(strs[0][1], "${name}", j.Name)
		}
	case "host.hostname":
		if len(strs) > 0 {
			j.Hostname = strs[0][1]
		}
	case "vnet;":
		j.VNet = true
	case "vnet.interface":
		if len(strs) > 0 {
			s.vnetIface = strs[0][1]
		}
	case "exec.start":
		s.rc = len(strs) > 0 && strs[0][1] == "/bin/sh /etc/rc"
	case "exec.prestart", "exec.poststop":
		if len(strs) == 0 {
			return nil
		}
		argv := strings.Fields(strs[0][1])
		if len(argv) == 0 || argv[0] != "/sbin/ifconfig" {
			return fail(a, "fakehost: %s %q is not simulated", key, strs[0][1])
		}
		argv[0] = "ifconfig"
		// jail(8) runs these through sh -c; the fake host holds them
		// to ifconfig's own option string as any other argv.
		if err := getopt.Check(argv); err != nil {
			logRefused(argv, err)
			return fail(a, "jail: %s: %s: %v", j.Name, key, err)
		}
		if key == "exec.prestart" {
			s.prestart = append(s.prestart, argv)
		} else {
			j.Poststop = append(j.Poststop, argv)
		}
	case "ip4.addr", "ip6.addr":
		for _, m := range strs {
			ifc, addr, ok := strings.Cut(m[1], "|")
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
	return nil
}

// checkJail refuses j, about to be created from conf, as jail(8) would
// next to the jails of st.
func (h *Host) checkJail(st State, a []string, j Jail, conf string) error {
	if _, err := h.files.Lstat(path.Join(j.Path, "etc")); err != nil {
		return fail(a, "jail: %s: %s/etc: No such file or directory", j.Name, j.Path)
	}
	if err := h.checkMounts(a, j.Name, conf); err != nil {
		return err
	}
	for _, other := range st.Jails {
		if j.VNet || other.VNet {
			continue // separate network stacks
		}
		for _, ip := range j.IP4 {
			if slices.Contains(other.IP4, ip) {
				return fail(a, "jail: %s: ip4.addr %s: Address already in use", j.Name, ip)
			}
		}
	}
	return nil
}

// checkMounts checks every nullfs mount in conf, the whole file and not
// only the block of jail name.
func (h *Host) checkMounts(a []string, name, conf string) error {
	// nullfs mounts need both ends, as mount(8) does.
	for _, m := range mountRE.FindAllStringSubmatch(conf, -1) {
		for _, p := range []string{m[1], m[2]} {
			if fi, err := h.files.Lstat(p); err != nil || !fi.IsDir() {
				return fail(a, "jail: %s: mount.fstab: nullfs %s: No such file or directory", name, p)
			}
		}
	}
	return nil
}

// attachVNet gives the VNET jail of spec its interface, in st.
func (h *Host) attachVNet(st *State, a []string, spec *jailSpec) error {
	j, iface := &spec.jail, spec.vnetIface
	// jail(8) runs exec.prestart, then moves vnet.interface into
	// the new jail; a failure leaves nothing (st is not saved).
	for _, c := range spec.prestart {
		if err := h.ifconfigCmd(st, c); err != nil {
			return fail(a, "jail: %s: exec.prestart %s: %v", j.Name, strings.Join(c, " "), err)
		}
	}
	k := slices.IndexFunc(st.NetIfs, func(x NetIf) bool { return x.Name == iface })
	if iface == "" || k < 0 || st.NetIfs[k].Jail != "" {
		return fail(a, "jail: %s: vnet.interface %s: No such interface", j.Name, iface)
	}
	st.NetIfs[k].Jail = j.Name
	// The jail's rc runs netif, which reads rc.conf.d/netif.
	if data, err := h.files.ReadFile(path.Join(j.Path, "etc/rc.conf.d/netif")); err == nil {
		for _, m := range netifRE.FindAllStringSubmatch(string(data), -1) {
			if m[1] != iface {
				continue
			}
			if m[2] == "inet" {
				j.IP4 = append(j.IP4, m[3])
			} else {
				j.IP6 = append(j.IP6, m[3])
			}
		}
	}
	return nil
}
