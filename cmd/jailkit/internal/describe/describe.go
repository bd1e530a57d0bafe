package describe

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
)

// Description is what show tells of a recipe for one set of values; text
// and JSON are two views of it.
type Description struct {
	Schema      string   `json:"schema"`
	Name        string   `json:"name"`
	Version     string   `json:"version"`
	Summary     string   `json:"summary"`
	Description string   `json:"description,omitempty"`
	Params      []Param  `json:"params"`
	Packages    []string `json:"packages"`
	Services    []string `json:"services"`
	Listens     []string `json:"listens"`
	Files       []string `json:"files"`
	OtherFiles  []string `json:"other_files"`
	HostNeeds   []string `json:"host_needs"`
	// Capabilities must each be granted with --grant to install.
	Capabilities []string `json:"capabilities"`
	// Source is a user recipe's file; Overrides says it replaces the
	// built-in recipe of its name.
	Source    string  `json:"source,omitempty"`
	Overrides bool    `json:"overrides_builtin,omitempty"`
	Notes     string  `json:"notes,omitempty"`
	Example   Example `json:"example"`
}

// Param is one parameter: its type, default, the value the jail gets
// and what it means.
type Param struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Default     any      `json:"default,omitempty"`
	Value       any      `json:"value"`
	Required    bool     `json:"required,omitempty"`
	Choices     []string `json:"choices,omitempty"`
	Description string   `json:"description,omitempty"`
}

// Example is the jail the description is for.
type Example struct {
	Name     string   `json:"name"`
	Hostname string   `json:"hostname"`
	Address  []string `json:"addresses"`
}

// Describe turns a recipe and values into words and lists, for the
// schema named schema.
func Describe(schema string, v *render.Values) (*Description, error) {
	r := v.Recipe
	d := &Description{Schema: schema, Name: r.Name, Version: r.Version, Summary: r.Summary,
		Description: strings.TrimSpace(r.Description), Packages: v.Packages(), Services: v.Services(),
		HostNeeds: hostNeeds(r, v), Params: []Param{}, Files: []string{}, OtherFiles: []string{},
		Example:      Example{Name: v.Jail.Name, Hostname: v.Jail.Hostname, Address: append(append([]string{}, v.Jail.IP4s...), v.Jail.IP6s...)},
		Capabilities: append([]string{}, r.Capabilities...), Overrides: r.Overrides != ""}
	if r.User {
		d.Source = r.Source
	}
	for _, p := range r.AllParams() {
		d.Params = append(d.Params, Param{p.Name, p.TypeString(), p.Default, v.Params[p.Name], p.Required, p.Choices, p.Description})
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

// Text writes the description for a terminal or a file.
func (d *Description) Text(w io.Writer) {
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
func paramWords(p Param) string {
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
