package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/lint"
	"github.com/jailkit/jailkit/engine/recipe"
)

// recipesCmd is "jailkit recipes": it holds the value of its flag.
type recipesCmd struct {
	format string
}

func (*recipesCmd) about() about {
	return about{name: "recipes", summary: "list the recipes jailkit knows",
		usage: "recipes [--format text|json]", positional: 0,
		help: `Lists every recipe, built-in or from --recipes, /usr/local/etc/jailkit/recipes
and the recipes directories of jailkit.conf, with its one-line summary.

Flags:
  --format F        text (default) or json`}
}

func (c *recipesCmd) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.format, "format", "text", "text or json")
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
// and the recipes directories of jailkit.conf under --root, then each
// --recipes directory: a later one overrides an earlier one by name.
func (a *app) catalog() (*recipe.Catalog, error) {
	// The default directory may be missing; one named in jailkit.conf or
	// with --recipes must exist.
	dirs := []recipe.Dir{{Path: filepath.Join(a.root, "usr/local/etc/jailkit/recipes")}}
	for _, d := range a.conf.RecipeDirs {
		dirs = append(dirs, recipe.Dir{Path: filepath.Join(a.root, d), Required: true})
	}
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

func (rc *recipesCmd) run(a *app, _ []string) error {
	if err := validFormat(rc.format); err != nil {
		return err
	}
	c, err := a.catalog()
	if err != nil {
		return err
	}
	if rc.format == "json" {
		type entry struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Summary string `json:"summary"`
		}
		out := struct {
			Schema  string  `json:"schema"`
			Recipes []entry `json:"recipes"`
		}{Schema: schemaRecipes, Recipes: []entry{}}
		for _, r := range c.List() {
			out.Recipes = append(out.Recipes, entry{r.Name, r.Version, r.Summary})
		}
		return writeJSON(a.stdout, out)
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
