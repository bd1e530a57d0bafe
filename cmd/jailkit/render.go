package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/render"
)

// renderCmd is "jailkit render": it holds the values of its flags.
type renderCmd struct {
	jail  jailFlags
	out   string
	force bool
}

func (*renderCmd) about() about {
	return about{name: "render", summary: "write a jail's files as a tree under a directory",
		usage:      "render RECIPE --ip IP [--name N] [--hostname H] [--set k=v]... --out DIR",
		positional: 1,
		help: `Renders the recipe with the given values and writes every file that would go
inside the jail (the common base and the recipe's own) under DIR, as DIR/etc/rc.conf,
DIR/usr/local/etc/... Nothing outside DIR is touched: writes go through os.Root
and a symlink inside DIR that leads outside it makes the render fail.
Works on any OS.

Flags:
  --ip IP[/LEN]     the jail's address (repeat, or separate with commas, for more)
  --name N          jail name (default: the recipe name)
  --hostname H      host name (default: NAME.home.lan)
  --set k=v         set a recipe parameter (see jailkit show RECIPE)
  --release R       FreeBSD release for templates (default ` + render.DefaultRelease + `)
  --arch A          amd64, arm64 or i386 (default amd64)
  --interface IF    host interface for templates that name it
  --out DIR         where to write the tree (required; new or empty unless --force)
  --force           write into a DIR that already holds files, replacing
                    the rendered ones and leaving the others`}
}

func (c *renderCmd) flags(fs *flag.FlagSet) {
	c.jail.register(fs)
	fs.StringVar(&c.out, "out", "", "where to write the tree")
	fs.BoolVar(&c.force, "force", false, "write into a non-empty directory")
}

// jailFlags are the flags that describe a jail, shared by render, install
// and check.
type jailFlags struct {
	spec render.JailSpec
}

func (j *jailFlags) register(fs *flag.FlagSet) {
	fs.Func("ip", "the jail's address (repeat, or separate with commas)", func(s string) error { j.spec.IPs = append(j.spec.IPs, s); return nil })
	fs.StringVar(&j.spec.Name, "name", "", "jail name (default: the recipe name)")
	fs.StringVar(&j.spec.Hostname, "hostname", "", "host name (default: NAME.home.lan)")
	fs.Func("set", "set a recipe parameter, k=v (repeat)", func(s string) error { j.spec.Sets = append(j.spec.Sets, s); return nil })
	fs.StringVar(&j.spec.Release, "release", "", "FreeBSD release of the jail, such as 14.3-RELEASE")
	fs.StringVar(&j.spec.Arch, "arch", "", "amd64, arm64 or i386")
	fs.StringVar(&j.spec.Interface, "interface", "", "host interface of the address")
}

// values loads the recipe and validates the jail flags against it.
func (a *app) values(recipe string, spec render.JailSpec) (*render.Values, error) {
	c, err := a.catalog()
	if err != nil {
		return nil, err
	}
	r, err := c.Get(recipe)
	if err != nil {
		return nil, err
	}
	return render.NewValues(r, a.withConfig(spec))
}

func (c *renderCmd) run(a *app, args []string) error {
	if c.out == "" {
		return &inputerr.FieldError{Field: "--out", Problem: "is required", Hint: "add --out DIR, the directory to write the jail's files into"}
	}
	if ents, err := os.ReadDir(c.out); err == nil && len(ents) > 0 && !c.force {
		return &inputerr.FieldError{Field: "--out", Problem: fmt.Sprintf("%s is not empty", c.out),
			Hint: "give a new or empty directory, or add --force to write over the files render writes (others are left as they are)"}
	}
	v, err := a.values(args[0], c.jail.spec)
	if err != nil {
		return err
	}
	files, err := render.Render(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", c.out, err)
	}
	root, err := os.OpenRoot(c.out)
	if err != nil {
		return fmt.Errorf("open %s: %w", c.out, err)
	}
	defer root.Close()
	if err := render.WriteTree(root, files, nil); err != nil {
		return fmt.Errorf("render into %s: %w", c.out, err)
	}
	for _, f := range files {
		kind := "file"
		if f.Dir {
			kind = "dir "
		}
		fmt.Fprintf(a.stdout, "%s %04o %s:%s %s\n", kind, f.Mode.Perm(), f.Owner, f.Group, f.Path)
	}
	fmt.Fprintf(a.stderr, "jailkit: rendered %d entries of jail %s (%s) into %s\n", len(files), v.Jail.Name, v.Recipe.Name, c.out)
	return nil
}
