package install

import (
	"fmt"
	"net/netip"
	"net/url"
	"path"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/hostcheck"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// checkMirror accepts an http, https, ftp or file URL: it is handed to
// fetch(1) as an argument, so it must not look like an option.
func checkMirror(m string) error {
	u, err := url.Parse(m)
	bad := err != nil || u.Host == "" && u.Scheme != "file" || strings.ContainsFunc(m, func(r rune) bool { return r <= ' ' || r == 0x7f })
	switch {
	case bad:
	case u.Scheme == "http", u.Scheme == "https", u.Scheme == "ftp", u.Scheme == "file":
		return nil
	}
	return &inputerr.FieldError{Field: "--mirror", Problem: fmt.Sprintf("%q is not an http, https, ftp or file URL", m),
		Hint: "give a mirror such as " + DefaultMirror}
}

// checkRelease refuses a jail the host cannot run.
func (p *planner) checkRelease(hostRelease, hostArch string) error {
	j := p.v.Jail
	if hostRelease != "" {
		_, hmaj, hmin := freebsd.ParseRelease([]byte(hostRelease))
		_, jmaj, jmin := freebsd.ParseRelease([]byte(j.Release))
		if jmaj > hmaj || (jmaj == hmaj && jmin > hmin) {
			return &inputerr.FieldError{Field: "--release", Problem: fmt.Sprintf("%s is newer than the host's %s; a jail runs on the host's kernel", j.Release, hostRelease),
				Hint: "use --release " + hostRelease + " or an older release"}
		}
	}
	if hostArch != "" && j.Arch != hostArch && !(hostArch == "amd64" && j.Arch == "i386") {
		return &inputerr.FieldError{Field: "--arch", Problem: fmt.Sprintf("a %s host cannot run a %s jail", hostArch, j.Arch),
			Hint: "use --arch " + hostArch + " (or i386 on an amd64 host)"}
	}
	return nil
}

// checkMountSources refuses a nullfs mount of the jails directory, or of
// a directory that holds it: other jails' roots live there.
func (p *planner) checkMountSources() error {
	for _, m := range p.v.Recipe.Host.Mounts {
		if m.FSType != "nullfs" {
			continue
		}
		if err := recipe.CheckHostSource(m.Path, m.Source, path.Clean(p.opts.JailsDir)); err != nil {
			return &inputerr.FieldError{Field: "host.mounts", Problem: err.Error(),
				Hint: "a recipe may not share the jails directory, where other jails' roots live"}
		}
	}
	return nil
}

// checkName refuses a name that belongs to a jail jailkit did not make,
// or to a jailkit jail of another recipe.
func (p *planner) checkName() error {
	j := p.v.Jail
	if p.old != nil {
		if p.old.Recipe != p.v.Recipe.Name {
			return &inputerr.FieldError{Field: "--name", Problem: fmt.Sprintf("jail %s is already installed from the %s recipe", j.Name, p.old.Recipe),
				Hint: fmt.Sprintf("choose another --name, or run jailkit uninstall %s first", j.Name)}
		}
		return nil
	}
	taken := func(where string) error {
		return &inputerr.FieldError{Field: "--name", Problem: fmt.Sprintf("jail name %s is already taken (%s)", j.Name, where),
			Hint: "choose another --name; jailkit never takes over a jail it did not create"}
	}
	for _, jl := range p.facts.Jails {
		if jl.Name == j.Name {
			return taken("a running jail has it")
		}
	}
	for _, jl := range p.facts.Configured {
		if jl.Name == j.Name {
			return taken("configured in " + jl.Source)
		}
	}
	if p.exists(state.JailConfPath(j.Name)) {
		return taken(state.JailConfPath(j.Name) + " exists")
	}
	if p.exists(j.Path) {
		return taken(j.Path + " exists")
	}
	return nil
}

// pickInterface chooses the host interface for the jail's addresses: the
// one given, else the one whose subnet holds the address, else the first
// that is up and not a loopback.
func (p *planner) pickInterface(notes *[]string) error {
	j := &p.v.Jail
	if p.old != nil && j.Interface == "" {
		j.Interface = p.old.Interface
	}
	_, haveIfaces := p.facts.Missing[hostcheck.FactInterfaces]
	haveIfaces = !haveIfaces
	if j.Interface != "" {
		if !haveIfaces {
			return nil
		}
		for _, ifc := range p.facts.Interfaces {
			if ifc.Name == j.Interface {
				return nil
			}
		}
		hint := "use one of the host's interfaces (ifconfig -l)"
		if strings.HasPrefix(j.Interface, "lo") {
			hint = fmt.Sprintf("create it first: sysrc cloned_interfaces+=%s && service netif cloneup", j.Interface)
		}
		return &inputerr.FieldError{Field: "--interface", Problem: fmt.Sprintf("the host has no interface %s", j.Interface), Hint: hint}
	}
	if a, err := netip.ParseAddr(j.IP()); err == nil {
		for _, ifc := range p.facts.Interfaces {
			for _, pr := range ifc.Prefixes {
				if pr.Bits() < pr.Addr().BitLen() && pr.Masked().Contains(a) {
					j.Interface = ifc.Name
					return nil
				}
			}
		}
	}
	for _, ifc := range p.facts.Interfaces {
		if ifc.Up && !ifc.Loopback && len(ifc.Prefixes) > 0 {
			j.Interface = ifc.Name
			*notes = append(*notes, fmt.Sprintf("no host subnet holds %s; using interface %s (give --interface)", j.IP(), ifc.Name))
			return nil
		}
	}
	j.Interface = "em0"
	*notes = append(*notes, "the host's interfaces could not be read; using em0 (give --interface)")
	return nil
}

// checkAddrs judges the jail's addresses by the one rule of jail addresses
// (recipe.CheckJailAddr) now that the interface is known, and against the
// host's own addresses: an address of the host, or its subnet's network
// or broadcast address, is never a jail's. Addresses the host shows
// because a jail holds them are left to the duplicate check.
func (p *planner) checkAddrs() error {
	j := &p.v.Jail
	var hostAddrs []netip.Prefix
	for _, ifc := range p.facts.Interfaces {
		hostAddrs = append(hostAddrs, ifc.Prefixes...)
	}
	own := p.facts.JailAddrs()
	var errs inputerr.ErrorList
	for _, raw := range append(append([]string{}, j.IP4s...), j.IP6s...) {
		a, err := netip.ParseAddr(raw)
		if err != nil {
			continue
		}
		why := recipe.CheckJailAddr(a, -1, j.Interface)
		if why == "" {
			why = recipe.HostAddrClash(a, hostAddrs, own)
		}
		if why != "" {
			hint := "give the jail an address of its own on the host's subnet"
			if a.IsLoopback() {
				hint = "create a cloned loopback first (sysrc cloned_interfaces+=lo1 && service netif cloneup) and add --interface lo1"
			}
			errs = append(errs, &inputerr.FieldError{Field: "--ip", Problem: fmt.Sprintf("%s %s", a, why), Hint: hint})
		}
	}
	return errs.Err()
}

// fillResolvers copies the host's name servers into an empty resolvers
// parameter so pkg can resolve names inside the jail. Loopback servers
// (a local_unbound on the host) do not answer inside a jail and are left
// out.
func (p *planner) fillResolvers() []string {
	cur, _ := p.v.Params["resolvers"].([]any)
	if len(cur) > 0 {
		return nil
	}
	data, err := p.sys.ReadFile("/etc/resolv.conf")
	if err != nil {
		return []string{"the host's /etc/resolv.conf could not be read: give --set resolvers=ADDR so pkg works in the jail"}
	}
	var servers []any
	for _, ns := range ParseResolvConf(data) {
		if a, err := netip.ParseAddr(ns); err == nil && !a.IsLoopback() && !a.IsUnspecified() {
			servers = append(servers, a.String())
		}
	}
	if len(servers) == 0 {
		return []string{"the host's /etc/resolv.conf names no usable name server: give --set resolvers=ADDR so pkg works in the jail"}
	}
	p.v.Params["resolvers"] = servers
	return nil
}

// ParseResolvConf returns the nameserver addresses of a resolv.conf.
func ParseResolvConf(data []byte) []string {
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			out = append(out, f[1])
		}
	}
	return out
}
