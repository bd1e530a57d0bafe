package render

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// Defaults used when the user gives none.
const (
	DefaultRelease = "14.3-RELEASE"
	DefaultArch    = "amd64"
	DefaultDomain  = "home.lan"
)

// Jail holds the built-in values every template gets as .Jail.
type Jail struct {
	Name      string   // jail name, as in jail.conf and jls
	Hostname  string   // fully qualified host name
	Domain    string   // Hostname without its first label
	IP4       string   // first IPv4 address, "" when none
	IP4s      []string // every IPv4 address
	Prefix4   int      // prefix length given with the first IPv4 address (32 when none)
	IP6       string   // first IPv6 address, "" when none
	IP6s      []string // every IPv6 address
	Prefix6   int      // prefix length given with the first IPv6 address (128 when none)
	Interface string   // host interface the addresses live on ("" until install picks one)
	Release   string   // FreeBSD release of the jail, such as 14.3-RELEASE
	Arch      string   // amd64, arm64 or i386
	Path      string   // the jail root on the host
}

// IP returns the jail's first address, IPv4 before IPv6.
func (j Jail) IP() string {
	if j.IP4 != "" {
		return j.IP4
	}
	return j.IP6
}

// JailSpec is what the user asked for on the command line, unvalidated.
type JailSpec struct {
	Name      string   // --name; the recipe name when empty
	Hostname  string   // --hostname; NAME.home.lan when empty
	IPs       []string // --ip, each "ADDR" or "ADDR/LEN", comma lists allowed
	Interface string   // --interface
	Release   string   // --release
	Arch      string   // --arch
	JailsDir  string   // where containers live; freebsd.DefaultJailsDir when empty
	Sets      []string // --set k=v, in order; a later one wins
	// Grants are the capabilities the user grants the jail (--grant,
	// grant: in a lab file); install refuses a recipe that declares one
	// that is not among them.
	Grants []string
}

// Values is a recipe's validated input: built-ins plus typed parameters.
type Values struct {
	Recipe *recipe.Recipe
	Jail   Jail
	Params map[string]any

	engine *Engine // renders v and evaluates its when: expressions
}

var releaseRE = regexp.MustCompile(`^[0-9]{1,2}\.[0-9]-(RELEASE|STABLE|CURRENT|BETA[0-9]*|RC[0-9]*)(-p[0-9]+)?$`)

// ValidRelease checks a FreeBSD release name such as 14.3-RELEASE.
func ValidRelease(s string) error {
	if !releaseRE.MatchString(s) {
		return fmt.Errorf("%s is not a FreeBSD release name", inputerr.Quote(s))
	}
	return nil
}

// NewValues validates spec against the recipe with the process's shared
// Engine; see Engine.NewValues.
func NewValues(r *recipe.Recipe, spec JailSpec) (*Values, error) {
	return sharedEngine().NewValues(r, spec)
}

// sharedEngine serves NewValues. A jailkit run renders a handful of
// recipes, often many times (a lab's jails, a re-plan after a dry run):
// parsing their templates once is most of what rendering costs. Its caches
// are bounded like any Engine's.
var sharedEngine = sync.OnceValue(New)

// NewValues validates spec against the recipe and returns every problem at
// once as an ErrorList of FieldErrors. The Values render with e.
func (e *Engine) NewValues(r *recipe.Recipe, spec JailSpec) (*Values, error) {
	var errs inputerr.ErrorList
	field := func(f, hint string, err error) {
		errs = append(errs, &inputerr.FieldError{Field: f, Problem: err.Error(), Hint: hint})
	}
	j := Jail{Name: spec.Name, Hostname: spec.Hostname, Interface: spec.Interface,
		Release: spec.Release, Arch: spec.Arch, Prefix4: 32, Prefix6: 128}
	if j.Name == "" {
		j.Name = r.Name
	}
	j.identify(field)
	j.platform(field)
	jailsDir := spec.JailsDir
	if jailsDir == "" {
		jailsDir = freebsd.DefaultJailsDir
	}
	j.Path = jailsDir + "/containers/" + j.Name
	j.address(spec.IPs, field)

	params, perrs := r.ResolveParams(spec.Sets)
	errs = append(errs, perrs...)
	if len(errs) > 0 {
		return nil, errs
	}
	return &Values{Recipe: r, Jail: j, Params: params, engine: e}, nil
}

// fieldProblem reports a bad value of a flag with a hint to fix it.
type fieldProblem func(field, hint string, err error)

// identify checks the jail's name, host name and interface, and derives
// the host name (NAME.home.lan) and the domain.
func (j *Jail) identify(field fieldProblem) {
	if err := recipe.ValidJailName(j.Name); err != nil {
		field("--name", "use letters, digits, '-' and '_', starting with a letter or digit", err)
	}
	if j.Hostname == "" && recipe.ValidJailName(j.Name) == nil {
		j.Hostname = strings.ToLower(strings.ReplaceAll(j.Name, "_", "-")) + "." + DefaultDomain
	}
	if j.Hostname == "" {
		// The name was bad; that error already stands.
	} else if err := recipe.ValidHostname(j.Hostname); err != nil {
		field("--hostname", recipe.TypeHostname.Hint(), err)
	} else {
		j.Hostname = strings.ToLower(strings.TrimSuffix(j.Hostname, "."))
		if i := strings.IndexByte(j.Hostname, '.'); i > 0 {
			j.Domain = j.Hostname[i+1:]
		}
	}
	if j.Interface != "" && !freebsd.ValidInterfaceName(j.Interface) {
		field("--interface", "use an interface name such as em0 or lo1", fmt.Errorf("%s is not an interface name", inputerr.Quote(j.Interface)))
	}
}

// platform checks the release and the architecture, defaulting both.
func (j *Jail) platform(field fieldProblem) {
	if j.Release == "" {
		j.Release = DefaultRelease
	}
	if err := ValidRelease(j.Release); err != nil {
		field("--release", "use a name such as 14.3-RELEASE", err)
	}
	if j.Arch == "" {
		j.Arch = DefaultArch
	}
	switch j.Arch {
	case "amd64", "arm64", "i386", "aarch64":
		if j.Arch == "aarch64" {
			j.Arch = "arm64"
		}
	default:
		field("--arch", "use amd64, arm64 or i386", fmt.Errorf("%s is not a supported architecture", inputerr.Quote(j.Arch)))
	}
}

// address reads the --ip values (each ADDR or ADDR/LEN, comma lists
// allowed) into the jail's IPv4 and IPv6 addresses.
func (j *Jail) address(raws []string, field fieldProblem) {
	var ips []string
	for _, raw := range raws {
		ips = append(ips, recipe.SplitList(raw)...)
	}
	if len(ips) == 0 {
		field("--ip", "give the jail's address, such as --ip 192.0.2.53", fmt.Errorf("is required"))
	}
	seen := map[netip.Addr]bool{}
	for _, raw := range ips {
		addr, bits, err := parseAddrPrefix(raw, j.Interface)
		if err != nil {
			field("--ip", "use an address such as 192.0.2.53 or 192.0.2.53/24", err)
			continue
		}
		if seen[addr] {
			field("--ip", "give each address once", fmt.Errorf("%s is given twice", addr))
			continue
		}
		seen[addr] = true
		if addr.Is4() {
			if j.IP4 == "" {
				j.IP4, j.Prefix4 = addr.String(), bits
			}
			j.IP4s = append(j.IP4s, addr.String())
		} else {
			if j.IP6 == "" {
				j.IP6, j.Prefix6 = addr.String(), bits
			}
			j.IP6s = append(j.IP6s, addr.String())
		}
	}
}

// parseAddrPrefix reads "ADDR" or "ADDR/LEN" and refuses what cannot be a
// jail's own address on iface ("" when not known yet): a zoned address,
// and what recipe.CheckJailAddr refuses.
func parseAddrPrefix(raw, iface string) (netip.Addr, int, error) {
	s, lenPart, hasLen := strings.Cut(raw, "/")
	addr, err := netip.ParseAddr(s)
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, 0, fmt.Errorf("%s is not an IPv4 or IPv6 address", inputerr.Quote(raw))
	}
	addr = addr.Unmap()
	bits := addr.BitLen()
	if hasLen {
		p, err := netip.ParsePrefix(addr.String() + "/" + lenPart)
		if err != nil {
			return netip.Addr{}, 0, fmt.Errorf("%s has a prefix length outside 0-%d", inputerr.Quote(raw), addr.BitLen())
		}
		bits = p.Bits()
	}
	given := -1 // without a written prefix there is no network to judge
	if hasLen {
		given = bits
	}
	if why := recipe.CheckJailAddr(addr, given, iface); why != "" {
		return netip.Addr{}, 0, fmt.Errorf("%s %s", inputerr.Quote(raw), why)
	}
	return addr, bits, nil
}

// activeConditionals returns the recipe's conditional parts whose when
// holds for these values.
func (v *Values) activeConditionals() ([]recipe.Conditional, error) {
	ctx := v.context()
	var out []recipe.Conditional
	for _, c := range v.Recipe.Conditional {
		ok, err := v.engine.when(v.Recipe.Source, 0, c.When, ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// Services returns the rc.d scripts to start: the recipe's own, then those
// of its conditional parts that apply.
func (v *Values) Services() []string {
	out := append([]string{}, v.Recipe.Services...)
	conds, _ := v.activeConditionals()
	for _, c := range conds {
		for _, s := range c.Services {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// Packages returns every package the jail needs: the recipe's own, those
// named by its packages_from params, and those of its conditional parts
// that apply, without repeats.
func (v *Values) Packages() []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range v.Recipe.Packages {
		add(p)
	}
	for _, n := range v.Recipe.PackagesFrom {
		for _, p := range recipe.AsStrings(v.Params[n]) {
			add(p)
		}
	}
	conds, _ := v.activeConditionals()
	for _, c := range conds {
		for _, p := range c.Packages {
			add(p)
		}
	}
	return out
}

// Listens returns the ports the service listens on for these values: each
// port param resolved and each when expression evaluated.
func (v *Values) Listens() ([]recipe.Listen, error) {
	ctx := v.context()
	conds, err := v.activeConditionals()
	if err != nil {
		return nil, err
	}
	all := append([]recipe.Listen{}, v.Recipe.Listens...)
	for _, c := range conds {
		all = append(all, c.Listens...)
	}
	var out []recipe.Listen
	for _, l := range all {
		ok, err := v.engine.when(v.Recipe.Source, 0, l.When, ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if l.PortParam != "" {
			if p, isInt := v.Params[l.PortParam].(int); isInt && p > 0 {
				l.Port = p
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// Notes renders the recipe's notes (a template) for these values: what the
// admin must do after the install.
func (v *Values) Notes() (string, error) {
	out, err := v.engine.renderString(v.Recipe.Source, "notes", 0, v.Recipe.Notes, v.context())
	if err != nil {
		return "", err
	}
	// The notes are checked as written, but a template can still make
	// a control character ({{ printf "%c" 27 }}): the text is printed.
	if problem := recipe.TextProblem(out); problem != "" {
		return "", &inputerr.PosError{File: v.Recipe.Source, Msg: "notes, as rendered, " + problem}
	}
	return out, nil
}
