package main

import (
	"flag"
	"time"

	"github.com/jailkit/jailkit/engine/ops"
	"github.com/jailkit/jailkit/engine/system"
)

// updateCmd is "jailkit update": it holds the values of its flags.
type updateCmd struct {
	all, dryRun  bool
	format, from string
}

func (*updateCmd) about() about {
	return about{name: "update", summary: "upgrade the packages of jails jailkit installed",
		usage:      "update NAME... [--dry-run [--from DIR]] [--format text|json]\nupdate --all [--dry-run [--from DIR]] [--format text|json]",
		positional: -1,
		help: `Upgrades the packages of each running NAME (or of every jail jailkit manages,
name servers first) that its repository has newer versions of: the jail's own
pkg decides (jexec -l NAME pkg version -R -l '<', then pkg upgrade -y), so the
jail's pkg.conf, ABI and network are used. The jail's services then restart
and the post-check looks at their listeners. When the jail's root is a ZFS
dataset, a snapshot jailkit-update-TIME is taken first, and a failure rolls the
root back to it; otherwise a failure after pkg upgrade cannot take the upgrade
back (the plan says so). A jail with nothing pending is left alone. The state
file records what was upgraded.

The base system is not patched by this command yet (freebsd-update -b for
thick jails, a new shared base for thin ones).

Flags:
  --all             every jail jailkit manages
  --dry-run         print the plan and change nothing (it still asks each
                    jail's pkg what is pending, which fetches the catalogue)
  --from DIR        with --dry-run: plan against collect --updates --out DIR
  --format F        text or json`}
}

func (c *updateCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.all, "all", false, "")
	fs.BoolVar(&c.dryRun, "dry-run", false, "")
	fs.StringVar(&c.format, "format", "text", "")
	fs.StringVar(&c.from, "from", "", "")
}

func (c *updateCmd) run(a *app, args []string) error {
	if err := checkFormat(c.format); err != nil {
		return err
	}
	host, simulated, err := a.openToChange("update", c.dryRun, c.from)
	if err != nil {
		return err
	}
	opts, err := a.opsOptions(simulated)
	if err != nil {
		return err
	}
	// SIGINT and SIGTERM cancel a.ctx (internal/signals): the plan rolls
	// back, and a rollback is never cut short.
	ctx := a.ctx
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
