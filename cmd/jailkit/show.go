package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
)

// showCmd is "jailkit show": it holds the values of its flags.
type showCmd struct {
	format string
	jail   jailFlags
}

func (*showCmd) about() about {
	return about{name: "show", summary: "describe a recipe: parameters, packages, services, files and host needs",
		usage: "show RECIPE [--set k=v]... [--ip IP] [--format text|json]", positional: 1,
		help: `Describes RECIPE in words: what it is, the parameters it takes (type, default,
meaning), the packages it installs, the services it starts, the ports it
listens on, the files it writes into the jail and what it needs from the host.
What a jail gets can depend on its parameters (www listens on 443 only with
tls=true): show describes a jail made with the values --set gives, and the
defaults for the rest, at the example address 192.0.2.10 unless --ip says
otherwise. Files that other values would add are named with the parameters
they depend on.

Flags:
  --set k=v         describe the jail these parameter values make (repeat)
  --ip IP           the address to describe it at (default 192.0.2.10)
  --name N          the jail's name (default: the recipe name)
  --hostname H      the jail's host name (default: NAME.home.lan)
  --release R       FreeBSD release (default ` + render.DefaultRelease + `)
  --arch A          amd64, arm64 or i386
  --interface IF    the host interface of the address
  --format F        text (default) or json`}
}

func (c *showCmd) flags(fs *flag.FlagSet) {
	c.jail.register(fs)
	fs.StringVar(&c.format, "format", "text", "text or json")
}

// description is what show tells of a recipe for one set of values; text
// and JSON are two views of it.
type description struct {
	Schema      string      `json:"schema"`
	Name        string      `json:"name"`
	Version     string      `json:"version"`
	Summary     string      `json:"summary"`
	Description string      `json:"description,omitempty"`
	Params      []paramDesc `json:"params"`
	Packages    []string    `json:"packages"`
	Services    []string    `json:"services"`
	Listens     []string    `json:"listens"`
	Files       []string    `json:"files"`
	OtherFiles  []string    `json:"other_files"`
	HostNeeds   []string    `json:"host_needs"`
	// Capabilities must each be granted with --grant to install.
	Capabilities []string `json:"capabilities"`
	// Source is a user recipe's file; Overrides says it replaces the
	// built-in recipe of its name.
	Source    string      `json:"source,omitempty"`
	Overrides bool        `json:"overrides_builtin,omitempty"`
	Notes     string      `json:"notes,omitempty"`
	Example   exampleJail `json:"example"`
}

type paramDesc struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Default     any      `json:"default,omitempty"`
	Value       any      `json:"value"`
	Required    bool     `json:"required,omitempty"`
	Choices     []string `json:"choices,omitempty"`
	Description string   `json:"description,omitempty"`
}

// exampleJail is the jail the description is for.
type exampleJail struct {
	Name     string   `json:"name"`
	Hostname string   `json:"hostname"`
	Address  []string `json:"addresses"`
}

func (c *showCmd) run(a *app, args []string) error {
	if err := validFormat(c.format); err != nil {
		return err
	}
	spec := c.jail.spec
	if len(spec.IPs) == 0 {
		spec.IPs = []string{"192.0.2.10"}
	}
	v, err := a.values(args[0], spec)
	if err != nil {
		return err
	}
	d, err := describe(v)
	if err != nil {
		return err
	}
	if c.format == "json" {
		return writeJSON(a.stdout, d)
	}
	d.text(a.stdout)
	return nil
}

// describe turns a recipe and values into words and lists.
func describe(v *render.Values) (*description, error) {
	r := v.Recipe
	d := &description{Schema: schemaShow, Name: r.Name, Version: r.Version, Summary: r.Summary,
		Description: strings.TrimSpace(r.Description), Packages: v.Packages(), Services: v.Services(),
		HostNeeds: hostNeeds(r, v), Params: []paramDesc{}, Files: []string{}, OtherFiles: []string{},
		Example:      exampleJail{Name: v.Jail.Name, Hostname: v.Jail.Hostname, Address: append(append([]string{}, v.Jail.IP4s...), v.Jail.IP6s...)},
		Capabilities: append([]string{}, r.Capabilities...), Overrides: r.Overrides != ""}
	if r.User {
		d.Source = r.Source
	}
	for _, p := range r.AllParams() {
		d.Params = append(d.Params, paramDesc{p.Name, p.TypeString(), p.Default, v.Params[p.Name], p.Required, p.Choices, p.Description})
	}
	listens, err := v.Listens()
	if err != nil {
		return nil, err
	}
	for _, l := range listens {
		d.Listens = append(d.Listens, fmt.Sprintf("%s/%d", l.Proto, l.Port))
	}
	files, err := render.Render(v)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if !f.Dir {
			d.Files = append(d.Files, f.Path)
		}
	}
	for _, f := range r.Files {
		if f.When != "" && !slices.Contains(d.Files, f.Path) {
			d.OtherFiles = append(d.OtherFiles, fmt.Sprintf("%s (depends on %s)", f.Path, dependsOn(f.When)))
		}
	}
	for _, l := range []*[]string{&d.Packages, &d.Services, &d.Listens, &d.HostNeeds} {
		if *l == nil {
			*l = []string{}
		}
	}
	if n := strings.TrimSpace(r.Notes); n != "" {
		text, err := v.Notes()
		if err != nil {
			// install does not print the notes either: describe the
			// rest, and say why the notes are left out.
			text = "(not shown: " + plan.Printable(err.Error()) + ")"
		}
		d.Notes = strings.TrimSpace(text)
	}
	return d, nil
}

var paramRefRE = regexp.MustCompile(`\.Params\.([A-Za-z0-9_]+)`)

// dependsOn names, in words, the parameters a when expression reads, so
// no template code reaches the user.
func dependsOn(when string) string {
	var names []string
	for _, m := range paramRefRE.FindAllStringSubmatch(when, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	if len(names) == 0 {
		return "the jail's addresses"
	}
	return strings.Join(names, " and ")
}

func (d *description) text(w io.Writer) {
	fmt.Fprintf(w, "%s %s: %s\n", d.Name, d.Version, d.Summary)
	if d.Source != "" {
		fmt.Fprintf(w, "A user recipe from %s", d.Source)
		if d.Overrides {
			fmt.Fprint(w, "; it overrides the built-in recipe "+d.Name)
		}
		fmt.Fprintln(w)
	}
	if d.Description != "" {
		fmt.Fprintf(w, "\n%s\n", d.Description)
	}
	fmt.Fprintf(w, "\nParameters (set with --set NAME=VALUE):\n")
	for _, p := range d.Params {
		fmt.Fprintf(w, "  %s: %s\n", p.Name, paramWords(p))
		if p.Description != "" {
			fmt.Fprintf(w, "      %s\n", p.Description)
		}
	}
	fmt.Fprintf(w, "\nFor a jail %s (%s) at %s with these values:\n", d.Example.Name, d.Example.Hostname, strings.Join(d.Example.Address, ", "))
	list(w, "Packages installed with pkg", d.Packages, " ")
	list(w, "Services started in the jail", d.Services, " ")
	list(w, "Listens on the jail's own address", d.Listens, " ")
	fmt.Fprintf(w, "  Files written into the jail:\n")
	for _, f := range d.Files {
		fmt.Fprintf(w, "    %s\n", f)
	}
	if len(d.OtherFiles) > 0 {
		fmt.Fprintf(w, "  Files other values would add:\n")
		for _, f := range d.OtherFiles {
			fmt.Fprintf(w, "    %s\n", f)
		}
	}
	if len(d.Capabilities) > 0 {
		fmt.Fprintln(w, "\nCapabilities it weakens the jail with (install needs --grant for each):")
		for _, c := range d.Capabilities {
			cp, _ := recipe.LookupCapability(c)
			fmt.Fprintf(w, "  %s: %s\n", c, cp.Summary)
		}
	}
	if len(d.HostNeeds) > 0 {
		fmt.Fprintln(w, "\nWhat the host must provide:")
		for _, h := range d.HostNeeds {
			fmt.Fprintf(w, "  %s\n", h)
		}
	}
	if d.Notes != "" {
		fmt.Fprintf(w, "\nAfter the install:\n%s\n", d.Notes)
	}
}

func list(w io.Writer, title string, items []string, sep string) {
	s := strings.Join(items, sep)
	if s == "" {
		s = "none"
	}
	fmt.Fprintf(w, "  %s: %s\n", title, s)
}

// paramWords says a parameter's type, choices, default and current value.
func paramWords(p paramDesc) string {
	s := p.Type
	if len(p.Choices) > 0 {
		s += ", one of " + strings.Join(p.Choices, ", ")
	}
	switch {
	case p.Required:
		s += ", required"
	case p.Default != nil:
		s += ", default " + valueWords(p.Default)
	}
	if p.Default != nil && valueWords(p.Value) != valueWords(p.Default) {
		s += "; here " + valueWords(p.Value)
	}
	return s
}

func valueWords(v any) string {
	switch x := v.(type) {
	case nil:
		return "empty"
	case string:
		if x == "" {
			return "empty"
		}
		return x
	case []any:
		if len(x) == 0 {
			return "empty"
		}
		var s []string
		for _, e := range x {
			s = append(s, fmt.Sprint(e))
		}
		return strings.Join(s, ",")
	case []string:
		if len(x) == 0 {
			return "empty"
		}
		return strings.Join(x, ",")
	}
	return fmt.Sprint(v)
}

// hostNeeds says in words what a jail of r with values v needs from the
// host.
func hostNeeds(r *recipe.Recipe, v *render.Values) []string {
	var out []string
	h := r.Host
	if len(h.DevfsUnhide) > 0 {
		out = append(out, "a devfs ruleset that lets the jail see the devices "+strings.Join(h.DevfsUnhide, " ")+" (jailkit writes it)")
	}
	if len(h.KernelModules) > 0 {
		out = append(out, "the kernel modules "+strings.Join(h.KernelModules, " ")+" loaded on the host")
	}
	for _, s := range h.RCConf {
		out = append(out, fmt.Sprintf("%s set to %s in the host's rc.conf", s.Name, s.Value))
	}
	for _, m := range h.Mounts {
		out = append(out, fmt.Sprintf("the %s file system (mount %s %s on %s), mounted into the jail by jail(8) when it starts", m.FSType, m.FSType, m.Source, m.Path))
	}
	keys := make([]string, 0, len(h.JailParams))
	for k := range h.JailParams {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, fmt.Sprintf("the jail parameter %s = %s in the jail's jail.conf", k, h.JailParams[k]))
	}
	vnet, _ := v.Params["vnet"].(bool)
	switch {
	case h.VNet == "required" || h.VNet == "optional" && vnet:
		out = append(out, "its own network stack (VNET): an epair joined to a host bridge (bridge0 unless --bridge says otherwise)")
	case h.VNet == "optional":
		out = append(out, "nothing more for networking; it can also run with its own network stack (VNET) when its vnet parameter is true")
	}
	if h.SendmailOff {
		out = append(out, "the host's sendmail fully off (sendmail_enable=NONE), so port 25 is free for the jail")
	}
	return out
}
