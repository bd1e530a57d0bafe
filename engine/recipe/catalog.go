package recipe

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/recipes"
	"github.com/jailkit/jailkit/templates"
)

// Catalog is the set of recipes jailkit knows: the built-in ones, then
// those of each extra directory, a later one overriding an earlier one of
// the same name.
type Catalog struct {
	byName map[string]*Recipe
}

// LoadCatalog reads the built-in recipes and then every *.yaml in dirs.
// A directory that does not exist is skipped; a broken recipe is an error
// naming its file and line.
func LoadCatalog(dirs ...string) (*Catalog, error) {
	c := &Catalog{byName: map[string]*Recipe{}}
	var errs inputerr.ErrorList
	errs = append(errs, c.addFS(recipes.FS, "recipes")...)
	for _, d := range dirs {
		if _, err := os.Stat(d); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		errs = append(errs, c.addFS(os.DirFS(d), d)...)
	}
	return c, errs.Err()
}

func (c *Catalog) addFS(fsys fs.FS, label string) inputerr.ErrorList {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return inputerr.ErrorList{err}
	}
	var errs inputerr.ErrorList
	for _, n := range names {
		r, err := ParseRecipeFile(fsys, n, templates.FS)
		if err != nil {
			var list inputerr.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					errs = append(errs, prefixSource(label, e))
				}
			} else {
				errs = append(errs, err)
			}
			continue
		}
		r.Source = path.Join(label, n)
		c.byName[r.Name] = r
	}
	return errs
}

func prefixSource(label string, err error) error {
	var pe *inputerr.PosError
	if errors.As(err, &pe) {
		cp := *pe
		cp.File = path.Join(label, pe.File)
		return &cp
	}
	return err
}

// Get returns the named recipe, or an input error listing the known ones.
func (c *Catalog) Get(name string) (*Recipe, error) {
	if r, ok := c.byName[name]; ok {
		return r, nil
	}
	return nil, &inputerr.FieldError{Field: "recipe", Problem: fmt.Sprintf("no recipe named %q", name),
		Hint: "known recipes: " + strings.Join(c.Names(), ", ")}
}

// Names returns the recipe names in order.
func (c *Catalog) Names() []string {
	names := make([]string, 0, len(c.byName))
	for n := range c.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// List returns the recipes sorted by name.
func (c *Catalog) List() []*Recipe {
	out := make([]*Recipe, 0, len(c.byName))
	for _, n := range c.Names() {
		out = append(out, c.byName[n])
	}
	return out
}
