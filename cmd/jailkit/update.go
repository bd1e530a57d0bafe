package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jailkit/jailkit/engine/ops"
	"github.com/jailkit/jailkit/engine/system"
)

// updateCmd is "jailkit update": it holds the values of its flags.
type updateCmd struct {
	all, dryRun bool
	format      string
}

func (*updateCmd) about() about {
	return about{name: "update", summary: "patch the base and upgrade the packages of jails jailkit installed",
		usage:      "update NAME... [--dry-run] [--format text|json]\nupdate --all [--dry-run] [--format text|json]",
		positional: -1,
		help: `Patches the base system of each NAME (or of every jail jailkit manages, name
servers first), then upgrades its packages.

Base: freebsd-update fetch says, while planning, whether the base has patches
for the version its /bin/freebsd-version holds; a base with none is left
alone. A thick jail's root is patched in place (freebsd-update -b ROOT -d
/var/db/freebsd-update/jailkit-NAME ... fetch install) and the jail restarts.
Thin jails share a base: it is patched once, as a copy beside it
(templates/RELEASE-ARCH.N), and each selected thin jail then mounts the copy
(its jail.conf.d file rewritten, the jail stopped and started). The previous
base is kept; the plan says which jails still use it. A host securelevel above
0 refuses before anything changes.

Packages: each running jail's own pkg decides (jexec -l NAME pkg version -R
-l '<', then pkg upgrade -y), so the jail's pkg.conf, ABI and network are
used. The services restart and the post-check looks at their listeners.

When the jail's root is a ZFS dataset, a snapshot jailkit-update-TIME is taken
first, and a failure rolls the root back to it; otherwise a failure undoes the
base (freebsd-update rollback, or the jails switched back) but not a pkg
upgrade (the plan says so). The state file records what was done.

Flags:
  --all             every jail jailkit manages
  --dry-run         print the plan and change nothing (it still asks
                    freebsd-update and each jail's pkg what is pending,
                    which fetches their catalogues)
  --format F        text or json`}
}

func (c *updateCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.all, "all", false, "")
	fs.BoolVar(&c.dryRun, "dry-run", false, "")
	fs.StringVar(&c.format, "format", "text", "")
}

func (c *updateCmd) run(a *app, args []string) error {
	if err := checkFormat(c.format); err != nil {
		return err
	}
	host, simulated, err := a.openToChange("update", c.dryRun)
	if err != nil {
		return err
	}
	opts, err := a.opsOptions(simulated)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	label := "jailkit-update-" + time.Now().UTC().Format("20060102-150405")
	if c.dryRun {
		p, err := ops.PlanUpdate(ctx, system.NewDryRun(host), args, c.all, label, opts)
		if err != nil {
			return err
		}
		return a.printPlan(p, c.format)
	}
	opts.OnStep = a.stepPrinter("update")
	p, err := ops.Update(ctx, host, args, c.all, label, opts)
	if err != nil {
		return opFailed("update", p, err)
	}
	return a.reportOp(p, c.format, "updated")
}
