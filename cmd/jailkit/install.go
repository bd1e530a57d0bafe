package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/snapsys"
	"github.com/jailkit/jailkit/engine/system"
)

// installCmd is "jailkit install": it holds the values of its flags.
type installCmd struct {
	jail                   jailFlags
	dryRun, force, thick   bool
	ports                  bool
	format, mirror, bridge string
	from                   string
}

func (*installCmd) about() about {
	return about{name: "install", summary: "install a recipe as a hardened jail on this FreeBSD host",
		usage: "install RECIPE --ip IP [--name N] [--hostname H] [--set k=v]... [--dry-run] [--format text|json] [--force] [--thick] [--ports]\n" +
			"        [--grant CAP]... [--release R] [--arch A] [--interface IF] [--bridge BRIDGE] [--mirror URL] [--from DIR]",
		positional: 1,
		help: `Installs RECIPE as a jail bound to --ip, in FreeBSD's order: pre-flight host
checks, release media (base.txz, verified against the release MANIFEST and
cached under /usr/local/jails/media), the jail root (thin: a read-only base
shared with nullfs; --thick: a full copy), /etc/jail.conf.d/NAME.conf with
hardened parameters, the .include line in /etc/jail.conf, jail_enable in
rc.conf, a devfs ruleset when the recipe needs devices, the jail's files,
then the jail is started, pkg installs the recipe's packages in one call and
the services start. A post-check makes sure the service listens on the jail's
address and not on *. The state file /var/db/jailkit/NAME.json records what
was created. If a step fails, the completed steps are undone in reverse.

A VNET jail (a recipe that requires one, or --set vnet=true where the recipe
offers it, as dhcp does) has its own network stack: jail.conf gets vnet and
vnet.interface epairNb, jail(8) creates the epair and adds epairNa to the
host bridge --bridge (default bridge0), and the jail configures its address
itself. When the host has no such bridge, the install creates it with the
interface whose subnet holds the address as a member, now and in rc.conf;
that changes the host's networking, and the plan says so.

Running it again with the same values changes nothing; with a changed --set,
only the files that change are rewritten and the service is restarted. A re-run
that would overwrite a file changed in the jail since jailkit wrote it stops,
shows the diff and changes nothing, unless --force (see jailkit diff).

--dry-run prints the plan (every command as argv, every file with its content
or a diff against what is there) and changes nothing; it works on any OS.

Flags:
  --ip IP[/LEN]     the jail's address (repeat, or separate with commas, for more)
  --name N          jail name (default: the recipe name)
  --hostname H      host name (default: NAME.home.lan)
  --set k=v         set a recipe parameter (see jailkit show RECIPE)
  --release R       FreeBSD release of the jail (default: the host's)
  --arch A          amd64, arm64, or i386 on an amd64 host (default: the host's)
  --interface IF    host interface for the address (default: the one whose subnet holds it)
  --bridge BRIDGE   host bridge of a VNET jail's epair (default: bridge0, created when missing)
  --thick           a full copy of the base instead of a thin jail
  --ports           mount the host's /usr/ports read-only in the jail (kept on
                    re-runs; goes with uninstall)
  --mirror URL      FreeBSD mirror (default ` + install.DefaultMirror + `)
  --grant CAP       grant the recipe a capability it declares (repeat, or use
                    commas); jailkit show RECIPE says what each one allows
  --force           install even when a pre-flight check fails, and overwrite
                    files changed in the jail since jailkit wrote them
  --dry-run         print the plan and change nothing
  --from DIR        with --dry-run: plan against a host jailkit collect wrote
  --format F        text or json`}
}

func (c *installCmd) flags(fs *flag.FlagSet) {
	c.jail.register(fs)
	fs.Func("grant", "", func(s string) error { c.jail.spec.Grants = append(c.jail.spec.Grants, s); return nil })
	fs.BoolVar(&c.dryRun, "dry-run", false, "")
	fs.BoolVar(&c.force, "force", false, "")
	fs.BoolVar(&c.thick, "thick", false, "")
	fs.BoolVar(&c.ports, "ports", false, "")
	fs.StringVar(&c.format, "format", "text", "")
	fs.StringVar(&c.mirror, "mirror", "", "")
	fs.StringVar(&c.bridge, "bridge", "", "")
	fs.StringVar(&c.from, "from", "", "")
}

// openToChange opens the host for cmd, which changes it unless dryRun.
// Off FreeBSD only a dry run or a simulated host may go on, and that
// refusal wins over a host that failed to open: it says what works here.
func (a *app) openToChange(cmd string, dryRun bool, from string) (system.System, bool, error) {
	if from != "" && !dryRun {
		return nil, false, snapsys.ErrChange(cmd)
	}
	host, simulated, err := a.openFrom(from)
	if !dryRun && !simulated && runtime.GOOS != "freebsd" {
		if c, ok := host.(io.Closer); ok && err == nil {
			c.Close()
		}
		return nil, false, notFreeBSD(cmd)
	}
	return host, simulated, err
}

// openFrom opens the host, or with --from DIR the host jailkit collect
// wrote into DIR, read-only: commands plan against it on any OS.
func (a *app) openFrom(dir string) (system.System, bool, error) {
	if dir == "" {
		return a.openHost(a.root)
	}
	s, err := snapsys.Open(dir)
	return s, true, err
}

// notFreeBSD stops a command that changes a host on another OS.
func notFreeBSD(cmd string) error {
	return &usageError{msg: fmt.Sprintf("%s changes a FreeBSD host and this is %s; nothing was changed", cmd, runtime.GOOS),
		hint: "here you can run " + cmd + " --dry-run (the plan), jailkit render (the files) and jailkit check --from DIR (an audit of a collected host)"}
}

func checkFormat(f string) error {
	if f != "text" && f != "json" {
		return &inputerr.FieldError{Field: "--format", Problem: fmt.Sprintf("%q is not a format", f), Hint: "use --format text or --format json"}
	}
	return nil
}

func (a *app) printPlan(p *plan.Plan, format string) error {
	if format == "json" {
		data, err := p.JSON()
		if err != nil {
			return err
		}
		return writeSchemaJSON(a.stdout, schemaPlan, data)
	}
	fmt.Fprint(a.stdout, p.Text())
	return nil
}

func (c *installCmd) run(a *app, args []string) error {
	if err := checkFormat(c.format); err != nil {
		return err
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	r, err := cat.Get(args[0])
	if err != nil {
		return err
	}
	host, simulated, err := a.openToChange("install", c.dryRun, c.from)
	if err != nil {
		return err
	}
	opts := a.installOptions(c.bridge)
	opts.Thick, opts.Force, opts.Mirror, opts.Ports = c.thick, c.force, c.mirror, c.ports
	spec := a.withConfig(c.jail.spec)
	if simulated {
		opts.LockWait, opts.CheckTries = 2e9, 1
	}
	// Ctrl-C stops the running step and rolls back instead of leaving
	// half a jail behind.
	ctx := a.ctx
	if c.dryRun {
		p, err := install.PlanInstall(ctx, system.NewDryRun(host), r, spec, opts)
		if err != nil {
			return err
		}
		return a.printPlan(p, c.format)
	}
	opts.OnStep = a.stepPrinter("install")
	p, err := install.Install(ctx, host, r, spec, opts)
	if err != nil {
		if p != nil && !errors.Is(err, inputerr.ErrInput) {
			return fmt.Errorf("install %s: %w", p.Jail, err)
		}
		return err
	}
	return c.report(a, p)
}

// report tells what an install did.
func (c *installCmd) report(a *app, p *plan.Plan) error {
	a.summary("install of jail %s, %d steps", p.Jail, len(p.Steps))
	if c.format == "json" {
		return a.printPlan(p, "json")
	}
	for _, n := range p.Notes {
		fmt.Fprintf(a.stderr, "jailkit: note: %s\n", n)
	}
	if p.Changes() == 0 {
		fmt.Fprintf(a.stdout, "jail %s is up to date: no changes\n", p.Jail)
		return nil
	}
	on := p.Interface
	if p.VNet != nil {
		on = fmt.Sprintf("%s (VNET, %s on %s)", p.VNet.Jail(), p.VNet.Host(), p.VNet.Bridge)
	}
	fmt.Fprintf(a.stdout, "installed jail %s (%s) at %s on %s: %d changes\n", p.Jail, p.Recipe, strings.Join(p.Address, ", "), on, p.Changes())
	return nil
}
