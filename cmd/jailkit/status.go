package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/jailkit/jailkit/engine/ops"
)

// statusCmd is "jailkit status": it holds the values of its flags.
type statusCmd struct {
	format  string
	updates bool
}

func (*statusCmd) about() about {
	return about{name: "status", summary: "report on jails jailkit installed: running, listeners, patch level, drift",
		usage:      "status [NAME...] [--updates] [--format text|json]",
		positional: -1,
		help: `Reports on each NAME, or every jail jailkit manages: whether it runs and its JID
(jls), its addresses, whether the recipe's ports listen on the jail's address
and not on * (the install's post-check), the release it was installed from and
the base's version with its patch level (read from the jail's
/bin/freebsd-version, the shared base's for a thin jail), and drift: files
that differ from what the recipe renders from the recorded values (see
jailkit diff). With --updates, the jail's own pkg lists the packages its
repository has newer versions of (jexec -l NAME pkg version -R -l '<', which
fetches the repository catalogue). It changes nothing.

Exit status 1 when a jail has a problem: it does not run (unless jailkit stop
stopped it), a listener is missing or also on *, or a file was edited, removed
or has another mode. Pending updates and files a newer recipe renders
otherwise are reported, not problems.

Flags:
  --updates         also list the packages with updates pending
  --format F        text or json`}
}

func (c *statusCmd) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.format, "format", "text", "")
	fs.BoolVar(&c.updates, "updates", false, "")
}

func (c *statusCmd) run(a *app, args []string) error {
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
	sts, err := ops.Status(a.ctx, host, args, ops.StatusOptions{Recipes: cat, Updates: c.updates})
	if err != nil {
		return err
	}
	ok := true
	for _, s := range sts {
		ok = ok && len(s.Problems) == 0
	}
	if c.format == "json" {
		if err := writeJSON(a.stdout, struct {
			Schema string           `json:"schema"`
			OK     bool             `json:"ok"`
			Jails  []ops.JailStatus `json:"jails"`
		}{schemaStatus, ok, sts}); err != nil {
			return err
		}
	} else {
		for _, s := range sts {
			a.printStatus(a.stdout, s)
		}
		if len(sts) == 0 {
			fmt.Fprintln(a.stderr, "jailkit: no jails installed by jailkit")
		}
	}
	if !ok {
		return &exitError{code: exitFailure}
	}
	return nil
}

// printStatus writes one jail's status for people.
func (a *app) printStatus(w io.Writer, s ops.JailStatus) {
	state := s.State
	switch {
	case s.State == "running":
		state = a.colors.ok(fmt.Sprintf("running, jid %d", s.JID))
	case s.StoppedOnPurpose:
		state = "stopped by jailkit stop"
	case s.State == "stopped":
		state = a.colors.err("stopped")
	}
	fmt.Fprintf(w, "%s (%s): %s, %s\n", s.Name, s.Recipe, state, strings.Join(s.Addresses, ", "))
	if s.Listeners != "" {
		fmt.Fprintf(w, "  listeners: %s\n", s.Listeners)
	}
	base := s.Userland
	if base == "" {
		base = "unknown"
	}
	fmt.Fprintf(w, "  base: %s (installed from %s)\n", base, s.Release)
	if s.Updates != nil {
		u := strings.Join(s.Updates, " ")
		if u == "" {
			u = "none pending"
		}
		fmt.Fprintf(w, "  updates: %s\n", u)
	}
	for _, d := range s.Drift {
		if d.Kind == ops.DriftRecipe {
			fmt.Fprintf(w, "  recipe: %s is rendered otherwise now; install would update it\n", d.Path)
		}
	}
	for _, p := range s.Problems {
		fmt.Fprintf(w, "  %s %s\n", a.colors.err("problem:"), p)
	}
	for _, n := range s.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}
