package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/snapsys"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck"
)

// collectCmd is "jailkit collect": it holds the values of its flags.
type collectCmd struct {
	out, jailsDir string
	updates       bool
}

func (*collectCmd) about() about {
	return about{name: "collect", summary: "capture host facts for an audit elsewhere",
		usage: "collect --out DIR [--jails-dir DIR] [--updates]", positional: 0,
		help: `Reads what jailkit check looks at (sockstat, jls, sysctls, ifconfig, the
rc.conf files, devfs.rules, jail.conf and jail.conf.d, /etc/passwd, and each
jail's passwd, rc.conf and named.conf) and writes it under DIR, laid out as
snapshot.md (in /usr/local/share/doc/jailkit) describes, with jailkit's state
files and each jail's recorded files and listeners. Audit it anywhere with
jailkit check --from DIR; plan with install --dry-run, lab plan, status, diff --from DIR.
Secrets are never copied: no master.passwd, no keys, and secret lines of
named.conf are removed. Needs FreeBSD. DIR must not exist or be empty.

Flags:
  --out DIR         where to write the snapshot (required)
  --jails-dir DIR   where jails live, for the free-space check (default /usr/local/jails)
  --updates         ask each running jail's pkg what is pending, for update --from`}
}

func (c *collectCmd) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.out, "out", "", "")
	fs.BoolVar(&c.updates, "updates", false, "")
	fs.StringVar(&c.jailsDir, "jails-dir", "", "")
}

// run opens the live host with system.NewReal rather than a.openHost:
// a snapshot is meant to describe a real host.
func (c *collectCmd) run(a *app, _ []string) error {
	if c.out == "" {
		return &inputerr.FieldError{Field: "--out", Problem: "is required", Hint: "add --out DIR, the directory to write the snapshot into"}
	}
	if ents, err := os.ReadDir(c.out); err == nil && len(ents) > 0 {
		return &inputerr.FieldError{Field: "--out", Problem: fmt.Sprintf("%s is not empty", c.out), Hint: "give a new or empty directory, so no old facts mix with new ones"}
	}
	if runtime.GOOS != "freebsd" {
		return liveUnsupported("collect")
	}
	sys, err := system.NewReal(a.root)
	if err != nil {
		return err
	}
	defer sys.Close()
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", c.out, err)
	}
	out, err := os.OpenRoot(c.out)
	if err != nil {
		return fmt.Errorf("open %s: %w", c.out, err)
	}
	defer out.Close()
	if c.jailsDir == "" {
		c.jailsDir = a.conf.JailsDir
	}
	src := &hostcheck.LiveSource{Sys: sys, JailsDir: c.jailsDir}
	facts, n, err := hostcheck.Collect(a.ctx, src, out, hostcheck.GatherOptions{JailsDir: c.jailsDir})
	if err != nil {
		return fmt.Errorf("collect into %s: %w", c.out, err)
	}
	m, err := snapsys.CollectState(a.ctx, sys, out, c.updates)
	if err != nil {
		return fmt.Errorf("collect into %s: %w", c.out, err)
	}
	fmt.Fprintf(a.stderr, "jailkit: wrote %d entries (%s) into %s\n", n+m, facts, c.out)
	return nil
}
