package lab

import (
	"bytes"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"gopkg.in/yaml.v3"
)

// Lab is a whole home lab read from one file: one network and the jails on
// it, classroom entries already expanded, every address allocated and
// every cross-lab rule checked. A Lab only exists when the file was valid.
type Lab struct {
	Source  string
	Name    string
	Release string
	Network Network
	// Jails are in file order, a classroom entry expanded in place.
	Jails []*Jail
	// Warnings are problems that do not stop the lab but that the admin
	// should read, such as a DHCP jail without VNET.
	Warnings []Warning

	loghostJail string // network.loghost named a lab jail
	vnetLine    int    // where network.vnet is, for apply's refusal
}

// Network is the one network every jail of a lab lives on.
type Network struct {
	Interface string
	Subnet    netip.Prefix
	Gateway   netip.Addr
	Domain    string
	// Loghost receives every jail's syslog; invalid when there is none.
	Loghost netip.Addr
	// Forwarders are the upstream resolvers of the lab's DNS jail.
	Forwarders []netip.Addr
	// VNet gives the jails whose recipe offers VNET (dhcp) their own
	// network stack on an epair; the others keep an alias on Interface.
	VNet bool
}

// Jail is one jail of a lab after expansion and address allocation.
type Jail struct {
	Name     string
	Recipe   *recipe.Recipe
	Addr     netip.Addr
	Hostname string
	// Params are the user's own settings from the file, in file order.
	Params []Param
	// Line is where the jail's entry starts in the lab file.
	Line int
	// Group is the classroom entry's name for an expanded jail, "" otherwise.
	Group string
	// Auto says the address was allocated rather than written.
	Auto bool
}

// Param is one recipe setting of a lab jail, already in --set form
// (a list joined with commas).
type Param struct {
	Name  string
	Value string
	Line  int
}

// Warning is a problem with a lab that does not stop it. Msg reads
// "file:line: jail NAME: problem; fix".
type Warning struct {
	Jail string
	Line int
	Msg  string
}

// MaxJails bounds the size of a lab so a typo in count cannot make
// jailkit plan a million jails.
const MaxJails = 4096

// labFile is the YAML shape of a lab file.
type labFile struct {
	APIVersion string         `yaml:"apiVersion"`
	Name       string         `yaml:"name"`
	Release    string         `yaml:"release"`
	Network    labNetworkYAML `yaml:"network"`
	Jails      []labJailYAML  `yaml:"jails"`
}

type labNetworkYAML struct {
	Interface  string   `yaml:"interface"`
	Subnet     string   `yaml:"subnet"`
	Gateway    string   `yaml:"gateway"`
	Domain     string   `yaml:"domain"`
	Loghost    string   `yaml:"loghost"`
	Forwarders []string `yaml:"forwarders"`
	VNet       bool     `yaml:"vnet"`
}

type labJailYAML struct {
	Name    string        `yaml:"name"`
	Recipe  string        `yaml:"recipe"`
	Address string        `yaml:"address"`
	Count   int           `yaml:"count"`
	Params  labParamsYAML `yaml:"params"`
}

// labParamsYAML keeps the order and lines of a params mapping; a slice
// type, so checkKnownFields leaves the user's param names alone.
type labParamsYAML []Param

// UnmarshalYAML reads name: value pairs where a value is a scalar or a
// list of scalars.
func (p *labParamsYAML) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: params must be a mapping of name: value", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var val string
		switch v.Kind {
		case yaml.ScalarNode:
			val = v.Value
		case yaml.SequenceNode:
			items := make([]string, 0, len(v.Content))
			for _, it := range v.Content {
				if it.Kind != yaml.ScalarNode {
					return fmt.Errorf("line %d: params.%s: a list item must be a single value", it.Line, k.Value)
				}
				if strings.Contains(it.Value, ",") {
					return fmt.Errorf("line %d: params.%s: list item %q contains a comma; give each value as its own item", it.Line, k.Value, it.Value)
				}
				items = append(items, it.Value)
			}
			val = strings.Join(items, ",")
		default:
			return fmt.Errorf("line %d: params.%s must be a value or a list of values", v.Line, k.Value)
		}
		*p = append(*p, Param{Name: k.Value, Value: val, Line: k.Line})
	}
	return nil
}

// labLines remembers where things are in the file, for messages.
type labLines struct {
	network map[string]int // network field -> line
	jails   []map[string]int
	jail    []int // line of each jail entry
}

func labNodeLines(root *yaml.Node) labLines {
	var ll labLines
	ll.network = map[string]int{}
	if root.Kind != yaml.MappingNode {
		return ll
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		switch key.Value {
		case "network":
			ll.network[""] = key.Line
			if val.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(val.Content); j += 2 {
					ll.network[val.Content[j].Value] = val.Content[j].Line
				}
			}
		case "jails":
			if val.Kind != yaml.SequenceNode {
				continue
			}
			for _, item := range val.Content {
				m := map[string]int{}
				if item.Kind == yaml.MappingNode {
					for j := 0; j+1 < len(item.Content); j += 2 {
						m[item.Content[j].Value] = item.Content[j].Line
					}
				}
				ll.jails = append(ll.jails, m)
				ll.jail = append(ll.jail, item.Line)
			}
		}
	}
	return ll
}

// labCheck collects the errors of one lab file.
type labCheck struct {
	source string
	errs   inputerr.ErrorList
	lines  labLines
}

func (c *labCheck) at(line int, format string, args ...any) {
	c.errs = append(c.errs, &inputerr.PosError{File: c.source, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (c *labCheck) netLine(field string) int {
	if l := c.lines.network[field]; l > 0 {
		return l
	}
	return c.lines.network[""]
}

func (c *labCheck) jailLine(i int, field string) int {
	if i < len(c.lines.jails) {
		if l := c.lines.jails[i][field]; l > 0 {
			return l
		}
	}
	if i < len(c.lines.jail) {
		return c.lines.jail[i]
	}
	return 0
}

// Parse decodes a lab file strictly, expands classroom entries,
// allocates automatic addresses and checks the whole lab against the
// recipes of cat. It reports every problem at once, each as
// "file:line: jail NAME: field: problem; fix", in an ErrorList of input
// errors. Nothing is touched: a lab is only data.
func Parse(source string, data []byte, cat *recipe.Catalog) (*Lab, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, inputerr.ErrorList(recipe.YAMLErrors(source, err))
	}
	if len(doc.Content) == 0 {
		return nil, inputerr.ErrorList{&inputerr.PosError{File: source, Msg: "the lab file is empty; see docs/lab.md for its format"}}
	}
	root := doc.Content[0]
	c := &labCheck{source: source, lines: labNodeLines(root)}
	recipe.CheckKnownFields(source, root, reflect.TypeOf(labFile{}), &c.errs)
	var f labFile
	if err := root.Decode(&f); err != nil {
		c.errs = append(c.errs, recipe.YAMLErrors(source, err)...)
	}
	if len(c.errs) > 0 {
		return nil, c.sorted()
	}
	l := &Lab{Source: source, Name: f.Name, Release: f.Release}
	if f.APIVersion != recipe.APIVersion {
		c.at(1, "apiVersion is %q; set apiVersion: %s", f.APIVersion, recipe.APIVersion)
	}
	if f.Name != "" {
		if err := recipe.ValidJailName(f.Name); err != nil {
			c.at(1, "name: %v; use letters, digits, '-' and '_'", err)
		}
	}
	if f.Release != "" {
		if err := render.ValidRelease(f.Release); err != nil {
			c.at(1, "release: %v; use a name such as %s", err, render.DefaultRelease)
		}
	}
	c.network(l, &f.Network)
	if len(f.Jails) == 0 {
		c.at(1, "jails: the lab has no jails; add at least one under jails:")
	}
	if len(c.errs) == 0 {
		c.jails(l, f.Jails, cat)
	}
	if len(c.errs) > 0 {
		return nil, c.sorted()
	}
	return l, nil
}

func (c *labCheck) sorted() inputerr.ErrorList {
	slices.SortStableFunc(c.errs, func(a, b error) int { return inputerr.Line(a) - inputerr.Line(b) })
	return c.errs
}

func (c *labCheck) network(l *Lab, n *labNetworkYAML) {
	net := &l.Network
	if c.lines.network[""] == 0 {
		c.at(1, "network: is missing; give the lab's interface, subnet, gateway and domain")
		return
	}
	net.Interface, net.VNet = n.Interface, n.VNet
	l.vnetLine = c.netLine("vnet")
	if !recipe.ValidInterfaceName(n.Interface) {
		c.at(c.netLine("interface"), "network.interface: %q is not an interface name; use the host's LAN interface such as em0", n.Interface)
	}
	p, err := netip.ParsePrefix(n.Subnet)
	switch {
	case err != nil:
		c.at(c.netLine("subnet"), "network.subnet: %q is not a network; write it as ADDRESS/LENGTH such as 192.168.1.0/24", n.Subnet)
	case !p.Addr().Is4():
		c.at(c.netLine("subnet"), "network.subnet: %s is not an IPv4 network; a lab is one IPv4 subnet such as 192.168.1.0/24", n.Subnet)
	case p.Bits() < 8 || p.Bits() > 29:
		c.at(c.netLine("subnet"), "network.subnet: %s has a prefix length outside 8-29; use a /24 for a home lab", n.Subnet)
	case p.Masked() != p:
		c.at(c.netLine("subnet"), "network.subnet: %s has host bits set; write the network as %s", n.Subnet, p.Masked())
	default:
		net.Subnet = p
	}
	gw, err := netip.ParseAddr(n.Gateway)
	if err != nil || !gw.Is4() {
		c.at(c.netLine("gateway"), "network.gateway: %q is not an IPv4 address; give the router of the subnet, such as 192.168.1.1", n.Gateway)
	} else if net.Subnet.IsValid() && !hostAddrOf(net.Subnet, gw) {
		c.at(c.netLine("gateway"), "network.gateway: %s is not a host address of %s; give the router's address on that subnet", gw, net.Subnet)
	} else {
		net.Gateway = gw
	}
	if err := recipe.ValidHostname(n.Domain); err != nil {
		c.at(c.netLine("domain"), "network.domain: %q is not a domain name; use one such as home.lan", n.Domain)
	} else {
		net.Domain = strings.ToLower(strings.TrimSuffix(n.Domain, "."))
	}
	if n.Loghost != "" {
		if a, err := netip.ParseAddr(n.Loghost); err == nil && a.Zone() == "" {
			net.Loghost = a.Unmap()
		} else if recipe.ValidJailName(n.Loghost) == nil {
			l.loghostJail = n.Loghost
		} else {
			c.at(c.netLine("loghost"), "network.loghost: %q is neither an IP address nor a jail of the lab; give the syslog server's address or the name of a lab jail", n.Loghost)
		}
	}
	for _, fw := range n.Forwarders {
		a, err := netip.ParseAddr(fw)
		if err != nil || a.Zone() != "" {
			c.at(c.netLine("forwarders"), "network.forwarders: %q is not an IP address; list upstream resolvers such as 192.168.1.1", fw)
			continue
		}
		net.Forwarders = append(net.Forwarders, a.Unmap())
	}
}

// hostAddrOf reports whether a is a usable host address of p: inside it,
// neither its network nor its broadcast address.
func hostAddrOf(p netip.Prefix, a netip.Addr) bool {
	if !p.Contains(a) {
		return false
	}
	return a != p.Addr() && a != lastAddr(p)
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v |= (1 << (32 - p.Bits())) - 1
	return addr4(v)
}

func addr4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func u32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// labEntry is one jails: item during checking.
type labEntry struct {
	idx   int
	y     *labJailYAML
	r     *recipe.Recipe
	first netip.Addr // explicit first address
	auto  bool
	count int // 1 for a plain entry
	// numbered is true for a classroom entry (one with count), whose
	// jails are named NAME01.. even when count is 1.
	numbered bool
	ok       bool
}

func (c *labCheck) jails(l *Lab, items []labJailYAML, cat *recipe.Catalog) {
	entries := make([]*labEntry, len(items))
	total := 0
	for i := range items {
		y := &items[i]
		e := &labEntry{idx: i, y: y, count: 1, ok: true}
		entries[i] = e
		label := y.Name
		if label == "" {
			label = fmt.Sprintf("#%d", i+1)
		}
		bad := func(field, format string, args ...any) {
			c.at(c.jailLine(i, field), "jail %s: %s: %s", label, field, fmt.Sprintf(format, args...))
			e.ok = false
		}
		if y.Name == "" {
			bad("name", "is missing; give every jail a name")
		} else if err := recipe.ValidJailName(y.Name); err != nil || strings.ContainsRune(y.Name, '.') {
			bad("name", "%q is not a valid jail name; use letters, digits, '-' and '_'", y.Name)
		}
		if y.Recipe == "" {
			bad("recipe", "is missing; name one of: %s", strings.Join(cat.Names(), ", "))
		} else if r, err := cat.Get(y.Recipe); err != nil {
			bad("recipe", "no recipe named %q; use one of: %s", y.Recipe, strings.Join(cat.Names(), ", "))
		} else {
			e.r = r
		}
		if c.lines.jails[i]["count"] > 0 {
			if y.Count < 1 || y.Count > MaxJails {
				bad("count", "%d is not a number of jails from 1 to %d", y.Count, MaxJails)
			} else {
				e.count, e.numbered = y.Count, true
			}
		}
		switch y.Address {
		case "":
			bad("address", "is missing; give an address of %s or write address: auto", l.Network.Subnet)
		case "auto":
			e.auto = true
		default:
			a, err := netip.ParseAddr(y.Address)
			if err != nil || !a.Is4() {
				bad("address", "%q is not an IPv4 address; give one of %s or write address: auto", y.Address, l.Network.Subnet)
			} else {
				e.first = a
			}
		}
		if e.r != nil {
			c.params(e, label)
		}
		total += e.count
	}
	if total > MaxJails {
		c.at(1, "jails: the lab expands to %d jails, more than %d; lower the counts", total, MaxJails)
		return
	}
	if len(c.errs) > 0 {
		return
	}
	// Names, after classroom expansion.
	byName := map[string]string{} // expanded name -> label of its entry
	for _, e := range entries {
		for _, n := range expandNames(e.y.Name, e.count, e.numbered) {
			if prev, dup := byName[n]; dup {
				c.at(c.jailLine(e.idx, "name"), "jail %s: name: %q is also the name of jail %s; give every jail its own name", e.y.Name, n, prev)
				e.ok = false
				continue
			}
			if err := recipe.ValidJailName(n); err != nil {
				c.at(c.jailLine(e.idx, "name"), "jail %s: name: %q is too long once numbered; shorten the name", e.y.Name, n)
				e.ok = false
			}
			byName[n] = e.y.Name
		}
	}
	c.allocate(l, entries)
	if len(c.errs) > 0 {
		return
	}
	for _, e := range entries {
		names := expandNames(e.y.Name, e.count, e.numbered)
		for k, n := range names {
			j := &Jail{Name: n, Recipe: e.r, Addr: addr4(u32(e.first) + uint32(k)), Params: e.y.Params,
				Line: c.jailLine(e.idx, ""), Auto: e.auto}
			if e.numbered {
				j.Group = e.y.Name
			}
			j.Hostname = strings.ToLower(strings.ReplaceAll(n, "_", "-")) + "." + l.Network.Domain
			l.Jails = append(l.Jails, j)
		}
	}
	c.crossChecks(l)
}

// expandNames numbers a classroom entry NAME01..NAMEnn; a plain entry
// keeps its name. The width grows with the count so names sort.
func expandNames(name string, count int, numbered bool) []string {
	if !numbered {
		return []string{name}
	}
	width := max(2, len(strconv.Itoa(count)))
	out := make([]string, count)
	for i := range out {
		out[i] = fmt.Sprintf("%s%0*d", name, width, i+1)
	}
	return out
}

// params checks each of an entry's settings against its recipe's type.
func (c *labCheck) params(e *labEntry, label string) {
	all := e.r.AllParams()
	byName := make(map[string]*recipe.Param, len(all))
	names := map[string]reflect.Type{}
	for i := range all {
		byName[all[i].Name] = &all[i]
		names[all[i].Name] = nil
	}
	seen := map[string]int{}
	for _, p := range e.y.Params {
		if prev, dup := seen[p.Name]; dup {
			c.at(p.Line, "jail %s: params.%s: is set twice (also at line %d); keep one", label, p.Name, prev)
			e.ok = false
			continue
		}
		seen[p.Name] = p.Line
		rp := byName[p.Name]
		if rp == nil {
			c.at(p.Line, "jail %s: params.%s: recipe %s has no parameter %q%s; see jailkit show %s", label, p.Name, e.r.Name, p.Name, recipe.Suggest(p.Name, names), e.r.Name)
			e.ok = false
			continue
		}
		if _, err := rp.Parse(p.Value); err != nil {
			c.at(p.Line, "jail %s: params.%s: %v; %s", label, p.Name, err, rp.Hint())
			e.ok = false
		}
	}
}

// reserved is an address taken in the lab, and by what.
type reserved struct {
	what string
	line int
}

// allocate checks the written addresses and hands out the automatic ones:
// written addresses first (so an auto jail never takes one a later entry
// names), then each auto entry in file order gets the lowest free block
// of the subnet big enough for it. The same file always gives the same
// addresses.
func (c *labCheck) allocate(l *Lab, entries []*labEntry) {
	sub := l.Network.Subnet
	taken := map[netip.Addr]reserved{l.Network.Gateway: {what: "the gateway", line: c.netLine("gateway")}}
	dyn := c.dhcpRanges(l, entries)
	for _, e := range entries {
		if e.auto || !e.first.IsValid() {
			continue
		}
		name := e.y.Name
		names := expandNames(name, e.count, e.numbered)
		for k := 0; k < e.count; k++ {
			a := addr4(u32(e.first) + uint32(k))
			line := c.jailLine(e.idx, "address")
			who := names[k]
			switch {
			case !hostAddrOf(sub, a):
				if k > 0 {
					c.at(line, "jail %s: address: %d jails from %s run past the end of %s at %s; start lower or lower the count", name, e.count, e.first, sub, who)
				} else {
					c.at(line, "jail %s: address: %s is not a host address of the lab subnet %s; pick an address inside it or write address: auto", name, a, sub)
				}
				e.ok = false
			case taken[a].what != "":
				t := taken[a]
				c.at(line, "jail %s: address: %s is already %s (line %d); give every jail its own address or write address: auto", who, a, t.what, t.line)
				e.ok = false
			default:
				if r, in := inRanges(dyn, a); in {
					c.at(line, "jail %s: address: %s lies in the dynamic range %s-%s of DHCP jail %s; pick an address outside it or write address: auto", who, a, r.start, r.end, r.jail)
					e.ok = false
					continue
				}
				taken[a] = reserved{what: "the address of jail " + who, line: line}
			}
			if !e.ok {
				break
			}
		}
	}
	if len(c.errs) > 0 {
		return
	}
	first, last := u32(sub.Addr())+1, u32(lastAddr(sub))-1
	for _, e := range entries {
		if !e.auto {
			continue
		}
		start, run := uint32(0), 0
		found := false
		for v := first; v <= last; v++ {
			a := addr4(v)
			_, inDyn := inRanges(dyn, a)
			// A loghost on the subnet may be a machine outside the lab;
			// an auto jail must not take its address.
			if taken[a].what != "" || inDyn || a == l.Network.Loghost {
				run = 0
				continue
			}
			if run == 0 {
				start = v
			}
			run++
			if run == e.count {
				found = true
				break
			}
		}
		if !found {
			what := "a free address"
			if e.count > 1 {
				what = fmt.Sprintf("%d consecutive free addresses", e.count)
			}
			c.at(c.jailLine(e.idx, "address"), "jail %s: address: auto finds no %s left in %s; use a larger subnet or fewer jails", e.y.Name, what, sub)
			e.ok = false
			continue
		}
		e.first = addr4(start)
		names := expandNames(e.y.Name, e.count, e.numbered)
		for k := 0; k < e.count; k++ {
			taken[addr4(start+uint32(k))] = reserved{what: "the address of jail " + names[k], line: c.jailLine(e.idx, "address")}
		}
	}
}

// dynRange is the dynamic address range of a DHCP jail.
type dynRange struct {
	jail       string
	start, end netip.Addr
}

func inRanges(rs []dynRange, a netip.Addr) (dynRange, bool) {
	for _, r := range rs {
		if u32(a) >= u32(r.start) && u32(a) <= u32(r.end) {
			return r, true
		}
	}
	return dynRange{}, false
}

// dhcpRanges returns the dynamic range of every DHCP jail: its own
// range_start and range_end, else the recipe's default of .100-.199 of
// the subnet's first /24 (which the lab then hands the recipe
// explicitly, see labRangeDefault).
func (c *labCheck) dhcpRanges(l *Lab, entries []*labEntry) []dynRange {
	var out []dynRange
	for _, e := range entries {
		if e.r == nil || e.r.Roles.DHCP == nil {
			continue
		}
		dhcp := e.r.Roles.DHCP
		line := c.jailLine(e.idx, "")
		for _, p := range e.y.Params {
			if p.Name == dhcp.RangeStart {
				line = p.Line
			}
		}
		if e.numbered {
			c.at(c.jailLine(e.idx, "count"), "jail %s: count: a classroom of DHCP servers would answer the same clients; give the lab one dhcp jail", e.y.Name)
			continue
		}
		start, end, ok := labDHCPRange(l.Network.Subnet, dhcp, e.y.Params)
		if !ok {
			continue
		}
		sub := l.Network.Subnet
		switch {
		case !hostAddrOf(sub, start) || !hostAddrOf(sub, end) || u32(start) > u32(end):
			c.at(line, "jail %s: params.range_start: the dynamic range %s-%s is not a range of host addresses of %s; give a start and an end inside it, start first", e.y.Name, start, end, sub)
			continue
		}
		r := dynRange{jail: e.y.Name, start: start, end: end}
		if prev, clash := overlapping(out, r); clash {
			c.at(line, "jail %s: params.range_start: the dynamic range %s-%s overlaps %s-%s of DHCP jail %s; two servers must never hand out the same addresses, so give each its own range", e.y.Name, start, end, prev.start, prev.end, prev.jail)
			continue
		}
		if r.start.Compare(l.Network.Gateway) <= 0 && l.Network.Gateway.Compare(r.end) <= 0 {
			c.at(line, "jail %s: params.range_start: the dynamic range %s-%s holds the gateway %s; start or end it elsewhere", e.y.Name, start, end, l.Network.Gateway)
			continue
		}
		out = append(out, r)
	}
	return out
}

func overlapping(rs []dynRange, r dynRange) (dynRange, bool) {
	for _, o := range rs {
		if u32(r.start) <= u32(o.end) && u32(o.start) <= u32(r.end) {
			return o, true
		}
	}
	return dynRange{}, false
}

// labDHCPRange is the dynamic range a DHCP jail of the lab serves.
func labDHCPRange(sub netip.Prefix, dhcp *recipe.DHCPRole, params []Param) (netip.Addr, netip.Addr, bool) {
	var s, e string
	for _, p := range params {
		switch {
		case dhcp.RangeStart != "" && p.Name == dhcp.RangeStart:
			s = p.Value
		case dhcp.RangeEnd != "" && p.Name == dhcp.RangeEnd:
			e = p.Value
		}
	}
	if s != "" || e != "" {
		sa, err1 := netip.ParseAddr(s)
		ea, err2 := netip.ParseAddr(e)
		if err1 != nil || err2 != nil || !sa.Is4() || !ea.Is4() {
			return netip.Addr{}, netip.Addr{}, false
		}
		return sa, ea, true
	}
	if !sub.IsValid() || sub.Bits() > 24 {
		return netip.Addr{}, netip.Addr{}, false
	}
	b := sub.Addr().As4()
	return netip.AddrFrom4([4]byte{b[0], b[1], b[2], 100}), netip.AddrFrom4([4]byte{b[0], b[1], b[2], 199}), true
}

// isPrimary says whether a name server jail serves the lab's zone as its
// primary: by the lab file's value of the role's server param, else by the
// recipe's default.
func (j *Jail) isPrimary() bool {
	dns := j.Recipe.Roles.DNS
	if dns.Server == "" {
		return true
	}
	role, ok := j.param(dns.Server)
	if !ok {
		for _, p := range j.Recipe.Params {
			if p.Name == dns.Server {
				role, _ = p.Default.(string)
			}
		}
	}
	return role == "" || role == "primary"
}

// param returns the user's value of a lab jail's setting.
func (j *Jail) param(name string) (string, bool) {
	for _, p := range j.Params {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// paramLine is the line of a setting, or the jail's line.
func (j *Jail) paramLine(name string) int {
	for _, p := range j.Params {
		if p.Name == name {
			return p.Line
		}
	}
	return j.Line
}
