package install

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
)

// IncludeLine is the line /etc/jail.conf needs on FreeBSD 14+ so that
// "service jail start" finds the per-jail files.
const IncludeLine = `.include "/etc/jail.conf.d/*.conf";`

// includeRE matches the .include line however it is spaced, so an
// admin's own copy of it is not added twice.
var includeRE = regexp.MustCompile(`(?m)^[ \t]*\.include[ \t]+"/etc/jail\.conf\.d/\*\.conf"[ \t]*;`)

// HasInclude reports whether a jail.conf already includes jail.conf.d.
func HasInclude(jailConf []byte) bool { return includeRE.Match(jailConf) }

// thinMounts are the base directories a thin jail mounts read-only from
// the shared base; everything else (etc, var, root, tmp, usr/local) is the
// jail's own.
var thinMounts = []string{"/bin", "/boot", "/lib", "/libexec", "/rescue", "/sbin",
	"/usr/bin", "/usr/include", "/usr/lib", "/usr/libdata", "/usr/libexec", "/usr/sbin", "/usr/share"}

// thinOwn are the directories of the base a thin jail has its own,
// writable copy of (copied from the patched shared base).
var thinOwn = []string{"./etc", "./var", "./root", "./tmp", "./dev"}

// jailConfInput is what the jail.conf file is made from.
type jailConfInput struct {
	v            *render.Values
	iface        string
	devfsRuleset int
	base         string // shared base for a thin jail, "" for thick
	vnet         *plan.VNet
	loopback     string // first IPv4 address, on lo0 (see pickLoopback)
	ports        bool   // mount the host's ports tree read-only
}

// renderJailConf renders /etc/jail.conf.d/NAME.conf with the hardened
// parameters: jail(8) adds and removes the addresses itself
// ("IF|ADDR/32"), statfs is hidden, the securelevel is raised, child
// jails, raw sockets, System V IPC, chflags and mounts are off.
func renderJailConf(in jailConfInput) []byte {
	v, j := in.v, in.v.Jail
	var c jailConf
	fmt.Fprintf(&c, "# %s, written by jailkit for the %s recipe (%s).\n", state.JailConfPath(j.Name), v.Recipe.Name, v.Recipe.Version)
	fmt.Fprintf(&c, "# Plain jail.conf(5): \"service jail start %s\" works without jailkit.\n", j.Name)
	fmt.Fprintf(&c, "# jailkit rewrites this file on install; \"jailkit uninstall %s\" removes it.\n", j.Name)
	fmt.Fprintf(&c, "%s {\n", j.Name)
	c.param("path", j.Path)
	c.param("host.hostname", j.Hostname)
	if in.vnet != nil {
		c.vnet(in.vnet)
	} else {
		c.addrs("ip4.addr", in.iface, j.IP4s, 32, in.loopback)
		c.addrs("ip6.addr", in.iface, j.IP6s, 128, "")
	}
	c.mounts(in)
	c.WriteString("\texec.start = \"/bin/sh /etc/rc\";\n")
	c.WriteString("\texec.stop = \"/bin/sh /etc/rc.shutdown jail\";\n")
	c.WriteString("\texec.clean;\n")
	c.hardening(v.Recipe)
	c.WriteString("}\n")
	return []byte(c.String())
}

// jailConf builds the text of a jail.conf(5) block.
type jailConf struct{ strings.Builder }

// param writes a quoted parameter.
func (c *jailConf) param(k, val string) { fmt.Fprintf(c, "\t%s = %q;\n", k, val) }

// addrs writes a shared-IP jail's addresses of one family as
// "IF|ADDR/bits", or disables the family when it has none. A loopback
// address goes first, on lo0: the first address is the jail's primary.
func (c *jailConf) addrs(key, iface string, ips []string, bits int, loopback string) {
	if len(ips) == 0 {
		fmt.Fprintf(c, "\t%s = disable;\n", strings.TrimSuffix(key, ".addr"))
		return
	}
	var parts []string
	if loopback != "" {
		parts = append(parts, fmt.Sprintf("%q", fmt.Sprintf("lo0|%s/%d", loopback, bits)))
	}
	for _, ip := range ips {
		parts = append(parts, fmt.Sprintf("%q", fmt.Sprintf("%s|%s/%d", iface, ip, bits)))
	}
	fmt.Fprintf(c, "\t%s = %s;\n", key, strings.Join(parts, ", "))
}

// vnet writes a VNET jail's network parameters.
func (c *jailConf) vnet(vn *plan.VNet) {
	// Its own network stack: the jail configures its addresses on
	// its side of the epair from /etc/rc.conf.d/netif; jail(8)
	// creates the epair and puts the host's side on the bridge, as
	// the Handbook's VNET example does. Every word is a checked
	// interface name.
	pair := strings.TrimSuffix(vn.Host(), "a")
	c.WriteString("\tvnet;\n")
	c.param("vnet.interface", vn.Jail())
	fmt.Fprintf(c, "\texec.prestart += %q;\n", "/sbin/ifconfig "+pair+" create up")
	fmt.Fprintf(c, "\texec.prestart += %q;\n", "/sbin/ifconfig "+vn.Bridge+" addm "+vn.Host()+" up")
	fmt.Fprintf(c, "\texec.poststop += %q;\n", "/sbin/ifconfig "+vn.Host()+" destroy")
}

// mounts writes devfs with the jail's ruleset, a thin jail's read-only
// base and the recipe's mounts.
func (c *jailConf) mounts(in jailConfInput) {
	j := in.v.Jail
	c.WriteString("\tmount.devfs;\n")
	fmt.Fprintf(c, "\tdevfs_ruleset = %d;\n", in.devfsRuleset)
	if in.base != "" {
		c.WriteString("\t# Thin jail: the base system is shared read-only with nullfs.\n")
		for _, m := range thinMounts {
			fmt.Fprintf(c, "\tmount += %q;\n", fmt.Sprintf("%s%s %s%s nullfs ro 0 0", in.base, m, j.Path, m))
		}
	}
	for _, m := range in.v.Recipe.Host.Mounts {
		opts := m.Options
		if opts == "" {
			opts = "rw"
		}
		fmt.Fprintf(c, "\tmount += %q;\n", fmt.Sprintf("%s %s%s %s %s 0 0", m.Source, j.Path, m.Path, m.FSType, opts))
	}
	if in.ports {
		c.WriteString("\t# install --ports: the host's ports tree, read-only.\n")
		fmt.Fprintf(c, "\tmount += %q;\n", fmt.Sprintf("%s %s%s nullfs ro 0 0", PortsDir, j.Path, PortsDir))
	}
}

// hardening writes the hardening parameters, then what the recipe's
// capabilities write in place of the lines they replace, then the
// recipe's own jail_params in name order. Each of those is from the
// recipe vocabulary (engine/recipe/hostvocab.go): securelevel may only
// rise, and nothing else here can be loosened by a jail_param.
func (c *jailConf) hardening(r *recipe.Recipe) {
	params := r.Host.JailParams
	capParams, replaced := r.CapabilityJailParams()
	c.WriteString("\t# Hardening (jailkit check explains each line).\n")
	for _, h := range []struct{ k, v string }{{"enforce_statfs", "2"}, {"securelevel", "2"}, {"children.max", "0"}} {
		if rv, ok := params[h.k]; ok && rv != "" {
			h.v = rv
		}
		fmt.Fprintf(c, "\t%s = %s;\n", h.k, h.v)
	}
	for _, p := range []string{"allow.noset_hostname", "allow.nosysvipc", "allow.noraw_sockets", "allow.nochflags", "allow.nomount", "allow.nosocket_af"} {
		if !slices.Contains(replaced, p) {
			fmt.Fprintf(c, "\t%s;\n", p)
		}
	}
	if len(capParams) > 0 {
		fmt.Fprintf(c, "\t# Granted capabilities: %s.\n", strings.Join(r.Capabilities, ", "))
		for _, p := range capParams {
			fmt.Fprintf(c, "\t%s;\n", p)
		}
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		switch k {
		case "enforce_statfs", "securelevel", "children.max":
			continue // written above
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if val := params[k]; val == "" {
			fmt.Fprintf(c, "\t%s;\n", k)
		} else {
			c.param(k, val)
		}
	}
}

// devfsBlock is the ruleset jailkit appends to /etc/devfs.rules for a jail
// whose recipe needs devices beyond devfsrules_jail.
// A VNET jail's ruleset builds on devfsrules_jail_vnet (which adds pf).
func devfsBlock(jail string, number int, unhide []string, vnet bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# jailkit: devices for jail %s\n", jail)
	fmt.Fprintf(&b, "[devfsrules_jailkit_%s=%d]\n", strings.ReplaceAll(jail, "-", "_"), number)
	if vnet {
		b.WriteString("add include $devfsrules_jail_vnet\n")
	} else {
		b.WriteString("add include $devfsrules_jail\n")
	}
	for _, u := range unhide {
		fmt.Fprintf(&b, "add path '%s' unhide\n", u)
	}
	return b.String()
}

// removeText removes the first occurrence of block (a line or a ruleset
// jailkit added) from data, with the blank line jailkit put before it.
func removeText(data []byte, block string) ([]byte, bool) {
	s := string(data)
	for _, cand := range []string{"\n" + block, block} {
		if i := strings.Index(s, cand); i >= 0 {
			return []byte(s[:i] + s[i+len(cand):]), true
		}
	}
	return data, false
}

// appendText appends block to data on a line of its own, separated from
// what was there by a blank line when data is not empty.
func appendText(data []byte, block string) []byte {
	s := string(data)
	if s == "" {
		return []byte(block)
	}
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return []byte(s + "\n" + block)
}
