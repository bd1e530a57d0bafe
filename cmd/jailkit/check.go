package main

import (
	"flag"
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"sort"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck"
)

// checkCmd is "jailkit check": it holds the values of its flags.
type checkCmd struct {
	from       string
	recipe     string
	format     string
	jail       jailFlags
	only, skip []string
}

func (*checkCmd) about() about {
	return about{name: "check", summary: "audit the host before jails share it",
		usage:      "check [--from DIR] [--recipe R --ip IP [--name N] [--set k=v]...] [--only ID,...] [--skip ID,...] [--format text|json]",
		positional: 0,
		help: `Audits the host before jails share it: daemons
listening on every address, sendmail, devfs rules, jail parameters, host
hardening, accounts shared with jails and services that do not belong in a
jail. Every finding has a stable ID (see checks.md), a severity (pass,
info, warn, fail), what was found, why it matters and the exact fix.

Without --from the live host is read, which needs FreeBSD. With --from DIR a
snapshot written by "jailkit collect --out DIR" is audited, on any OS.

Flags:
  --from DIR        audit the snapshot in DIR instead of the live host
  --recipe R        also run the checks a planned install of recipe R needs
  --ip IP           the planned jail's address (repeat or comma-separate)
  --name N          the planned jail's name (default: the recipe name)
  --set k=v         a recipe parameter of the planned jail (such as role=secondary)
  --hostname H, --release R, --arch A, --interface IF
                    the planned jail's host name, release, architecture and
                    host interface, as for install (only with --recipe)
  --only ID,...     run only these checks (IDs such as JK-NET-010, or groups such as NET)
  --skip ID,...     do not run these checks
  --format F        text (default) or json

Exit status: 0 when nothing failed, 1 when a check failed, 2 on bad usage.`}
}

// idList collects --only/--skip values, repeated or comma-separated.
func idList(dst *[]string) func(string) error {
	return func(s string) error {
		for _, id := range strings.Split(s, ",") {
			if id = strings.TrimSpace(id); id != "" {
				*dst = append(*dst, strings.ToUpper(id))
			}
		}
		return nil
	}
}

func (c *checkCmd) flags(fs *flag.FlagSet) {
	c.jail.register(fs)
	fs.StringVar(&c.from, "from", "", "")
	fs.StringVar(&c.recipe, "recipe", "", "")
	fs.Func("only", "", idList(&c.only))
	fs.Func("skip", "", idList(&c.skip))
	fs.StringVar(&c.format, "format", "text", "")
}

// liveUnsupported is the error for live checks on a host that is not FreeBSD.
func liveUnsupported(what string) error {
	return &usageError{
		msg:  fmt.Sprintf("%s needs FreeBSD: this is %s", what, runtime.GOOS),
		hint: "capture the host with jailkit collect --out DIR on FreeBSD, then audit it anywhere with jailkit check --from DIR"}
}

func (c *checkCmd) run(a *app, _ []string) error {
	if err := validFormat(c.format); err != nil {
		return err
	}
	if err := hostcheck.ValidateIDs(append(append([]string{}, c.only...), c.skip...)); err != nil {
		return &usageError{msg: "--only/--skip: " + err.Error(), hint: "see the IDs in checks.md (/usr/local/share/doc/jailkit) or jailkit check --format json"}
	}
	planned, err := c.planned(a)
	if err != nil {
		return err
	}
	facts, err := a.gatherFacts(c.from)
	if err != nil {
		return err
	}
	opts := hostcheck.Options{Only: c.only, Skip: c.skip}
	if planned != nil {
		opts.Planned = []hostcheck.Planned{*planned}
	}
	report := hostcheck.Run(facts, opts)
	if c.format == "json" {
		data, err := report.JSON()
		if err != nil {
			return err
		}
		if _, err := a.stdout.Write(data); err != nil {
			return err
		}
	} else {
		a.printReport(a.stdout, &report, facts)
	}
	if report.Failed() {
		return &exitError{code: exitFailure}
	}
	return nil
}

// gatherFacts reads the snapshot in from, or the live host. Like collect,
// it opens the live host with system.NewReal: an audit is of a real host.
func (a *app) gatherFacts(from string) (*hostcheck.Facts, error) {
	ctx := a.ctx
	if from != "" {
		snap, err := hostcheck.OpenSnapshot(from)
		if err != nil {
			return nil, &usageError{msg: "--from: " + err.Error(), hint: "give a directory written by jailkit collect --out DIR"}
		}
		defer snap.Close()
		return hostcheck.Gather(ctx, snap, hostcheck.GatherOptions{JailsDir: snap.Meta.JailsDir}), nil
	}
	if runtime.GOOS != "freebsd" {
		return nil, liveUnsupported("a live check")
	}
	sys, err := system.NewReal(a.root)
	if err != nil {
		return nil, err
	}
	defer sys.Close()
	return hostcheck.Gather(ctx, &hostcheck.LiveSource{Sys: sys}, hostcheck.GatherOptions{}), nil
}

// planned turns --recipe/--ip/--name/--set into the plain description
// hostcheck works with; nil when no install is planned.
func (c *checkCmd) planned(a *app) (*hostcheck.Planned, error) {
	spec := c.jail.spec
	if c.recipe == "" {
		// These describe a planned jail only a recipe gives meaning to;
		// without one they would be ignored, so they are refused.
		for _, f := range [][2]string{{"--release", spec.Release}, {"--arch", spec.Arch}, {"--hostname", spec.Hostname}, {"--interface", spec.Interface}} {
			if f[1] != "" {
				return nil, &usageError{msg: f[0] + " needs --recipe", hint: "describe the planned jail: --recipe R --ip IP " + f[0] + " " + f[1]}
			}
		}
		if len(spec.IPs) == 0 && spec.Name == "" && len(spec.Sets) == 0 {
			return nil, nil
		}
		if len(spec.Sets) > 0 {
			return nil, &usageError{msg: "--set needs --recipe", hint: "name the recipe the values are for: --recipe R"}
		}
		if len(spec.IPs) == 0 {
			return nil, &usageError{msg: "--name needs --recipe and --ip", hint: "describe the planned jail: --recipe R --ip IP"}
		}
	} else if len(spec.IPs) == 0 {
		return nil, &inputerr.FieldError{Field: "--ip", Problem: "is required with --recipe", Hint: "give the planned jail's address, such as --ip 192.0.2.53"}
	}
	if c.recipe != "" {
		v, err := a.values(c.recipe, spec)
		if err != nil {
			return nil, err
		}
		// The same description install's pre-flight checks, with the role
		// the recipe declares for the service checks (JK-SVC-010).
		p := install.Planned(v)
		return &p, nil
	}
	p := &hostcheck.Planned{Name: spec.Name}
	var ips []string
	for _, s := range spec.IPs {
		ips = append(ips, strings.Split(s, ",")...)
	}
	addrs, err := parseAddrs(ips)
	p.IPs = addrs
	return p, err
}

// parseAddrs reads addresses given as ADDR or ADDR/LEN.
func parseAddrs(list []string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, s := range list {
		s = strings.TrimSpace(s)
		if pr, err := netip.ParsePrefix(s); err == nil {
			out = append(out, pr.Addr())
			continue
		}
		addr, err := netip.ParseAddr(s)
		if err != nil {
			return nil, &inputerr.FieldError{Field: "--ip", Problem: fmt.Sprintf("%q is not an IPv4 or IPv6 address", s), Hint: "give an address such as 192.0.2.53"}
		}
		out = append(out, addr)
	}
	return out, nil
}

// printReport writes the grouped, coloured text report.
func (a *app) printReport(w io.Writer, r *hostcheck.Report, f *hostcheck.Facts) {
	byGroup := map[string][]hostcheck.Finding{}
	for _, fd := range r.Findings {
		g := hostcheck.Group(fd.ID)
		byGroup[g] = append(byGroup[g], fd)
	}
	label := map[hostcheck.Severity]string{
		hostcheck.Fail: a.outColors.err("FAIL"),
		hostcheck.Warn: a.outColors.warn("WARN"),
		hostcheck.Info: a.outColors.hint("INFO"),
		hostcheck.Pass: a.outColors.ok("PASS"),
	}
	first := true
	for _, g := range hostcheck.Groups {
		list := byGroup[g]
		if len(list) == 0 {
			continue
		}
		if !first {
			fmt.Fprintln(w)
		}
		first = false
		fmt.Fprintf(w, "%s\n", a.outColors.bold(g+"  "+hostcheck.GroupTitles[g]))
		for _, fd := range list {
			if fd.Severity == hostcheck.Pass {
				fmt.Fprintf(w, "  %s  %-12s %s\n", label[fd.Severity], fd.ID, fd.Found)
				continue
			}
			fmt.Fprintf(w, "  %s  %-12s %s\n", label[fd.Severity], fd.ID, fd.Title)
			writeField(w, "found", fd.Found)
			writeField(w, "why", fd.Why)
			writeField(w, "fix", fd.Fix)
		}
	}
	if len(r.Findings) > 0 {
		fmt.Fprintln(w)
	}
	var missing []string
	for k := range f.Missing {
		missing = append(missing, k)
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		fmt.Fprintf(w, "not read: %s\n", strings.Join(missing, ", "))
	}
	s := r.Summary
	fmt.Fprintf(w, "summary: %s, %s, %s, %s\n",
		a.outColors.err(fmt.Sprintf("%d fail", s.Fail)), a.outColors.warn(fmt.Sprintf("%d warn", s.Warn)),
		a.outColors.hint(fmt.Sprintf("%d info", s.Info)), a.outColors.ok(fmt.Sprintf("%d pass", s.Pass)))
}

// writeField prints "found:", "why:" or "fix:" with continuation lines
// indented under the value.
func writeField(w io.Writer, name, value string) {
	if value == "" {
		return
	}
	lines := strings.Split(value, "\n")
	fmt.Fprintf(w, "        %-6s %s\n", name+":", lines[0])
	for _, l := range lines[1:] {
		fmt.Fprintf(w, "               %s\n", l)
	}
}
