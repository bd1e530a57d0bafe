package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/jailkit/jailkit/engine/ops"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/system"
)

// consoleCmd is "jailkit console": it holds the value of its flag.
type consoleCmd struct {
	dryRun bool
}

func (*consoleCmd) about() about {
	return about{name: "console", summary: "a root login shell in a jail jailkit installed",
		usage:      "console NAME [--dry-run]",
		positional: 1,
		help: `Replaces jailkit with a login shell as root in the running jail NAME:
/usr/sbin/jexec -l NAME /usr/bin/login -f root (a clean environment, the jail's
own passwd, login.conf and shell). Leaving the shell ends the session; nothing
of jailkit stays running. The console itself changes nothing, so it takes no
lock and records nothing.

Flags:
  --dry-run         print the command and run nothing`}
}

func (c *consoleCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.dryRun, "dry-run", false, "")
}

func (c *consoleCmd) run(a *app, args []string) error {
	host, _, err := a.openToChange("console", c.dryRun)
	if err != nil {
		return err
	}
	argv, err := ops.Console(a.ctx, host, args[0])
	if err != nil {
		return err
	}
	if c.dryRun {
		fmt.Fprintf(a.stdout, "would run: %s\n", plan.QuoteArgv(argv))
		return nil
	}
	ex, ok := host.(system.Execer)
	if !ok {
		return errors.New("this host cannot hand its terminal to a command")
	}
	return ex.Exec(argv, nil)
}
