package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"text/template/parse"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/templates"
)

// sampleValues are values of each type that lint uses for required params.
var sampleValues = map[recipe.ParamType]string{
	recipe.TypeString: "example", recipe.TypeBool: "true", recipe.TypeInt: "1", recipe.TypePort: "8080",
	recipe.TypeIPv4: "192.0.2.10", recipe.TypeIPv6: "2001:db8::10", recipe.TypeIP: "192.0.2.10",
	recipe.TypeCIDR: "192.0.2.0/24", recipe.TypeHostname: "host.example.lan", recipe.TypeDomain: "example.lan",
	recipe.TypePath: "/usr/local/etc/example", recipe.TypeEmail: "hostmaster@example.lan",
}

// LintFile checks the recipe at file (a path on disk) and returns every
// problem found, each as "file:line: message", or nil when it is clean.
func LintFile(file string) error {
	// A regular file of bounded size: lint is how a downloaded recipe
	// is first looked at, and a FIFO or /dev/zero must not hang it.
	data, err := recipe.ReadRegularFile("PATH", file)
	if err != nil {
		return err
	}
	// The templates beside it are read as install would read them:
	// through os.Root, regular files only.
	local, err := recipe.OpenDirFS(filepath.Dir(file))
	if err != nil {
		return err
	}
	defer local.Close()
	return Lint(file, data, recipe.LayeredFS{local, templates.FS})
}

// Lint parses a recipe, checks every template it names statically (each
// .Params and .Jail reference must exist, in every branch) and renders it
// with sample values, collecting every problem.
func Lint(source string, data []byte, tfs fs.FS) error {
	r, err := recipe.ParseRecipe(source, data, tfs)
	if r == nil {
		return err
	}
	// Schema errors do not hide template errors: the templates the recipe
	// names are checked against the params that did parse. Only the
	// sample render needs the recipe whole.
	var errs inputerr.ErrorList
	var schema inputerr.ErrorList
	if err != nil && !errors.As(err, &schema) {
		return err
	}
	errs = append(errs, schema...)
	if strings.HasSuffix(source, ".yaml") {
		if err := recipe.CheckFileName(source, r); err != nil {
			errs = append(errs, err)
		}
	}
	known := map[string]bool{}
	for _, p := range r.AllParams() {
		known[p.Name] = true
	}
	seen := map[string]bool{}
	eng := render.New()
	// The base files render from the built-in templates only, as
	// render.Render does.
	for _, f := range render.BaseFileSpecs() {
		errs = append(errs, lintTemplate(eng, templates.FS, f.Template, known, map[string]bool{})...)
	}
	for _, f := range r.Files {
		if len(schema) > 0 && !readable(tfs, f.Template) {
			continue // the schema error names it already
		}
		errs = append(errs, lintTemplate(eng, tfs, f.Template, known, seen)...)
	}
	if len(errs) > 0 {
		return errs
	}
	// Render with both address families so both branches of every
	// template run at least once.
	for _, ips := range [][]string{{"192.0.2.10"}, {"192.0.2.10", "2001:db8::10"}, {"2001:db8::10"}} {
		var sets []string
		for _, p := range r.Params {
			if p.Required {
				sets = append(sets, p.Name+"="+sampleValue(p))
			}
		}
		v, err := eng.NewValues(r, render.JailSpec{IPs: ips, Sets: sets})
		if err != nil {
			return err
		}
		if _, err := render.Render(v); err != nil {
			var list inputerr.ErrorList
			if errors.As(err, &list) {
				errs = append(errs, list...)
			} else {
				errs = append(errs, err)
			}
			break
		}
	}
	return errs.Err()
}

// readable reports whether the template name can be read from tfs.
func readable(tfs fs.FS, name string) bool {
	if name == "" {
		return false
	}
	_, err := fs.Stat(tfs, name)
	return err == nil
}

func sampleValue(p recipe.Param) string {
	if p.Type == recipe.TypeEnum && len(p.Choices) > 0 {
		return p.Choices[0]
	}
	return sampleValues[p.Type]
}

// builtinFuncs names text/template's own functions: parse.Parse, unlike
// template.Parse, knows only the functions it is given.
var builtinFuncs = func() map[string]any {
	m := map[string]any{}
	for _, n := range []string{"and", "or", "not", "len", "index", "slice", "print", "printf", "println",
		"html", "js", "urlquery", "call", "eq", "ne", "lt", "le", "gt", "ge"} {
		m[n] = true // parse only asks whether a name has a non-nil entry
	}
	return m
}()

var jailFields = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeOf(render.Jail{})
	for i := 0; i < t.NumField(); i++ {
		m[t.Field(i).Name] = true
	}
	for i := 0; i < t.NumMethod(); i++ {
		m[t.Method(i).Name] = true
	}
	return m
}()

// lintTemplate parses one template (and its helpers) and reports every
// reference to a param or built-in that does not exist.
func lintTemplate(eng *render.Engine, tfs fs.FS, name string, known, seen map[string]bool) inputerr.ErrorList {
	src, err := fs.ReadFile(tfs, name)
	if err != nil {
		return inputerr.ErrorList{&inputerr.PosError{File: recipe.TemplatePath(tfs, name), Msg: "cannot read template"}}
	}
	names := []string{name}
	helpers, _ := fs.Glob(tfs, path.Join(path.Dir(name), "_*.tmpl"))
	names = append(names, helpers...)
	var errs inputerr.ErrorList
	for i, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		if i > 0 {
			if src, err = fs.ReadFile(tfs, n); err != nil {
				continue
			}
		}
		trees, err := parse.Parse(n, string(src), "{{", "}}", eng.FuncMap(), builtinFuncs)
		if err != nil {
			errs = append(errs, render.TemplateError(recipe.TemplatePath(tfs, n), 0, err))
			continue
		}
		for _, t := range trees {
			walkNodes(t.Root, func(node parse.Node) {
				var idents []string
				switch x := node.(type) {
				case *parse.FieldNode:
					idents = x.Ident
				case *parse.VariableNode:
					if len(x.Ident) > 1 && x.Ident[0] == "$" {
						idents = x.Ident[1:]
					}
				}
				if len(idents) < 2 {
					return
				}
				line := lineOf(string(src), int(node.Position()))
				switch idents[0] {
				case "Params":
					if !known[idents[1]] {
						errs = append(errs, &inputerr.PosError{File: recipe.TemplatePath(tfs, n), Line: line,
							Msg: fmt.Sprintf(".Params.%s is not a parameter of this recipe", idents[1])})
					}
				case "Jail":
					if !jailFields[idents[1]] {
						errs = append(errs, &inputerr.PosError{File: recipe.TemplatePath(tfs, n), Line: line,
							Msg: fmt.Sprintf(".Jail.%s is not a built-in value (have %s)", idents[1], strings.Join(sortedKeys(jailFields), ", "))})
					}
				}
			})
		}
	}
	return errs
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func lineOf(src string, pos int) int {
	if pos > len(src) {
		pos = len(src)
	}
	return 1 + strings.Count(src[:pos], "\n")
}

// walkNodes calls fn on every node of a template parse tree.
func walkNodes(n parse.Node, fn func(parse.Node)) {
	if n == nil || reflect.ValueOf(n).IsNil() {
		return
	}
	fn(n)
	switch x := n.(type) {
	case *parse.ListNode:
		for _, c := range x.Nodes {
			walkNodes(c, fn)
		}
	case *parse.ActionNode:
		walkNodes(x.Pipe, fn)
	case *parse.PipeNode:
		for _, c := range x.Cmds {
			walkNodes(c, fn)
		}
	case *parse.CommandNode:
		for _, a := range x.Args {
			walkNodes(a, fn)
		}
	case *parse.ChainNode:
		walkNodes(x.Node, fn)
	case *parse.IfNode:
		walkNodes(x.Pipe, fn)
		walkNodes(x.List, fn)
		walkNodes(x.ElseList, fn)
	case *parse.RangeNode:
		walkNodes(x.Pipe, fn)
		walkNodes(x.List, fn)
		walkNodes(x.ElseList, fn)
	case *parse.WithNode:
		walkNodes(x.Pipe, fn)
		walkNodes(x.List, fn)
		walkNodes(x.ElseList, fn)
	case *parse.TemplateNode:
		walkNodes(x.Pipe, fn)
	}
}
