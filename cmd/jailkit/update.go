package main

import (
	"context"
	"flag"
	"time"

	"github.com/jailkit/jailkit/cmd/jailkit/internal/opshelp"
	"github.com/jailkit/jailkit/engine/ops"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/system"
)

// updateCmd is "jailkit update": it holds the values of its flags.
type updateCmd struct {
	all, dryRun  bool
	format, from string
}

func (*updateCmd) about() about {
	return about{name: "update", summary: "patch the base and upgrade the packages of jails jailkit installed",
		usage:      "update NAME... [--dry-run [--from DIR]] [--format text|json]\nupdate --all [--dry-run [--from DIR]] [--format text|json]",
		positional: -1, help: opshelp.Update}
}

func (c *updateCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.all, "all", false, "")
	fs.BoolVar(&c.dryRun, "dry-run", false, "")
	fs.StringVar(&c.format, "format", "text", "")
	fs.StringVar(&c.from, "from", "", "")
}

func (c *updateCmd) run(a *app, args []string) error {
	label := "jailkit-update-" + time.Now().UTC().Format("20060102-150405")
	return a.runChange("update", "updated", c.dryRun, c.from, c.format, func(ctx context.Context, sys system.System, opts ops.Options, apply bool) (*plan.Plan, error) {
		if apply {
			return ops.Update(ctx, sys, args, c.all, label, opts)
		}
		return ops.PlanUpdate(ctx, sys, args, c.all, label, opts)
	})
}

// runChange runs a changing ops command verb: its plan printed with
// --dry-run, or applied with its steps shown and reported as done.
func (a *app) runChange(verb, done string, dryRun bool, from, format string, op func(ctx context.Context, sys system.System, opts ops.Options, apply bool) (*plan.Plan, error)) error {
	if err := checkFormat(format); err != nil {
		return err
	}
	host, simulated, err := a.openToChange(verb, dryRun, from)
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
	if dryRun {
		p, err := op(ctx, system.NewDryRun(host), opts, false)
		if err != nil {
			return err
		}
		return a.printPlan(p, format)
	}
	opts.OnStep = a.stepPrinter(verb)
	p, err := op(ctx, host, opts, true)
	if err != nil {
		return opFailed(verb, p, err)
	}
	return a.reportOp(p, format, done)
}

// upgradeCmd is "jailkit upgrade": it holds the values of its flags.
type upgradeCmd struct {
	dryRun                  bool
	release, mirror, format string
	from                    string
}

func (*upgradeCmd) about() about {
	return about{name: "upgrade", summary: "move a thin jail to a new FreeBSD release",
		usage:      "upgrade NAME --release R [--mirror URL] [--dry-run [--from DIR]] [--format text|json]",
		positional: 1, help: opshelp.Upgrade}
}

func (c *upgradeCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.dryRun, "dry-run", false, "")
	fs.StringVar(&c.release, "release", "", "")
	fs.StringVar(&c.mirror, "mirror", "", "")
	fs.StringVar(&c.format, "format", "text", "")
	fs.StringVar(&c.from, "from", "", "")
}

func (c *upgradeCmd) run(a *app, args []string) error {
	uo := ops.UpgradeOptions{Release: c.release, Mirror: c.mirror, Label: "jailkit-upgrade-" + time.Now().UTC().Format("20060102-150405")}
	return a.runChange("upgrade", "upgraded", c.dryRun, c.from, c.format, func(ctx context.Context, sys system.System, opts ops.Options, apply bool) (*plan.Plan, error) {
		if apply {
			return ops.Upgrade(ctx, sys, args[0], uo, opts)
		}
		return ops.PlanUpgrade(ctx, sys, args[0], uo, opts)
	})
}
