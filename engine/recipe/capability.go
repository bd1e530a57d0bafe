package recipe

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// Capability is a named way a recipe weakens its jail or reaches into the
// host. A recipe declares the capabilities it needs; the user grants each
// one explicitly (install --grant NAME, grant: in a lab file), and without
// the grant nothing is installed.
type Capability struct {
	Name string
	// Summary says, in one line, what granting it lets the jail do.
	Summary string
	// JailParams are the jail.conf parameters the capability itself
	// writes; Replaces are the hardening lines jailkit then leaves out,
	// so jail.conf never says both.
	JailParams []string
	Replaces   []string
}

// capabilities is the closed set of capabilities. The parameter names and
// their meaning are jail(8)'s (freebsd-src usr.sbin/jail/jail.8,
// "allow.*" and the module parameters sysvmsg, sysvsem, sysvshm, which
// sys/kern/sysv_shm.c and its siblings declare with
// SYSCTL_JAIL_PARAM_SYS_NODE):
// allow.sysvipc would share the host's IPC objects ("inherit"), so the
// sysvipc capability gives the jail a key namespace of its own ("new").
var capabilities = []Capability{
	{Name: "bpf", Summary: "bpf(4) devices in the jail: it can read and send every frame of the interfaces it sees"},
	{Name: "host_paths", Summary: "host directories mounted read-only into the jail (nullfs): the jail reads host files"},
	{Name: "linux", Summary: "the Linux ABI: host modules linux64, linprocfs and linsysfs, linux_enable on the host, and linprocfs and linsysfs (host kernel and device details) mounted into the jail"},
	{Name: "mlock", Summary: "the jail may lock memory pages (allow.mlock)",
		JailParams: []string{"allow.mlock"}},
	{Name: "raw_sockets", Summary: "raw sockets (ping, traceroute): the jail can craft IP packets from its own addresses",
		JailParams: []string{"allow.raw_sockets"}, Replaces: []string{"allow.noraw_sockets"}},
	{Name: "sysvipc", Summary: "System V IPC (a database's shared memory) in a key namespace of the jail's own",
		JailParams: []string{"sysvmsg = new", "sysvsem = new", "sysvshm = new"}, Replaces: []string{"allow.nosysvipc"}},
}

// LookupCapability returns the capability called name.
func LookupCapability(name string) (Capability, bool) {
	i := slices.IndexFunc(capabilities, func(c Capability) bool { return c.Name == name })
	if i < 0 {
		return Capability{}, false
	}
	return capabilities[i], true
}

// CapabilityNames returns the names of every capability, sorted.
func CapabilityNames() []string {
	out := make([]string, len(capabilities))
	for i, c := range capabilities {
		out[i] = c.Name
	}
	return out
}

// ParseGrants splits --grant values ("linux", "bpf,sysvipc") into names
// and checks that each names a capability.
func ParseGrants(field string, values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, g := range strings.Split(v, ",") {
			g = strings.TrimSpace(g)
			if _, ok := LookupCapability(g); !ok {
				return nil, &inputerr.FieldError{Field: field, Problem: fmt.Sprintf("%s is not a capability", quoteCut(g)),
					Hint: "grant one of " + strings.Join(CapabilityNames(), ", ")}
			}
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// MissingGrants returns the capabilities r declares that grants lacks.
func (r *Recipe) MissingGrants(grants []string) []string {
	var out []string
	for _, c := range r.Capabilities {
		if !slices.Contains(grants, c) {
			out = append(out, c)
		}
	}
	return out
}

// CheckGrants refuses a recipe whose capabilities are not all granted,
// naming each missing one, what it lets the jail do and the fix.
func (r *Recipe) CheckGrants(grants []string) error {
	missing := r.MissingGrants(grants)
	if len(missing) == 0 {
		return nil
	}
	var why []string
	for _, m := range missing {
		c, _ := LookupCapability(m)
		why = append(why, m+" ("+c.Summary+")")
	}
	return &inputerr.FieldError{Field: "--grant",
		Problem: fmt.Sprintf("recipe %s needs the grant of %s; nothing was changed", r.Name, strings.Join(why, "; ")),
		Hint:    "read jailkit show " + r.Name + ", then add --grant " + strings.Join(missing, ",") + " if you accept it"}
}

// CapabilityJailParams returns the jail.conf lines the recipe's
// capabilities write, and the hardening lines they replace.
func (r *Recipe) CapabilityJailParams() (params, replaced []string) {
	for _, name := range r.Capabilities {
		c, _ := LookupCapability(name)
		params = append(params, c.JailParams...)
		replaced = append(replaced, c.Replaces...)
	}
	return params, replaced
}

// validateCapabilities checks the declared capabilities against the
// vocabulary and against what the recipe asks of the host: each request
// that needs a capability must have it declared, and a declared one that
// nothing needs is refused too, so a recipe asks for no more than it uses.
func (r *Recipe) validateCapabilities(needed map[string]request) inputerr.ErrorList {
	var errs inputerr.ErrorList
	line := r.keyLine("capabilities")
	seen := map[string]bool{}
	for _, c := range r.Capabilities {
		cp, ok := LookupCapability(c)
		switch {
		case !ok:
			errs = append(errs, r.errAt(line, "capabilities: %s is not a capability; use one of %s", quoteCut(c), strings.Join(CapabilityNames(), ", ")))
		case seen[c]:
			errs = append(errs, r.errAt(line, "capabilities: %s is declared twice", c))
		case len(cp.JailParams) == 0 && needed[c].what == "":
			errs = append(errs, r.errAt(line, "capabilities: %s is declared but nothing in the recipe needs it; remove it", c))
		}
		seen[c] = true
	}
	for _, c := range sortedKeys(needed) {
		if !seen[c] {
			errs = append(errs, r.errAt(needed[c].line, "%s needs the capability %s; declare it with capabilities: [%s]", needed[c].what, c, c))
		}
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
