package recipe

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// Roles says what a recipe is to a lab and to the host checks, so that no
// Go code needs to know a recipe by its name: a user's recipe that
// declares a role is wired into a lab and audited like a built-in one.
// Each role names the recipe's own parameters that take what a lab hands
// it; a parameter left unnamed is not set by the lab.
type Roles struct {
	// DNS: the jail serves the lab's zone. A lab installs it before every
	// other jail, points every jail's resolver at it, and hands the
	// primary the A (and PTR) records of every jail and an MX record per
	// mail jail. The host checks count it as a primary or a secondary.
	DNS *DNSRole `yaml:"dns"`
	// DHCP: the jail hands out leases on the lab's subnet.
	DHCP *DHCPRole `yaml:"dhcp"`
	// Mail: the jail receives mail for the lab's domain and wants an MX
	// record; the host checks want the host's sendmail off.
	Mail *MailRole `yaml:"mail"`

	// Line is where roles: stands in the recipe, for messages.
	Line int `yaml:"-"`
}

// DNSRole names the parameters of a name server recipe.
type DNSRole struct {
	Zone        string `yaml:"zone"`        // domain: the lab's domain (required)
	Records     string `yaml:"records"`     // list of string: NAME=TYPE:DATA records (required)
	Server      string `yaml:"server"`      // enum of primary and secondary; primary when unset
	Primary     string `yaml:"primary"`     // ip: the primary a secondary transfers from
	Secondaries string `yaml:"secondaries"` // list of ip: the secondaries a primary notifies
	Recursion   string `yaml:"recursion"`   // list of cidr: clients it answers recursively
	Forwarders  string `yaml:"forwarders"`  // list of ip: where it forwards recursive queries
}

// DHCPRole names the parameters of a DHCP server recipe.
type DHCPRole struct {
	Subnet      string `yaml:"subnet"`       // cidr: the subnet it serves (required)
	RangeStart  string `yaml:"range_start"`  // ipv4: first address of the dynamic range
	RangeEnd    string `yaml:"range_end"`    // ipv4: last address of the dynamic range
	Routers     string `yaml:"routers"`      // list of ipv4: the default gateway
	Domain      string `yaml:"domain"`       // domain: the domain name option
	NameServers string `yaml:"name_servers"` // list of ipv4: the name server option
}

// MailRole names the parameters of a mail server recipe.
type MailRole struct {
	Domain     string `yaml:"domain"`      // domain: the mail domain (required)
	Networks   string `yaml:"networks"`    // list of cidr: clients that may relay
	MXPriority string `yaml:"mx_priority"` // int: the priority of its MX record
}

// roleParam is one parameter a role names: the role field, the name the
// recipe gave, whether the role needs it, and the types it may have.
type roleParam struct {
	field, name string
	required    bool
	list        bool
	types       []ParamType
}

// params lists what each declared role names, for validation.
func (rs *Roles) params() []roleParam {
	ip := []ParamType{TypeIP, TypeIPv4, TypeIPv6}
	v4 := []ParamType{TypeIPv4, TypeIP}
	var out []roleParam
	if d := rs.DNS; d != nil {
		out = append(out,
			roleParam{"roles.dns.zone", d.Zone, true, false, []ParamType{TypeDomain}},
			roleParam{"roles.dns.records", d.Records, true, true, []ParamType{TypeString}},
			roleParam{"roles.dns.server", d.Server, false, false, []ParamType{TypeEnum}},
			roleParam{"roles.dns.primary", d.Primary, false, false, ip},
			roleParam{"roles.dns.secondaries", d.Secondaries, false, true, ip},
			roleParam{"roles.dns.recursion", d.Recursion, false, true, []ParamType{TypeCIDR}},
			roleParam{"roles.dns.forwarders", d.Forwarders, false, true, ip})
	}
	if d := rs.DHCP; d != nil {
		out = append(out,
			roleParam{"roles.dhcp.subnet", d.Subnet, true, false, []ParamType{TypeCIDR}},
			roleParam{"roles.dhcp.range_start", d.RangeStart, false, false, v4},
			roleParam{"roles.dhcp.range_end", d.RangeEnd, false, false, v4},
			roleParam{"roles.dhcp.routers", d.Routers, false, true, v4},
			roleParam{"roles.dhcp.domain", d.Domain, false, false, []ParamType{TypeDomain}},
			roleParam{"roles.dhcp.name_servers", d.NameServers, false, true, v4})
	}
	if m := rs.Mail; m != nil {
		out = append(out,
			roleParam{"roles.mail.domain", m.Domain, true, false, []ParamType{TypeDomain}},
			roleParam{"roles.mail.networks", m.Networks, false, true, []ParamType{TypeCIDR}},
			roleParam{"roles.mail.mx_priority", m.MXPriority, false, false, []ParamType{TypeInt}})
	}
	return out
}

// validateRoles checks that every parameter a role names is one of the
// recipe's own, of a type the lab's value fits.
func (r *Recipe) validateRoles(byName map[string]Param) inputerr.ErrorList {
	var errs inputerr.ErrorList
	for _, rp := range r.Roles.params() {
		if rp.name == "" {
			if rp.required {
				errs = append(errs, r.errAt(r.Roles.Line, "%s: name the parameter that takes it", rp.field))
			}
			continue
		}
		p, ok := byName[rp.name]
		want := listOf(rp.list, rp.types)
		switch {
		case !ok:
			errs = append(errs, r.errAt(r.Roles.Line, "%s: %q is not a parameter of this recipe; name one of type %s", rp.field, rp.name, want))
		case p.List != rp.list || !slices.Contains(rp.types, p.Type):
			errs = append(errs, r.errAt(p.Line, "%s: parameter %s is of type %s; the role needs %s", rp.field, p.Name, p.TypeString(), want))
		case p.Type == TypeEnum && (!slices.Contains(p.Choices, "primary") || !slices.Contains(p.Choices, "secondary")):
			errs = append(errs, r.errAt(p.Line, "%s: parameter %s must have the choices primary and secondary", rp.field, p.Name))
		}
	}
	return errs
}

func listOf(list bool, types []ParamType) string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	s := strings.Join(names, " or ")
	if list {
		return fmt.Sprintf("list of %s", s)
	}
	return s
}

// IsPrimary says whether a name server with these params serves its zone
// as the primary: the server param is unset, empty or "primary".
func (d *DNSRole) IsPrimary(params map[string]any) bool {
	if d.Server == "" {
		return true
	}
	s, _ := params[d.Server].(string)
	return s == "" || s == "primary"
}
