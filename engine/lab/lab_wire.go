package lab

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
)

// Spec is one lab jail ready for the install engine: its recipe and
// the JailSpec that "jailkit install" would take for it, with every
// cross-wired value already among its --set values.
type Spec struct {
	Jail   *Jail
	Recipe *recipe.Recipe
	Spec   render.JailSpec
	// Stage orders installs: every jail of stage 0 (the name servers) is
	// up before any jail of stage 1 starts, because the others resolve
	// (and fetch their packages) through them.
	Stage int
}

// Stage numbers of Spec.
const (
	StageNameServers = 0
	StageServices    = 1
)

// Specs wires the lab's jails to each other and returns them in
// dependency order: the name servers first, then every other jail in file
// order. The lab's values come first in each Sets and the user's own
// params after them, so a param written in the file wins, except the dns
// jail's records, where the user's records are added to the lab's.
func (l *Lab) Specs() []Spec {
	w := l.wiring()
	out := make([]Spec, 0, len(l.Jails))
	for _, stage := range []int{StageNameServers, StageServices} {
		for _, j := range l.Jails {
			if labStage(j) != stage {
				continue
			}
			out = append(out, Spec{Jail: j, Recipe: j.Recipe, Spec: l.spec(j, w), Stage: stage})
		}
	}
	return out
}

// labStage puts the name servers first: the other jails resolve (and
// fetch their packages) through them.
func labStage(j *Jail) int {
	if j.Recipe.Roles.DNS != nil {
		return StageNameServers
	}
	return StageServices
}

// labWiring is what every jail learns about the others.
type labWiring struct {
	resolvers string // the lab's name servers, comma separated
	primary   *Jail
	records   string // records for the primary's zone
	vnetIndex map[*Jail]int
}

func (l *Lab) wiring() *labWiring {
	w := &labWiring{vnetIndex: map[*Jail]int{}}
	var ns []string
	for _, j := range l.Jails {
		if j.Recipe.Roles.DNS == nil {
			continue
		}
		if j.isPrimary() {
			w.primary = j
			ns = append([]string{j.Addr.String()}, ns...)
		} else {
			ns = append(ns, j.Addr.String())
		}
	}
	w.resolvers = strings.Join(ns, ",")
	if w.primary != nil {
		var sb strings.Builder
		sb.Grow(len(l.Jails) * 32)
		for _, j := range l.Jails {
			if j == w.primary {
				continue // the recipe writes the server's own record
			}
			if sb.Len() > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(render.RelName(j.Hostname, l.Network.Domain))
			sb.WriteString("=A:")
			sb.WriteString(j.Addr.String())
		}
		for _, j := range l.Jails {
			mail := j.Recipe.Roles.Mail
			if mail == nil {
				continue
			}
			prio, ok := j.param(mail.MXPriority)
			if !ok || mail.MXPriority == "" {
				prio = "10"
			}
			if sb.Len() > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "@=MX:%s:%s", prio, render.RelName(j.Hostname, l.Network.Domain))
		}
		w.records = sb.String()
	}
	if l.Network.VNet {
		for i, j := range l.Jails {
			w.vnetIndex[j] = i
		}
	}
	return w
}

// spec builds the JailSpec of one lab jail.
func (l *Lab) spec(j *Jail, w *labWiring) render.JailSpec {
	n := &l.Network
	ip := j.Addr.String()
	if n.VNet {
		// A VNET jail configures its own interface, so it needs the
		// subnet's prefix; a shared-IP jail gets a /32 alias.
		ip += "/" + strconv.Itoa(n.Subnet.Bits())
	}
	s := render.JailSpec{Name: j.Name, Hostname: j.Hostname, IPs: []string{ip}, Interface: n.Interface, Release: l.Release, Grants: j.Grants}
	var sets []string
	set := func(name, value string) {
		if name != "" && hasParam(j.Recipe, name) {
			sets = append(sets, name+"="+value)
		}
	}
	if w.resolvers != "" {
		set("resolvers", w.resolvers)
	}
	if n.Loghost.IsValid() && n.Loghost != j.Addr {
		// The loghost jail itself must not forward to itself: every
		// message it receives would loop back into it.
		set("loghost", n.Loghost.String())
	}
	roles := j.Recipe.Roles
	if roles.DNS != nil {
		w.wireDNS(j, n, set)
	}
	if roles.DHCP != nil {
		w.wireDHCP(j, n, set)
	}
	if n.VNet && j.Recipe.Host.VNet != "" && j.Recipe.Host.VNet != "no" {
		// A recipe that can have its own network stack gets one in a
		// VNET lab, on the epair the install engine makes for it.
		set("vnet", "true")
		set("interfaces", VNetInterface(w.vnetIndex[j]))
	}
	if mail := roles.Mail; mail != nil {
		set(mail.Domain, n.Domain)
		set(mail.Networks, n.Subnet.String())
	}
	for _, p := range j.Params {
		if roles.DNS != nil && p.Name == roles.DNS.Records && j == w.primary {
			continue // merged above
		}
		sets = append(sets, p.Name+"="+p.Value)
	}
	s.Sets = sets
	return s
}

// setParam sets a recipe parameter of a lab jail, if the recipe has it.
type setParam func(name, value string)

// wireDNS hands a name server the lab's zone and, for the primary, the
// records of every jail.
func (w *labWiring) wireDNS(j *Jail, n *Network, set setParam) {
	dns := j.Recipe.Roles.DNS
	set(dns.Zone, n.Domain)
	if j == w.primary {
		recs := w.records
		if user, ok := j.param(dns.Records); ok && user != "" {
			if recs != "" {
				recs += ","
			}
			recs += user
		}
		if recs != "" {
			set(dns.Records, recs)
		}
	}
	// The lab's jails resolve through this server, so it recurses for the
	// lab's subnet (BIND uses the root hints, or the forwarders when the
	// network names some).
	set(dns.Recursion, n.Subnet.String())
	if len(n.Forwarders) > 0 {
		set(dns.Forwarders, joinAddrs(n.Forwarders))
	}
}

// wireDHCP hands a DHCP server the lab's network and name servers.
func (w *labWiring) wireDHCP(j *Jail, n *Network, set setParam) {
	dhcp := j.Recipe.Roles.DHCP
	set(dhcp.Subnet, n.Subnet.String())
	set(dhcp.Routers, n.Gateway.String())
	set(dhcp.Domain, n.Domain)
	if w.resolvers != "" {
		set(dhcp.NameServers, w.resolvers)
	}
	if start, end, ok := labDHCPRange(n.Subnet, dhcp, j.Params); ok {
		set(dhcp.RangeStart, start.String())
		set(dhcp.RangeEnd, end.String())
	}
}

// VNetInterface names the jail's side of the epair of the i-th jail of a
// VNET lab: the install engine creates epairNa on the host's bridge and
// hands epairNb to the jail.
func VNetInterface(i int) string { return "epair" + strconv.Itoa(i) + "b" }

func hasParam(r *recipe.Recipe, name string) bool {
	for _, p := range r.AllParams() {
		if p.Name == name {
			return true
		}
	}
	return false
}

func joinAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}

// Values validates every lab jail against its recipe, in the order of
// Specs. An error here is a param of the file that the recipe refused
// once wired (the file's own values were checked by Parse); it names
// the jail.
func (l *Lab) Values() ([]*render.Values, error) {
	specs := l.Specs()
	out := make([]*render.Values, 0, len(specs))
	var errs inputerr.ErrorList
	for _, s := range specs {
		v, err := render.NewValues(s.Recipe, s.Spec)
		if err != nil {
			errs = append(errs, &inputerr.PosError{File: l.Source, Line: s.Jail.Line, Msg: fmt.Sprintf("jail %s: %v", s.Jail.Name, strings.ReplaceAll(err.Error(), "\n", "; "))})
			continue
		}
		out = append(out, v)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}
