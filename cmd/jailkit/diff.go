package main

import (
	"encoding/json"
	"flag"
	"fmt"

	"github.com/jailkit/jailkit/engine/ops"
	"github.com/jailkit/jailkit/engine/plan"
)

// diffCmd is "jailkit diff": it holds the value of its flag.
type diffCmd struct {
	format string
}

func (*diffCmd) about() about {
	return about{name: "diff", summary: "show how a jail's files drifted from what its recipe renders",
		usage:      "diff NAME [--format text|json]",
		positional: 1,
		help: `Renders the jail's recipe from the values recorded in /var/db/jailkit/NAME.json
and compares each file with the one in the jail (read through the jail root,
never following a link out of it). Each difference is a unified diff from the
file in the jail to what the recipe renders, the change jailkit install would
make: lines starting with - are what a local edit added. Each file is marked
edited (changed since jailkit wrote it), missing, mode, or recipe (jailkit
wrote it, but the recipe now renders it otherwise). It changes nothing.

jailkit install refuses to overwrite an edited file unless --force, and shows
the same diff.

Exit status 1 when a file differs, as diff(1).

Flags:
  --format F        text or json`}
}

func (c *diffCmd) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.format, "format", "text", "")
}

func (c *diffCmd) run(a *app, args []string) error {
	if err := checkFormat(c.format); err != nil {
		return err
	}
	host, _, err := a.openHost(a.root)
	if err != nil {
		return err
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	d, err := ops.DiffJail(a.ctx, host, cat, args[0])
	if err != nil {
		return err
	}
	if c.format == "json" {
		data, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return err
		}
		if err := writeSchemaJSON(a.stdout, schemaDiff, data); err != nil {
			return err
		}
	} else {
		for _, f := range d.Files {
			switch f.Kind {
			case ops.DriftMode:
				fmt.Fprintf(a.stdout, "%s: mode %s in the jail\n", f.Path, f.Mode)
			default:
				// The jail's root controls these files: no escape of
				// theirs reaches the terminal.
				fmt.Fprintf(a.stdout, "%s: %s\n%s", f.Path, f.Kind, plan.Printable(f.Diff))
			}
		}
	}
	if len(d.Files) > 0 {
		return &exitError{code: exitFailure}
	}
	if c.format == "text" {
		fmt.Fprintf(a.stderr, "jailkit: jail %s is what its recipe renders\n", d.Jail)
	}
	return nil
}
