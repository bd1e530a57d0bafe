package render

import (
	"errors"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/templates"
)

// maxCached bounds each of an Engine's caches. A real lab uses a handful
// of recipes with a few dozen templates and one-line expressions; past the
// bound an Engine still renders, it just parses again.
const maxCached = 1024

// Engine renders recipes. It owns the caches that make rendering fast:
// parsed templates per recipe, the one-line templates of recipe fields and
// the regular expressions templates match with. Each cache is bounded. An
// Engine is safe for concurrent use; share one across the jails of a lab.
type Engine struct {
	funcs template.FuncMap

	mu        sync.Mutex
	templates map[templateKey]*template.Template
	inline    map[string]*template.Template
	regexps   map[string]*regexp.Regexp

	// kits are the execution kits of this Engine; see execute.
	kits sync.Pool
	// maxTime bounds one execution (MaxExecTime; tests lower it).
	maxTime time.Duration
}

// templateKey names a template file of one recipe: two recipes may ship
// different files under the same name.
type templateKey struct {
	recipe *recipe.Recipe
	name   string
}

// New returns an Engine with empty caches.
func New() *Engine {
	e := &Engine{
		templates: map[templateKey]*template.Template{},
		inline:    map[string]*template.Template{},
		regexps:   map[string]*regexp.Regexp{},
		maxTime:   MaxExecTime,
	}
	e.funcs = e.funcMap()
	e.kits.New = func() any { return e.newKit() }
	return e
}

// FuncMap returns a copy of the functions templates may call.
func (e *Engine) FuncMap() template.FuncMap {
	fm := make(template.FuncMap, len(e.funcs))
	for k, v := range e.funcs {
		fm[k] = v
	}
	return fm
}

// cached looks key up in m under e's lock.
func cached[K comparable, V any](e *Engine, m map[K]V, key K) (V, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := m[key]
	return v, ok
}

// store keeps v in m unless m is full.
func store[K comparable, V any](e *Engine, m map[K]V, key K, v V) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(m) < maxCached {
		m[key] = v
	}
}

// regexp compiles pattern once.
func (e *Engine) regexp(pattern string) (*regexp.Regexp, error) {
	if r, ok := cached(e, e.regexps, pattern); ok {
		return r, nil
	}
	r, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	store(e, e.regexps, pattern, r)
	return r, nil
}

func (e *Engine) newTemplate(name string) *template.Template {
	return template.New(name).Funcs(e.funcs).Option("missingkey=error")
}

// renderTemplate renders one template file of r; errors read
// "templates/NAME:LINE: message". A parsed template is safe to execute
// from many goroutines, so it is cached.
func (e *Engine) renderTemplate(r *recipe.Recipe, tfs fs.FS, name string, ctx *Context) ([]byte, error) {
	key := templateKey{r, name}
	t, ok := cached(e, e.templates, key)
	if !ok {
		var err error
		if t, err = e.parseTemplate(tfs, name); err != nil {
			return nil, err
		}
		store(e, e.templates, key, t)
	}
	out, err := e.execute(t, ctx)
	if err != nil {
		return nil, TemplateError(recipe.TemplatePath(tfs, name), 0, err)
	}
	return out, nil
}

// parseTemplate parses a template file together with its helpers.
func (e *Engine) parseTemplate(tfs fs.FS, name string) (*template.Template, error) {
	// A user recipe's template is named by its own path in messages.
	where := recipe.TemplatePath(tfs, name)
	src, err := fs.ReadFile(tfs, name)
	if err != nil {
		return nil, &inputerr.PosError{File: where, Msg: "cannot read template: " + unwrapAll(err).Error()}
	}
	t, err := e.newTemplate(name).Parse(string(src))
	if err != nil {
		return nil, TemplateError(where, 0, err)
	}
	// Helpers, as in Helm: files named _*.tmpl beside the template hold
	// {{ define }} blocks shared by the recipe's templates.
	helpers, _ := fs.Glob(tfs, path.Join(path.Dir(name), "_*.tmpl"))
	for _, h := range helpers {
		if h == name {
			continue
		}
		hsrc, err := fs.ReadFile(tfs, h)
		if err != nil {
			return nil, &inputerr.PosError{File: recipe.TemplatePath(tfs, h), Msg: "cannot read template helper: " + unwrapAll(err).Error()}
		}
		if _, err := t.New(h).Parse(string(hsrc)); err != nil {
			return nil, TemplateError(recipe.TemplatePath(tfs, h), 0, err)
		}
	}
	return t, nil
}

// renderString renders a one-line template from a recipe field. The same
// text parses to the same template whatever recipe it came from, so the
// cache is keyed by the text.
func (e *Engine) renderString(file, what string, line int, src string, ctx *Context) (string, error) {
	if !strings.Contains(src, "{{") {
		return src, nil
	}
	t, ok := cached(e, e.inline, src)
	if !ok {
		var err error
		if t, err = e.newTemplate(what).Parse(src); err != nil {
			return "", TemplateError(file, line, err)
		}
		store(e, e.inline, src, t)
	}
	out, err := e.execute(t, ctx)
	if err != nil {
		return "", TemplateError(file, line, err)
	}
	return string(out), nil
}

// when evaluates a when: expression; "", "false", "0" and empty lists are
// false.
func (e *Engine) when(file string, line int, expr string, ctx *Context) (bool, error) {
	if expr == "" {
		return true, nil
	}
	out, err := e.renderString(file, "when", line, expr, ctx)
	if err != nil {
		return false, err
	}
	switch strings.TrimSpace(out) {
	case "", "false", "0", "<no value>", "[]":
		return false, nil
	}
	return true, nil
}

var tmplErrRE = regexp.MustCompile(`^template: ([^:]*):(\d+)(?::\d+)?: (?:executing "[^"]*" )?(.*)$`)

var failCallRE = regexp.MustCompile(`^at <fail[^>]*>: error calling fail: (.*)$`)

// TemplateError rewrites text/template's "template: NAME:LINE:COL: ..."
// into "FILE:LINE: ...". For a one-line template from a recipe field,
// base is the line of that field.
func TemplateError(file string, base int, err error) error {
	msg := err.Error()
	line := base
	if m := tmplErrRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[2])
		if base == 0 {
			line = n
			// An error inside a helper names the helper, not the caller.
			if strings.HasPrefix(file, "templates/") && m[1] != strings.TrimPrefix(file, "templates/") {
				file = "templates/" + m[1]
			}
		}
		msg = shortenAt(m[3])
	}
	// {{ fail "why" }} is a recipe's own message: show it bare.
	if m := failCallRE.FindStringSubmatch(msg); m != nil {
		msg = m[1]
	}
	return &inputerr.PosError{File: file, Line: line, Msg: msg}
}

// maxAt bounds the expression text/template quotes in "at <...>: ".
const maxAt = 60

// shortenAt cuts the expression an execution error quotes, which can be
// as long as a line of the template.
func shortenAt(msg string) string {
	rest, ok := strings.CutPrefix(msg, "at <")
	if !ok {
		return msg
	}
	expr, tail, ok := strings.Cut(rest, ">: ")
	if !ok || len(expr) <= maxAt {
		return msg
	}
	return "at <" + expr[:maxAt-3] + "...>: " + tail
}

// builtinTemplates are the embedded templates, so a user recipe can name
// built-in ones (the base files among them).
var builtinTemplates fs.FS = templates.FS

// unwrapAll returns the innermost reason of a file error, such as
// "is not a regular file (a named pipe)".
func unwrapAll(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
