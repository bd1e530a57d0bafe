package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/lint"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
)

// recipesCmd is "jailkit recipes", which has no flags of its own.
type recipesCmd struct{}

func (*recipesCmd) about() about {
	return about{name: "recipes", summary: "list the recipes jailkit knows",
		usage: "recipes", positional: 0,
		help: "Lists every recipe, built-in or from --recipes and /usr/local/etc/jailkit/recipes,\nwith its one-line summary; a user recipe shows its file, and whether it\noverrides the built-in recipe of its name."}
}

func (*recipesCmd) flags(*flag.FlagSet) {}

// showCmd is "jailkit show": it holds the value of its flag.
type showCmd struct {
	format string
}

func (*showCmd) about() about {
	return about{name: "show", summary: "show a recipe's parameters, packages, files and host needs",
		usage: "show RECIPE [--format text|json]", positional: 1}
}

func (c *showCmd) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.format, "format", "text", "")
}

// lintCmd is "jailkit lint", which has no flags of its own.
type lintCmd struct{}

func (*lintCmd) about() about {
	return about{name: "lint", summary: "validate a recipe file",
		usage: "lint PATH", positional: 1,
		help: "Checks a recipe strictly (unknown fields, types, defaults, paths, modes) and every\ntemplate it names (syntax, references to parameters that do not exist), then\nrenders it with sample values. Every problem is reported at once as\nfile:line: message; the exit status is 2 when there is any."}
}

func (*lintCmd) flags(*flag.FlagSet) {}

// catalog loads the built-in recipes, then /usr/local/etc/jailkit/recipes
// under --root, then each --recipes directory.
func (a *app) catalog() (*recipe.Catalog, error) {
	// The default directory may be missing; a --recipes one must exist.
	dirs := []recipe.Dir{{Path: filepath.Join(a.root, "usr/local/etc/jailkit/recipes")}}
	for _, d := range a.recipeDirs {
		dirs = append(dirs, recipe.Dir{Path: d, Required: true})
	}
	return recipe.LoadCatalogDirs(dirs)
}

// validFormat checks the --format of show, check and lab. Its message is
// not checkFormat's (install, uninstall, list): scripts pin both.
func validFormat(f string) error {
	if f != "text" && f != "json" {
		return &usageError{msg: fmt.Sprintf("--format %q is not text or json", f), hint: "use --format text or --format json"}
	}
	return nil
}

func (*recipesCmd) run(a *app, _ []string) error {
	c, err := a.catalog()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	for _, r := range c.List() {
		summary := r.Summary
		switch {
		case r.Overrides != "":
			summary += " [" + r.Source + ", overrides the built-in recipe]"
		case r.User:
			summary += " [" + r.Source + "]"
		}
		fmt.Fprintf(tw, "%s\t%s\n", r.Name, summary)
	}
	return tw.Flush()
}

func (c *showCmd) run(a *app, args []string) error {
	if err := validFormat(c.format); err != nil {
		return err
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	r, err := cat.Get(args[0])
	if err != nil {
		return err
	}
	if c.format == "json" {
		return showJSON(a, r)
	}
	showText(a.stdout, r)
	return nil
}

// showText writes what show prints without --format json.
func showText(w io.Writer, r *recipe.Recipe) {
	fmt.Fprintf(w, "%s %s: %s\n", r.Name, r.Version, r.Summary)
	if r.User {
		fmt.Fprintf(w, "A user recipe from %s", r.Source)
		if r.Overrides != "" {
			fmt.Fprint(w, "; it overrides the built-in recipe "+r.Name)
		}
		fmt.Fprintln(w)
	}
	if d := strings.TrimSpace(r.Description); d != "" {
		fmt.Fprintf(w, "\n%s\n", d)
	}
	fmt.Fprintf(w, "\nPackages: %s\n", strings.Join(r.Packages, " "))
	fmt.Fprintln(w, "\nParameters (--set NAME=VALUE):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range r.AllParams() {
		def := "(none)"
		switch {
		case p.Required:
			def = "(required)"
		case p.Default != nil:
			def = fmt.Sprint(defaultString(p))
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.Name, p.TypeString(), def, p.Description)
	}
	tw.Flush()
	showFiles(w, r)
	showNeeds(w, r)
	showNotes(w, r)
}

// showFiles lists what a jail of r holds: files, rc.conf, services, ports.
func showFiles(w io.Writer, r *recipe.Recipe) {
	fmt.Fprintln(w, "\nFiles in the jail:")
	for _, d := range r.Dirs {
		fmt.Fprintf(w, "  %s/\n", d.Path)
	}
	for _, f := range r.Files {
		extra := ""
		if f.When != "" {
			extra = "  (when " + f.When + ")"
		}
		fmt.Fprintf(w, "  %s%s\n", f.Path, extra)
	}
	fmt.Fprintln(w, "  /etc/rc.conf /etc/resolv.conf /etc/fstab (the common jail base)")
	if len(r.RCConf) > 0 {
		fmt.Fprintln(w, "\nrc.conf in the jail:")
		for _, v := range r.RCConf {
			fmt.Fprintf(w, "  %s=%q\n", v.Name, v.Value)
		}
	}
	if len(r.Services) > 0 {
		fmt.Fprintf(w, "\nServices: %s\n", strings.Join(r.Services, " "))
	}
	if len(r.Listens) > 0 {
		var ls []string
		for _, l := range r.Listens {
			ls = append(ls, fmt.Sprintf("%s/%d", l.Proto, l.Port))
		}
		fmt.Fprintf(w, "Listens on the jail address: %s\n", strings.Join(ls, " "))
	}
}

func showNeeds(w io.Writer, r *recipe.Recipe) {
	if h := r.HostNeeds(); len(h) > 0 {
		fmt.Fprintln(w, "\nHost needs:")
		for _, l := range h {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
}

func showNotes(w io.Writer, r *recipe.Recipe) {
	if n := strings.TrimSpace(r.Notes); n != "" {
		// Notes are a template; show them for an example jail so the
		// reader sees text, not template syntax.
		if v, err := render.NewValues(r, render.JailSpec{IPs: []string{"192.0.2.10"}}); err == nil {
			if text, err := v.Notes(); err == nil {
				fmt.Fprintf(w, "\nNotes (for an example jail %s at 192.0.2.10):\n%s\n", v.Jail.Hostname, strings.TrimSpace(text))
				return
			}
		}
		fmt.Fprintf(w, "\nNotes:\n%s\n", n)
	}
}

func defaultString(p recipe.Param) string {
	if l, ok := p.Default.([]any); ok {
		if len(l) == 0 {
			return "[]"
		}
		var s []string
		for _, x := range l {
			s = append(s, fmt.Sprint(x))
		}
		return strings.Join(s, ",")
	}
	return fmt.Sprint(p.Default)
}

func showJSON(a *app, r *recipe.Recipe) error {
	type param struct {
		Name        string   `json:"name"`
		Type        string   `json:"type"`
		Default     any      `json:"default,omitempty"`
		Required    bool     `json:"required,omitempty"`
		Choices     []string `json:"choices,omitempty"`
		Description string   `json:"description,omitempty"`
	}
	out := struct {
		Name      string   `json:"name"`
		Version   string   `json:"version"`
		Summary   string   `json:"summary"`
		Packages  []string `json:"packages"`
		Params    []param  `json:"params"`
		Files     []string `json:"files"`
		Services  []string `json:"services"`
		HostNeeds []string `json:"host_needs"`
		// Capabilities must each be granted with --grant to install.
		Capabilities []string `json:"capabilities"`
		Source       string   `json:"source,omitempty"`
		Overrides    bool     `json:"overrides_builtin,omitempty"`
	}{Name: r.Name, Version: r.Version, Summary: r.Summary, Packages: r.Packages, Services: r.Services, HostNeeds: r.HostNeeds(),
		Capabilities: append([]string{}, r.Capabilities...), Overrides: r.Overrides != ""}
	if r.User {
		out.Source = r.Source
	}
	for _, p := range r.AllParams() {
		out.Params = append(out.Params, param{p.Name, p.TypeString(), p.Default, p.Required, p.Choices, p.Description})
	}
	for _, f := range r.Files {
		out.Files = append(out.Files, f.Path)
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func (*lintCmd) run(a *app, args []string) error {
	if err := lint.LintFile(args[0]); err != nil {
		var fe *inputerr.FieldError
		if errors.As(err, &fe) {
			return err
		}
		var list inputerr.ErrorList
		if !errors.As(err, &list) {
			list = inputerr.ErrorList{err}
		}
		for _, e := range list {
			fmt.Fprintln(a.stdout, e.Error())
		}
		fmt.Fprintf(a.stderr, "jailkit: %s %s: %d problem(s)\n", a.colors.err("error:"), args[0], len(list))
		return &exitError{code: exitUsage}
	}
	fmt.Fprintf(a.stdout, "%s: ok\n", args[0])
	return nil
}
