package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
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
All or nothing: what would stop the tree (a path written twice, a file in
the way) is reported before anything is written, and a failed or
interrupted (SIGINT, SIGTERM) render removes what it wrote. A second render
into DIR meanwhile is refused. A template may make 16 MiB per file, 64 MiB
per jail and run 10 seconds. Works on any OS.

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
	if err := checkOutEmpty(c.out, c.force); err != nil {
		return err
	}
	v, err := a.values(args[0], c.jail.spec)
	if err != nil {
		return err
	}
	files, err := renderCtx(a.ctx, v)
	if err != nil {
		return err
	}
	if err := writeOut(a.ctx, c.out, files, c.force); err != nil {
		return err
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

// checkOutEmpty refuses a --out that holds files unless force, and one
// that is not a directory.
func checkOutEmpty(dir string, force bool) error {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return &inputerr.FieldError{Field: "--out", Problem: fmt.Sprintf("%s cannot be read as a directory: %v", dir, errors.Unwrap(err)),
			Hint: "give a new or empty directory"}
	case len(ents) > 0 && !force:
		return &inputerr.FieldError{Field: "--out", Problem: fmt.Sprintf("%s is not empty", dir),
			Hint: "give a new or empty directory, or add --force to write over the files render writes (others are left as they are)"}
	}
	return nil
}

// renderCtx renders v, or returns as soon as ctx is cancelled (SIGINT,
// SIGTERM): a template cannot be stopped from outside, and the process
// exits right after.
func renderCtx(ctx context.Context, v *render.Values) ([]render.File, error) {
	type result struct {
		files []render.File
		err   error
	}
	done := make(chan result, 1)
	go func() {
		files, err := render.Render(v)
		done <- result{files, err}
	}()
	select {
	case r := <-done:
		return r.files, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("interrupted: %w", ctx.Err())
	}
}

// writeOut writes a rendered tree under dir, all or nothing: on any error,
// or SIGINT/SIGTERM, dir is left as it was (and removed again when this
// run made it). A second render into the same dir meanwhile is refused.
func writeOut(ctx context.Context, dir string, files []render.File, force bool) (err error) {
	made, err := mkdirOut(dir)
	if err != nil {
		return err
	}
	locked := false
	defer func() {
		// A run that lost the lock to another took nothing to take back:
		// the directory is the other run's now.
		if err != nil && made != "" && locked {
			os.Remove(dir) // empty again: the tree was taken back
			for d := filepath.Dir(dir); d != made && strings.HasPrefix(d, made); d = filepath.Dir(d) {
				os.Remove(d)
			}
			os.Remove(made)
		}
	}()
	unlock, err := system.LockDir(dir)
	if errors.Is(err, system.ErrLocked) {
		return fmt.Errorf("another jailkit is writing into %s (try again when it is done): %w", dir, err)
	} else if err != nil {
		return err
	}
	defer unlock()
	locked = true
	// Under the lock: two renders into one new directory must not both
	// find it empty and write one after the other.
	if err := checkOutEmpty(dir, force); err != nil {
		return err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer root.Close()
	if err := render.WriteNewTree(ctx, root, files); err != nil {
		if errors.Is(err, inputerr.ErrInput) {
			return err
		}
		return fmt.Errorf("render into %s: %w", dir, err)
	}
	return nil
}

// mkdirOut makes dir when it is missing and returns the topmost directory
// it made ("" when dir was there).
func mkdirOut(dir string) (string, error) {
	top := ""
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		top = d
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	return top, nil
}
