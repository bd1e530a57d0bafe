package install

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/hostcheck"
)

// PreflightChecks are the hostcheck checks that decide whether an install
// may go ahead: wildcard listeners on the recipe's ports, the address
// already in use, the address outside every subnet and sendmail for a mail
// jail, and a host securelevel that would stop a new base being patched
// or rolled back. The devfs and kernel module checks are left out: the install adds
// the ruleset and loads the modules itself.
var PreflightChecks = []string{"JK-NET-010", "JK-NET-020", "JK-NET-030", "JK-MAIL-010", "JK-HOST-090"}

// PreflightError is an install refused by its pre-flight checks: bad
// input (exit status 2), named after the check, with every fix as the hint.
func PreflightError(failed []plan.Finding) error {
	msgs := make([]string, len(failed))
	var fixes []string
	for i, f := range failed {
		msgs[i] = f.ID + " " + f.Found
		if f.Fix != "" {
			fixes = append(fixes, f.Fix)
		}
	}
	fixes = append(fixes, "or add --force to install anyway")
	return &inputerr.FieldError{Field: "pre-flight", Problem: strings.Join(msgs, "; "), Hint: strings.Join(fixes, "; ")}
}

// Planned describes the jail of v for hostcheck: its addresses, the ports
// it listens on for these values, what it needs of the host, and the role
// its recipe declares (a primary or secondary name server, a mail server).
func Planned(v *render.Values) hostcheck.Planned {
	r := v.Recipe
	p := hostcheck.Planned{Name: v.Jail.Name, Recipe: r.Name, DevfsUnhide: r.Host.DevfsUnhide,
		KernelModules: r.Host.KernelModules, SendmailOff: r.Host.SendmailOff, VNet: r.Host.VNet,
		HostRCConf: map[string]string{}}
	for _, ip := range append(append([]string{}, v.Jail.IP4s...), v.Jail.IP6s...) {
		if a, err := netip.ParseAddr(ip); err == nil {
			p.IPs = append(p.IPs, a)
		}
	}
	// Listens resolves port params, when expressions and conditional
	// parts; a template error there was already reported by Render.
	listens, _ := v.Listens()
	for _, l := range listens {
		p.Ports = append(p.Ports, hostcheck.Port{Proto: l.Proto, Port: l.Port})
	}
	for _, rv := range r.Host.RCConf {
		p.HostRCConf[rv.Name] = rv.Value
	}
	switch {
	case r.Roles.DNS != nil && r.Roles.DNS.IsPrimary(v.Params):
		p.Role = hostcheck.RoleDNSPrimary
	case r.Roles.DNS != nil:
		p.Role = hostcheck.RoleDNSSecondary
	case r.Roles.Mail != nil:
		p.Role = hostcheck.RoleMail
	}
	return p
}

// preflight runs the checks for v against the facts and returns every
// finding, plus an error when one failed and force is not set.
func preflight(f *hostcheck.Facts, v *render.Values, pl hostcheck.Planned, force bool) ([]plan.Finding, error) {
	rep := hostcheck.Run(f, hostcheck.Options{Planned: []hostcheck.Planned{pl}, Only: PreflightChecks})
	var all, failed []plan.Finding
	for _, fd := range rep.Findings {
		if fd.ID == "JK-MAIL-010" && fd.Severity == hostcheck.Fail && v.Recipe.Host.SendmailOff {
			// The plan sets the four sendmail settings and stops a
			// running sendmail itself, so this is no reason to refuse.
			fd.Severity = hostcheck.Warn
			fd.Found += "; this install turns it off"
		}
		x := plan.Finding{ID: fd.ID, Severity: string(fd.Severity), Found: fd.Found, Fix: fd.Fix}
		all = append(all, x)
		if fd.Severity == hostcheck.Fail {
			failed = append(failed, x)
		}
	}
	if len(failed) > 0 && !force {
		return all, PreflightError(failed)
	}
	return all, nil
}

// preflightNote turns a forced failure into a note for the plan.
func preflightNote(all []plan.Finding) []string {
	var out []string
	for _, f := range all {
		if f.Severity == string(hostcheck.Fail) {
			out = append(out, fmt.Sprintf("--force: going on despite %s: %s", f.ID, f.Found))
		}
	}
	return out
}
