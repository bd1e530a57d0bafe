package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/jailkit/jailkit/cmd/jailkit/internal/opshelp"
	"github.com/jailkit/jailkit/engine/ops"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/system"
)

// snapshotCmd is "jailkit snapshot" or, with rollback set, "jailkit
// rollback": it holds the values of its flags.
type snapshotCmd struct {
	rollback      bool
	dryRun, force bool
	format        string
}

func (c *snapshotCmd) about() about {
	if c.rollback {
		return about{name: "rollback", summary: "roll a jail's ZFS root back to a snapshot",
			usage:      "rollback NAME LABEL [--force] [--dry-run] [--format text|json]",
			positional: 2,
			help:       opshelp.Rollback}
	}
	return about{name: "snapshot", summary: "take a ZFS snapshot of a jail's root",
		usage:      "snapshot NAME [LABEL] [--dry-run] [--format text|json]",
		positional: -1,
		help:       opshelp.Snapshot}
}

func (c *snapshotCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.dryRun, "dry-run", false, "")
	fs.StringVar(&c.format, "format", "text", "")
	if c.rollback {
		fs.BoolVar(&c.force, "force", false, "")
	}
}

func (c *snapshotCmd) run(a *app, args []string) error {
	verb := c.about().name
	if err := checkFormat(c.format); err != nil {
		return err
	}
	if len(args) < 1 || len(args) > 2 {
		return &usageError{msg: fmt.Sprintf("%s takes NAME and an optional LABEL", verb), hint: "usage: jailkit " + c.about().usage}
	}
	if verb == "rollback" && len(args) != 2 {
		// A label made up now never names an existing snapshot.
		return &usageError{msg: "rollback takes NAME and the LABEL of a snapshot", hint: "see the labels with: zfs list -t snapshot; usage: jailkit " + c.about().usage}
	}
	name, label := args[0], time.Now().UTC().Format("20060102-150405")
	if len(args) == 2 {
		label = args[1]
	}
	host, simulated, err := a.openToChange(verb, c.dryRun, "")
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
	var p *plan.Plan
	switch {
	case c.dryRun && c.rollback:
		p, err = ops.PlanRollback(ctx, system.NewDryRun(host), name, label, c.force, opts)
	case c.dryRun:
		p, err = ops.PlanSnapshot(ctx, system.NewDryRun(host), name, label)
	case c.rollback:
		opts.OnStep = a.stepPrinter(verb)
		p, err = ops.Rollback(ctx, host, name, label, c.force, opts)
	default:
		opts.OnStep = a.stepPrinter(verb)
		p, err = ops.Snapshot(ctx, host, name, label, opts)
	}
	if err != nil {
		return opFailed(verb, p, err)
	}
	if c.dryRun {
		return a.printPlan(p, c.format)
	}
	if c.rollback && c.format == "text" && p.Changes() > 0 {
		fmt.Fprintf(a.stdout, "rolled %s back to snapshot %s: %d changes\n", name, label, p.Changes())
		return nil
	}
	return a.reportOp(p, c.format, "took snapshot "+label+" of")
}
