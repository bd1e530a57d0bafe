package lab

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
	"gopkg.in/yaml.v3"
)

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
	// Grant lists the capabilities the user grants the jail's recipe,
	// the lab file's --grant.
	Grant []string `yaml:"grant"`
}

// labParamsYAML keeps the order and lines of a params mapping; a slice
// type, so checkKnownFields leaves the user's param names alone.
type labParamsYAML []Param

// UnmarshalYAML reads name: value pairs where a value is a scalar or a
// list of scalars. Its problems are a *yaml.TypeError, which yaml.v3
// collects and goes on decoding after, so the rest of the file is still
// checked.
func (p *labParamsYAML) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return typeErr(n.Line, "params must be a mapping of name: value")
	}
	var problems []string
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
					problems = append(problems, fmt.Sprintf("line %d: params.%s: a list item must be a single value", it.Line, keyText(k.Value)))
					continue
				}
				if strings.Contains(it.Value, ",") {
					problems = append(problems, fmt.Sprintf("line %d: params.%s: list item %s contains a comma; give each value as its own item", it.Line, keyText(k.Value), inputerr.Quote(it.Value)))
					continue
				}
				items = append(items, it.Value)
			}
			val = strings.Join(items, ",")
		default:
			problems = append(problems, fmt.Sprintf("line %d: params.%s must be a value or a list of values", v.Line, keyText(k.Value)))
			continue
		}
		*p = append(*p, Param{Name: k.Value, Value: val, Line: k.Line})
	}
	if len(problems) > 0 {
		return &yaml.TypeError{Errors: problems}
	}
	return nil
}

func typeErr(line int, msg string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", line, msg)}}
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
	// undecoded are the lines yaml could not decode: their fields are
	// left zero, and a complaint about that zero would only repeat it.
	undecoded map[int]bool
}

// decoded records the errors of yaml's Decode.
func (c *labCheck) decoded(errs []error) {
	if c.undecoded == nil {
		c.undecoded = map[int]bool{}
	}
	for _, e := range errs {
		c.undecoded[inputerr.Line(e)] = true
	}
	c.errs = append(c.errs, errs...)
}

func (c *labCheck) at(line int, format string, args ...any) {
	if c.undecoded[line] {
		return
	}
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
	if !freebsd.ValidInterfaceName(n.Interface) {
		c.at(c.netLine("interface"), "network.interface: %s is not an interface name; use the host's LAN interface such as em0", inputerr.Quote(n.Interface))
	}
	p, err := netip.ParsePrefix(n.Subnet)
	switch {
	case err != nil:
		c.at(c.netLine("subnet"), "network.subnet: %s is not a network; write it as ADDRESS/LENGTH such as 192.168.1.0/24", inputerr.Quote(n.Subnet))
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
		c.at(c.netLine("gateway"), "network.gateway: %s is not an IPv4 address; give the router of the subnet, such as 192.168.1.1", inputerr.Quote(n.Gateway))
	} else if net.Subnet.IsValid() && !hostAddrOf(net.Subnet, gw) {
		c.at(c.netLine("gateway"), "network.gateway: %s is not a host address of %s; give the router's address on that subnet", gw, net.Subnet)
	} else {
		net.Gateway = gw
	}
	if err := recipe.ValidHostname(n.Domain); err != nil {
		c.at(c.netLine("domain"), "network.domain: %s is not a domain name; use one such as home.lan", inputerr.Quote(n.Domain))
	} else {
		net.Domain = strings.ToLower(strings.TrimSuffix(n.Domain, "."))
	}
	if n.Loghost != "" {
		if a, err := netip.ParseAddr(n.Loghost); err == nil && a.Zone() == "" {
			net.Loghost = a.Unmap()
		} else if recipe.ValidJailName(n.Loghost) == nil {
			l.loghostJail = n.Loghost
		} else {
			c.at(c.netLine("loghost"), "network.loghost: %s is neither an IP address nor a jail of the lab; give the syslog server's address or the name of a lab jail", inputerr.Quote(n.Loghost))
		}
	}
	for _, fw := range n.Forwarders {
		a, err := netip.ParseAddr(fw)
		if err != nil || a.Zone() != "" {
			c.at(c.netLine("forwarders"), "network.forwarders: %s is not an IP address; list upstream resolvers such as 192.168.1.1", inputerr.Quote(fw))
			continue
		}
		net.Forwarders = append(net.Forwarders, a.Unmap())
	}
}

// keyText is a parameter name as a message shows it: a name that is not
// a plain word is quoted and cut, so no key can reach the terminal raw.
func keyText(k string) string {
	if len(k) <= 64 && recipe.ValidRCName(k) {
		return k
	}
	return inputerr.Quote(k)
}
