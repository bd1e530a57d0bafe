package main

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/jailkit/jailkit/engine/state"
)

// listCmd is "jailkit list": it holds the value of its flag.
type listCmd struct {
	format string
}

func (*listCmd) about() about {
	return about{name: "list", summary: "list the jails jailkit manages, with their state",
		usage:      "list [--format text|json]",
		positional: 0,
		help: `Lists the jails that have a state file in /var/db/jailkit: name, recipe,
address, release and whether the jail is running (from jls; "unknown" where
jls cannot run). Works on any OS with --root.

Flags:
  --format F        text or json`}
}

func (c *listCmd) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.format, "format", "text", "")
}

func (c *listCmd) run(a *app, _ []string) error {
	if err := checkFormat(c.format); err != nil {
		return err
	}
	host, _, err := a.openHost(a.root)
	if err != nil {
		return err
	}
	jails, err := state.List(a.ctx, host)
	if err != nil {
		return err
	}
	if c.format == "json" {
		if jails == nil {
			jails = []state.JailInfo{}
		}
		return writeJSON(a.stdout, struct {
			Schema string           `json:"schema"`
			Jails  []state.JailInfo `json:"jails"`
		}{schemaList, jails})
	}
	if len(jails) == 0 {
		fmt.Fprintln(a.stderr, "jailkit: no jails installed by jailkit")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRECIPE\tADDRESS\tRELEASE\tSTATE")
	for _, j := range jails {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.Name, j.Recipe, strings.Join(j.Addresses, ","), j.Release+" "+j.Arch, j.State)
	}
	return tw.Flush()
}
