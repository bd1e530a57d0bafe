package lab

import (
	"bytes"
	"net/netip"
	"reflect"

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
	// Grants are the capabilities the lab file grants the jail.
	Grants []string
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
		return nil, inputerr.ErrorList{&inputerr.PosError{File: source, Msg: "the lab file is empty; see lab.md (in /usr/local/share/doc/jailkit) for its format"}}
	}
	root := doc.Content[0]
	c := &labCheck{source: source, lines: labNodeLines(root)}
	// Every stage runs whatever the others found: a schema error does not
	// hide a bad address, nor a bad network a bad jail. A field yaml could
	// not decode is left zero, so later complaints on its line are
	// dropped (labCheck.at).
	recipe.CheckKnownFields(source, root, reflect.TypeOf(labFile{}), &c.errs)
	var f labFile
	if err := root.Decode(&f); err != nil {
		c.decoded(recipe.YAMLErrors(source, err))
	}
	l := &Lab{Source: source, Name: f.Name, Release: f.Release}
	if f.APIVersion != recipe.APIVersion {
		c.at(1, "apiVersion is %s; set apiVersion: %s", inputerr.Quote(f.APIVersion), recipe.APIVersion)
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
	if len(f.Jails) == 0 && len(c.lines.jail) == 0 {
		c.at(1, "jails: the lab has no jails; add at least one under jails:")
	}
	c.jails(l, f.Jails, cat)
	if len(c.errs) > 0 {
		return nil, c.sorted()
	}
	return l, nil
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
