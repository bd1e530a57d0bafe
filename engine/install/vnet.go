package install

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// DefaultBridge is the host bridge a VNET jail's epair joins when
// Options.Bridge is empty.
const DefaultBridge = "bridge0"

var (
	// epairSideRE is the jail's side of an epair, as --set interfaces
	// may name it.
	epairSideRE = regexp.MustCompile(`^epair([0-9]{1,4})b$`)
	// epairAnyRE finds epair numbers in interface names and jail
	// parameters (vnet.interface, exec.prestart lines).
	epairAnyRE = regexp.MustCompile(`\bepair([0-9]{1,4})[ab]?\b`)
)

// maxEpair bounds the search for a free epair number.
const maxEpair = 9999

// wantVNet decides whether the jail gets its own network stack: always
// for a recipe whose host.vnet is "required", and for "optional" when
// the bool parameter vnet is true.
func wantVNet(v *render.Values) bool {
	switch v.Recipe.Host.VNet {
	case "required":
		return true
	case "optional":
		on, _ := v.Params["vnet"].(bool)
		return on
	}
	return false
}

// planVNet picks the bridge and the epair of a VNET jail and fills the
// jail's side into an empty interfaces parameter (the recipe's netif
// file configures it). It keeps what an earlier install recorded.
func (p *planner) planVNet(notes *[]string) error {
	want := wantVNet(p.v)
	if err := p.checkVNetKept(want); err != nil {
		return err
	}
	if !want {
		if p.opts.Bridge != "" {
			return &inputerr.FieldError{Field: "--bridge", Problem: "only a VNET jail joins a bridge",
				Hint: "drop --bridge, or install a VNET jail (--set vnet=true where the recipe has it)"}
		}
		return nil
	}
	if err := p.vnetPrefix(notes); err != nil {
		return err
	}
	bridge, err := p.pickBridge()
	if err != nil {
		return err
	}
	ifaces, hasIfaces := p.v.Params["interfaces"].([]any)
	n, err := p.pickEpair(ifaces)
	if err != nil {
		return err
	}
	p.vnet = &plan.VNet{Epair: n, Bridge: bridge}
	if hasIfaces && len(ifaces) == 0 {
		p.v.Params["interfaces"] = []any{p.vnet.Jail()}
	}
	for _, ifc := range p.facts.Interfaces {
		if ifc.Name == bridge {
			p.bridgeExists = true
		}
	}
	return p.checkUplink()
}

// checkVNetKept refuses a re-install that would switch the jail between
// a shared-IP and a VNET jail.
func (p *planner) checkVNetKept(want bool) error {
	if p.old == nil || (p.old.VNet != nil) == want {
		return nil
	}
	was := "a shared-IP jail"
	if p.old.VNet != nil {
		was = "a VNET jail"
	}
	return &inputerr.FieldError{Field: "vnet", Problem: fmt.Sprintf("jail %s is installed as %s; a re-install cannot change that", p.v.Jail.Name, was),
		Hint: fmt.Sprintf("keep the vnet value, or run jailkit uninstall %s first", p.v.Jail.Name)}
}

// pickBridge returns the bridge the jail joins: the one an earlier
// install recorded, else --bridge, else DefaultBridge.
func (p *planner) pickBridge() (string, error) {
	bridge := p.opts.Bridge
	if p.old != nil {
		if bridge != "" && bridge != p.old.VNet.Bridge {
			return "", &inputerr.FieldError{Field: "--bridge", Problem: fmt.Sprintf("jail %s is on bridge %s; a re-install cannot move it", p.v.Jail.Name, p.old.VNet.Bridge),
				Hint: fmt.Sprintf("drop --bridge, or run jailkit uninstall %s first", p.v.Jail.Name)}
		}
		bridge = p.old.VNet.Bridge
	}
	if bridge == "" {
		bridge = DefaultBridge
	}
	if !state.ValidBridgeName(bridge) {
		return "", &inputerr.FieldError{Field: "--bridge", Problem: fmt.Sprintf("%q is not a bridge interface name", bridge),
			Hint: "give a bridge such as bridge0 (if_bridge(4) names its clones bridgeN)"}
	}
	return bridge, nil
}

// pickEpair returns the jail's epair number: the one an earlier install
// recorded, else the one the interfaces parameter names, else the first
// free one.
func (p *planner) pickEpair(ifaces []any) (int, error) {
	named := -1
	if len(ifaces) > 0 {
		first, _ := ifaces[0].(string)
		m := epairSideRE.FindStringSubmatch(first)
		if m == nil {
			return -1, &inputerr.FieldError{Field: "--set interfaces", Problem: fmt.Sprintf("%q is not the jail's side of an epair; a VNET jail configures its address on epairNb", first),
				Hint: "drop interfaces (jailkit picks a free epair), or name one such as epair3b first"}
		}
		named, _ = strconv.Atoi(m[1])
	}
	switch {
	case p.old != nil:
		n := p.old.VNet.Epair
		if named >= 0 && named != n {
			return -1, &inputerr.FieldError{Field: "--set interfaces", Problem: fmt.Sprintf("jail %s has epair%d; a re-install cannot change it to epair%d", p.v.Jail.Name, n, named),
				Hint: fmt.Sprintf("name epair%db or drop interfaces", n)}
		}
		return n, nil
	case named >= 0:
		if why := p.epairUsed()[named]; why != "" {
			return -1, &inputerr.FieldError{Field: "--set interfaces", Problem: fmt.Sprintf("epair%d is already used (%s)", named, why),
				Hint: "drop interfaces so jailkit picks a free epair, or name another"}
		}
		return named, nil
	}
	used := p.epairUsed()
	for i := 0; i <= maxEpair; i++ {
		if used[i] == "" {
			return i, nil
		}
	}
	return -1, &inputerr.FieldError{Field: "vnet", Problem: "every epair number up to 9999 is in use", Hint: "remove unused epair interfaces (ifconfig epairNa destroy)"}
}

// checkUplink refuses to plan a bridge FreeBSD would refuse to build:
// since 15.0, ifconfig will not add a member that has an IP address
// (EINVAL) unless net.link.bridge.member_ifaddrs=1, and the host's
// address then belongs on the bridge, a move jailkit does not make
// for the admin (it can cut off a remote session).
func (p *planner) checkUplink() error {
	if p.bridgeExists {
		return nil
	}
	_, major, _ := freebsd.ParseRelease([]byte(p.facts.Release))
	if major < 15 {
		return nil
	}
	if v, err := p.sys.Sysctl("net.link.bridge.member_ifaddrs"); err == nil && strings.TrimSpace(v) == "1" {
		return nil
	}
	up := p.v.Jail.Interface
	for _, ifc := range p.facts.Interfaces {
		if ifc.Name == up && len(ifc.Prefixes) > 0 {
			b := p.vnet.Bridge
			return &inputerr.FieldError{Field: "--bridge", Problem: fmt.Sprintf("the host has no %s, and FreeBSD %d refuses to add %s to a bridge while %s has an address", b, major, up, up),
				Hint: fmt.Sprintf("create %s yourself with the host's address on it (sysrc cloned_interfaces+=%s ifconfig_%s=\"addm %s inet ADDR/LEN\" ifconfig_%s=up), or give --bridge with an existing bridge", b, b, b, up, up)}
		}
	}
	return nil
}

// vnetPrefix gives a VNET jail's first IPv4 address the prefix of the
// host subnet that holds it when --ip gave none: the jail configures its
// own interface, and with a /32 it would have no route to its LAN.
func (p *planner) vnetPrefix(notes *[]string) error {
	j := &p.v.Jail
	if len(j.IP4s) == 0 || j.Prefix4 != 32 {
		return nil
	}
	a, err := netip.ParseAddr(j.IP4s[0])
	if err != nil {
		return nil
	}
	for _, ifc := range p.facts.Interfaces {
		for _, pr := range ifc.Prefixes {
			if pr.Bits() < 32 && pr.Masked().Contains(a) {
				j.Prefix4 = pr.Bits()
				*notes = append(*notes, fmt.Sprintf("a VNET jail configures its own interface: %s gets the /%d of %s's subnet (give --ip %s/LEN for another)", a, pr.Bits(), ifc.Name, a))
				return nil
			}
		}
	}
	return &inputerr.FieldError{Field: "--ip", Problem: fmt.Sprintf("a VNET jail configures %s on its own interface and needs the subnet's prefix, which no host interface tells", a),
		Hint: fmt.Sprintf("give it with the address, such as --ip %s/24", a)}
}

// epairUsed maps each epair number in use to what uses it: an interface
// on the host, a running or configured jail, another jailkit jail.
func (p *planner) epairUsed() map[int]string {
	used := map[int]string{}
	note := func(s, why string) {
		for _, m := range epairAnyRE.FindAllStringSubmatch(s, -1) {
			if n, err := strconv.Atoi(m[1]); err == nil && used[n] == "" {
				used[n] = why
			}
		}
	}
	for _, ifc := range p.facts.Interfaces {
		note(ifc.Name, "the host has "+ifc.Name)
	}
	for _, j := range slices.Concat(p.facts.Jails, p.facts.Configured) {
		if j.Name == p.v.Jail.Name {
			continue
		}
		keys := make([]string, 0, len(j.Params))
		for k := range j.Params {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if k == "vnet.interface" || strings.HasPrefix(k, "exec.") {
				note(j.Params[k], "jail "+j.Name+" uses it")
			}
		}
	}
	if states, err := state.ListStates(p.sys); err == nil {
		for _, s := range states {
			if s.Name != p.v.Jail.Name && s.VNet != nil && used[s.VNet.Epair] == "" {
				used[s.VNet.Epair] = "jailkit jail " + s.Name + " has it"
			}
		}
	}
	return used
}

// bridgeVars returns the rc.conf values that create the bridge at boot
// when the host has none (planBridgeNow creates it now): the caller hands
// them to sysrc with the rest. The uplink is the host interface whose
// subnet holds the jail's address.
func (p *planner) bridgeVars(rcValue func(string) (string, bool)) []recipe.RCVar {
	if p.vnet == nil || p.bridgeExists {
		return nil
	}
	b, up := p.vnet.Bridge, p.v.Jail.Interface
	cloned := b
	if cur, ok := rcValue("cloned_interfaces"); ok {
		f := strings.Fields(cur)
		if !slices.Contains(f, b) {
			f = append(f, b)
		}
		cloned = strings.Join(f, " ")
	}
	return []recipe.RCVar{{Name: "cloned_interfaces", Value: cloned}, {Name: "ifconfig_" + b, Value: "addm " + up + " up"}}
}

// planBridgeNow creates the bridge on the running host.
func (p *planner) planBridgeNow() {
	if p.vnet == nil || p.bridgeExists {
		return
	}
	b, up := p.vnet.Bridge, p.v.Jail.Interface
	p.add(plan.Step{Name: "create bridge " + b + " on the host (changes host networking)", Action: plan.ActRun, Argv: []string{"ifconfig", b, "create"},
		Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"ifconfig", b, "destroy"}}}})
	p.add(plan.Step{Name: "add " + up + " to bridge " + b + " and bring it up", Action: plan.ActRun, Argv: []string{"ifconfig", b, "addm", up, "up"}})
	p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResBridge, Name: b, Value: up, Shared: true})
	p.plan.Notes = append(p.plan.Notes, fmt.Sprintf("this changes the host's networking: the host has no %s, so jailkit creates it with %s as a member, now and at boot (cloned_interfaces and ifconfig_%s in /etc/rc.conf); the last jailkit uninstall removes it", b, up, b))
}
