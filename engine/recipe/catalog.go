package recipe

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/recipes"
	"github.com/jailkit/jailkit/templates"
)

// Catalog is the set of recipes jailkit knows: the built-in ones, then
// those of the user's directories. A user recipe may take a built-in
// recipe's name (it is then marked as overriding it), but two user
// recipes may not share one.
type Catalog struct {
	byName map[string]*Recipe
	// dirs are the user directories the recipes' templates are read
	// from, open until Close.
	dirs []*DirFS
}

// Close releases the user recipe directories; the recipes cannot render
// their own templates after it.
func (c *Catalog) Close() error {
	for _, d := range c.dirs {
		d.Close()
	}
	c.dirs = nil
	return nil
}

// MaxRecipesPerDir bounds how many recipes one directory may hold, so a
// directory of a million files is refused instead of parsed.
const MaxRecipesPerDir = 1000

// Dir is a user recipe directory. A Required one must exist (--recipes);
// the default directory may be missing.
type Dir struct {
	Path     string
	Required bool
}

// LoadCatalog reads the built-in recipes and then every *.yaml in dirs,
// each of which must exist.
func LoadCatalog(dirs ...string) (*Catalog, error) {
	ds := make([]Dir, len(dirs))
	for i, d := range dirs {
		ds[i] = Dir{Path: d, Required: true}
	}
	return LoadCatalogDirs(ds)
}

// LoadCatalogDirs reads the built-in recipes and then every *.yaml of each
// directory, through os.Root (see DirFS). A required directory that is
// missing, and any that is not a directory or cannot be read, is an input
// error; so is a broken recipe (naming its file and line), a recipe whose
// file name is not its name, and two user recipes with one name.
func LoadCatalogDirs(dirs []Dir) (*Catalog, error) {
	c := &Catalog{byName: map[string]*Recipe{}}
	var errs inputerr.ErrorList
	errs = append(errs, c.addFS(recipes.FS, "recipes", false)...)
	for _, d := range dirs {
		if _, err := os.Lstat(d.Path); !d.Required && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		errs = append(errs, c.addDir(d.Path)...)
	}
	return c, errs.Err()
}

// addDir adds the recipes of one user directory.
func (c *Catalog) addDir(dir string) inputerr.ErrorList {
	dfs, err := OpenDirFS(dir)
	if err != nil {
		return inputerr.ErrorList{err}
	}
	c.dirs = append(c.dirs, dfs)
	return c.addFS(dfs, dir, true)
}

func (c *Catalog) addFS(fsys fs.FS, label string, user bool) inputerr.ErrorList {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return inputerr.ErrorList{&inputerr.PosError{File: label, Msg: "cannot list recipes: " + err.Error()}}
	}
	if len(names) > MaxRecipesPerDir {
		return inputerr.ErrorList{&inputerr.PosError{File: label,
			Msg: fmt.Sprintf("holds %d recipes; jailkit reads at most %d from one directory", len(names), MaxRecipesPerDir)}}
	}
	var errs inputerr.ErrorList
	for _, n := range names {
		r, err := ParseRecipeFile(fsys, n, templates.FS)
		if err != nil {
			var list inputerr.ErrorList
			var pe *fs.PathError
			switch {
			case errors.As(err, &list):
				for _, e := range list {
					errs = append(errs, prefixSource(label, e))
				}
			case errors.As(err, &pe):
				errs = append(errs, &inputerr.PosError{File: path.Join(label, n), Msg: "cannot read the recipe: it " + pe.Err.Error()})
			default:
				errs = append(errs, err)
			}
			continue
		}
		r.Source, r.User = path.Join(label, n), user
		if err := CheckFileName(r.Source, r); err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, ok := c.byName[r.Name]; ok {
			if prev.User {
				errs = append(errs, &inputerr.PosError{File: r.Source, Line: r.keyLine("name"),
					Msg: fmt.Sprintf("recipe %s is also defined by %s; keep one of them", r.Name, prev.Source)})
				continue
			}
			r.Overrides = prev.Source
		}
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

// CheckFileName makes sure a recipe file is called NAME.yaml: a catalog
// finds recipes by file, and a file that says another name would take
// that name unseen.
func CheckFileName(source string, r *Recipe) error {
	base := path.Base(filepath.ToSlash(source))
	if want := r.Name + ".yaml"; base != want {
		return &inputerr.PosError{File: source, Line: r.keyLine("name"),
			Msg: fmt.Sprintf("the recipe is named %s but its file %s; name the file %s", quoteCut(r.Name), quoteCut(base), want)}
	}
	return nil
}
