package render

import (
	"fmt"
	"io/fs"
	"slices"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
)

// File is one rendered file or directory of a jail.
type File struct {
	Path    string      `json:"path"` // absolute inside the jail: /etc/rc.conf
	Dir     bool        `json:"dir,omitempty"`
	Mode    fs.FileMode `json:"mode"`
	Owner   string      `json:"owner"`
	Group   string      `json:"group"`
	Content []byte      `json:"content,omitempty"`
}

// Context is what a template sees as its dot.
type Context struct {
	Jail   Jail
	Params map[string]any
	Recipe struct {
		Name, Version string
		// SSHD says the recipe runs sshd as its service (x11), so the
		// base writes sshd_config whatever the sshd param says.
		SSHD bool
	}
	// RCConf is the recipe's rc.conf settings, already rendered; the base
	// rc.conf template writes them.
	RCConf []recipe.RCVar
}

// Render renders every file of the jail: the common base first, then the
// recipe's own directories and files, in declaration order. It does no
// I/O beyond reading templates from the recipe's template FS, and uses
// the caches of the Engine that made v.
func Render(v *Values) ([]File, error) {
	e, r := v.engine, v.Recipe
	ctx := v.context()
	if err := v.renderRCConf(ctx); err != nil {
		return nil, err
	}
	var errs inputerr.ErrorList
	tfs := recipe.LayeredFS{r.Templates, builtinTemplates}
	var files []File
	var total int64
	for _, d := range r.Dirs {
		ok, err := e.when(r.Source, d.Line, d.When, ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue
		}
		mode, _ := parseModeDefault(d.Mode, 0o755)
		files = append(files, File{Path: d.Path, Dir: true, Mode: mode, Owner: or(d.Owner, "root"), Group: or(d.Group, "wheel")})
	}
	for i, f := range FileSpecs(r) {
		ok, err := e.when(r.Source, f.Line, f.When, ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue
		}
		// The base files are jailkit's: they render from the built-in
		// templates only, so a user recipe that ships its own
		// base/rc.conf.tmpl cannot replace the jail's rc.conf.
		owner, from := r, fs.FS(tfs)
		if i < len(baseFiles) {
			owner, from = nil, builtinTemplates
		}
		content, err := e.renderTemplate(owner, from, f.Template, ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if total += int64(len(content)); total > MaxTreeSize {
			errs = append(errs, &inputerr.PosError{File: r.Source, Line: f.Line,
				Msg: fmt.Sprintf("file %s: %v", f.Path, &LimitError{What: "the jail's rendered files", Size: total, Limit: MaxTreeSize})})
			break
		}
		mode, _ := parseModeDefault(f.Mode, 0o644)
		files = append(files, File{Path: f.Path, Mode: mode, Owner: or(f.Owner, "root"), Group: or(f.Group, "wheel"), Content: content})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return files, nil
}

// renderRCConf renders the recipe's rc.conf values, those of its
// conditional parts that apply included, into ctx for the base rc.conf
// template: each must be a value rc.conf can quote.
func (v *Values) renderRCConf(ctx *Context) error {
	r := v.Recipe
	rcVars := append(recipe.RCConf{}, r.RCConf...)
	conds, err := v.activeConditionals()
	if err != nil {
		return err
	}
	for _, c := range conds {
		rcVars = append(rcVars, c.RCConf...)
	}
	var errs inputerr.ErrorList
	for _, rv := range rcVars {
		out, err := v.engine.renderString(r.Source, "rc_conf "+rv.Name, rv.Line, rv.Value, ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := rcQuote(out); err != nil {
			errs = append(errs, &inputerr.PosError{File: r.Source, Line: rv.Line, Msg: err.Error()})
			continue
		}
		ctx.RCConf = append(ctx.RCConf, recipe.RCVar{Name: rv.Name, Value: out, Line: rv.Line})
	}
	return errs.Err()
}

func (v *Values) context() *Context {
	ctx := &Context{Jail: v.Jail, Params: v.Params}
	ctx.Recipe.Name, ctx.Recipe.Version = v.Recipe.Name, v.Recipe.Version
	ctx.Recipe.SSHD = slices.Contains(v.Recipe.Services, "sshd")
	return ctx
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func parseModeDefault(s string, def fs.FileMode) (fs.FileMode, error) {
	if s == "" {
		return def, nil
	}
	return recipe.ParseMode(s)
}
