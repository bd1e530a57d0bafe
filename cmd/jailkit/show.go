package main

import (
	"flag"

	"github.com/jailkit/jailkit/cmd/jailkit/internal/describe"
	"github.com/jailkit/jailkit/engine/render"
)

// showCmd is "jailkit show": it holds the values of its flags.
type showCmd struct {
	format string
	jail   jailFlags
}

func (*showCmd) about() about {
	return about{name: "show", summary: "describe a recipe: parameters, packages, services, files and host needs",
		usage: "show RECIPE [--set k=v]... [--ip IP] [--format text|json]", positional: 1,
		help: `Describes RECIPE in words: what it is, the parameters it takes (type, default,
meaning), the packages it installs, the services it starts, the ports it
listens on, the files it writes into the jail and what it needs from the host.
What a jail gets can depend on its parameters (www listens on 443 only with
tls=true): show describes a jail made with the values --set gives, and the
defaults for the rest, at the example address 192.0.2.10 unless --ip says
otherwise. Files that other values would add are named with the parameters
they depend on.

Flags:
  --set k=v         describe the jail these parameter values make (repeat)
  --ip IP           the address to describe it at (default 192.0.2.10)
  --name N          the jail's name (default: the recipe name)
  --hostname H      the jail's host name (default: NAME.home.lan)
  --release R       FreeBSD release (default ` + render.DefaultRelease + `)
  --arch A          amd64, arm64 or i386
  --interface IF    the host interface of the address
  --format F        text (default) or json`}
}

func (c *showCmd) flags(fs *flag.FlagSet) {
	c.jail.register(fs)
	fs.StringVar(&c.format, "format", "text", "text or json")
}

func (c *showCmd) run(a *app, args []string) error {
	if err := validFormat(c.format); err != nil {
		return err
	}
	spec := c.jail.spec
	if len(spec.IPs) == 0 {
		spec.IPs = []string{"192.0.2.10"}
	}
	v, err := a.values(args[0], spec)
	if err != nil {
		return err
	}
	d, err := describe.Describe(schemaShow, v)
	if err != nil {
		return err
	}
	if c.format == "json" {
		return writeJSON(a.stdout, d)
	}
	d.Text(a.stdout)
	return nil
}
