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

// upgradeCmd is "jailkit upgrade": it holds the values of its flags.
type upgradeCmd struct {
	dryRun                  bool
	release, mirror, format string
}

func (*upgradeCmd) about() about {
	return about{name: "upgrade", summary: "move a thin jail to a new FreeBSD release",
		usage:      "upgrade NAME --release R [--mirror URL] [--dry-run] [--format text|json]",
		positional: 1, help: opshelp.Upgrade}
}

func (c *upgradeCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.dryRun, "dry-run", false, "")
	fs.StringVar(&c.release, "release", "", "")
	fs.StringVar(&c.mirror, "mirror", "", "")
	fs.StringVar(&c.format, "format", "text", "")
}

func (c *upgradeCmd) run(a *app, args []string) error {
	uo := ops.UpgradeOptions{Release: c.release, Mirror: c.mirror, Label: "jailkit-upgrade-" + time.Now().UTC().Format("20060102-150405")}
	return a.runChange("upgrade", "upgraded", c.dryRun, c.format, func(ctx context.Context, sys system.System, opts ops.Options, apply bool) (*plan.Plan, error) {
		if apply {
			return ops.Upgrade(ctx, sys, args[0], uo, opts)
		}
		return ops.PlanUpgrade(ctx, sys, args[0], uo, opts)
	})
}
