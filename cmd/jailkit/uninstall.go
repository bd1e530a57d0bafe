package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/system"
)

// uninstallCmd is "jailkit uninstall": it holds the values of its flags.
type uninstallCmd struct {
	dryRun bool
	format string
}

func (*uninstallCmd) about() about {
	return about{name: "uninstall", summary: "remove a jail jailkit installed, and only what it created",
		usage:      "uninstall NAME [--dry-run] [--format text|json]",
		positional: 1,
		help: `Stops the jail and removes exactly what /var/db/jailkit/NAME.json says jailkit
created for it: /etc/jail.conf.d/NAME.conf, its devfs ruleset, the jail root and
the backups. The shared pieces (the .include line in /etc/jail.conf,
jail_enable, the release media and the shared base) go with the last jail
jailkit manages. Lines jailkit added to files it does not own are removed
one by one; those files are never rewritten from a backup.

Flags:
  --dry-run         print the plan and change nothing
  --format F        text or json`}
}

func (c *uninstallCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.dryRun, "dry-run", false, "")
	fs.StringVar(&c.format, "format", "text", "")
}

func (c *uninstallCmd) run(a *app, args []string) error {
	if err := checkFormat(c.format); err != nil {
		return err
	}
	host, simulated, err := a.openToChange("uninstall", c.dryRun, "")
	if err != nil {
		return err
	}
	// Ctrl-C stops the running step and rolls back instead of leaving
	// half a jail behind.
	ctx := a.ctx
	if c.dryRun {
		p, err := install.PlanUninstall(ctx, system.NewDryRun(host), args[0])
		if err != nil {
			return err
		}
		return a.printPlan(p, c.format)
	}
	opts := install.UninstallOptions{OnStep: a.stepPrinter("uninstall")}
	if simulated {
		opts.LockWait = 2e9
	}
	p, err := install.Uninstall(ctx, host, args[0], opts)
	if err != nil {
		if errors.Is(err, inputerr.ErrInput) {
			return err
		}
		return fmt.Errorf("uninstall %s: %w", args[0], err)
	}
	a.summary("uninstall of jail %s, %d steps", p.Jail, len(p.Steps))
	if c.format == "json" {
		return a.printPlan(p, "json")
	}
	for _, n := range p.Notes {
		fmt.Fprintf(a.stderr, "jailkit: note: %s\n", n)
	}
	fmt.Fprintf(a.stdout, "uninstalled jail %s (%s): %d changes\n", p.Jail, p.Recipe, p.Changes())
	return nil
}
