package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/jailkit/jailkit/cmd/jailkit/internal/opshelp"
	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/ops"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/system"
)

// powerCmd is "jailkit start", "stop" or "restart": verb says which; it
// holds the values of its flags.
type powerCmd struct {
	verb        string
	all, dryRun bool
	format      string
}

func (c *powerCmd) about() about {
	d := opshelp.Power[c.verb]
	return about{name: c.verb, summary: d.Summary,
		usage:      c.verb + " NAME... [--dry-run] [--format text|json]\n" + c.verb + " --all [--dry-run] [--format text|json]",
		positional: -1,
		help: d.Help + `

Flags:
  --all             every jail jailkit manages, in dependency order
  --dry-run         print the plan and change nothing
  --format F        text or json`}
}

func (c *powerCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.all, "all", false, "")
	fs.BoolVar(&c.dryRun, "dry-run", false, "")
	fs.StringVar(&c.format, "format", "text", "")
}

// opsOptions returns the options of a day-two operation: the catalogue,
// and on a simulated host a short lock wait and one post-check try.
func (a *app) opsOptions(simulated bool) (ops.Options, error) {
	cat, err := a.catalog()
	if err != nil {
		return ops.Options{}, err
	}
	opts := ops.Options{Recipes: cat}
	if simulated {
		opts.LockWait, opts.CheckTries = 2e9, 1
	}
	return opts, nil
}

func (c *powerCmd) run(a *app, args []string) error {
	planFn, doFn := ops.PlanStart, ops.Start
	switch c.verb {
	case "stop":
		planFn, doFn = ops.PlanStop, ops.Stop
	case "restart":
		planFn, doFn = ops.PlanRestart, ops.Restart
	}
	done := map[string]string{"start": "started", "stop": "stopped", "restart": "restarted"}[c.verb]
	return a.runChange(c.verb, done, c.dryRun, "", c.format, func(ctx context.Context, sys system.System, opts ops.Options, apply bool) (*plan.Plan, error) {
		if apply {
			return doFn(ctx, sys, args, c.all, opts)
		}
		return planFn(ctx, sys, args, c.all, opts)
	})
}

// opFailed names the operation and its jails in the error of a plan that
// failed to apply; bad input is shown as it is.
func opFailed(verb string, p *plan.Plan, err error) error {
	if p != nil && !errors.Is(err, inputerr.ErrInput) {
		return fmt.Errorf("%s %s: %w", verb, p.Jail, err)
	}
	return err
}

// reportOp tells what a day-two operation did.
func (a *app) reportOp(p *plan.Plan, format, done string) error {
	if format == "json" {
		return a.printPlan(p, "json")
	}
	for _, n := range p.Notes {
		fmt.Fprintf(a.stderr, "jailkit: note: %s\n", n)
	}
	if p.Jail == "" {
		fmt.Fprintln(a.stderr, "jailkit: no jails installed by jailkit")
		return nil
	}
	if p.Changes() == 0 {
		fmt.Fprintf(a.stdout, "%s: no changes\n", p.Jail)
		return nil
	}
	fmt.Fprintf(a.stdout, "%s %s: %d changes\n", done, p.Jail, p.Changes())
	return nil
}
