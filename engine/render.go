package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"github.com/Masterminds/sprig/v3"
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
	Recipe struct{ Name, Version string }
	// RCConf is the recipe's rc.conf settings, already rendered; the base
	// rc.conf template writes them.
	RCConf []RCVar
}

// nonReproducible are sprig functions that read the clock, the environment,
// randomness or the network; rendering must give the same bytes every time.
var nonReproducible = []string{
	"env", "expandenv", "now", "date", "dateInZone", "date_in_zone", "dateModify", "date_modify",
	"htmlDate", "htmlDateInZone", "ago", "duration", "durationRound", "unixEpoch", "toDate", "mustToDate",
	"randAlphaNum", "randAlpha", "randAscii", "randNumeric", "randBytes", "randInt", "uuidv4",
	"genPrivateKey", "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
	"genSignedCert", "genSignedCertWithKey", "derivePassword", "getHostByName", "bcrypt", "htpasswd",
	"encryptAES", "decryptAES",
}

// FuncMap returns the functions templates may call: sprig's hermetic set
// without anything non-reproducible, plus a few for network configs. The
// map is the caller's to change.
func FuncMap() template.FuncMap {
	fm := template.FuncMap{}
	for k, v := range sharedFuncs() {
		fm[k] = v
	}
	return fm
}

// sharedFuncs is built once: sprig assembles a map of some two hundred
// functions on every call, which was most of a render's time. Templates
// copy what they need from it, so sharing it read-only is safe.
var sharedFuncs = sync.OnceValue(buildFuncMap)

func buildFuncMap() template.FuncMap {
	fm := sprig.HermeticTxtFuncMap()
	for _, n := range nonReproducible {
		delete(fm, n)
	}
	// sprig compiles a regular expression on every call; recipes that
	// validate values with regexMatch in loops spent most of a render
	// there. Same semantics, compiled once.
	fm["regexMatch"] = func(re, s string) bool { r, err := cachedRegexp(re); return err == nil && r.MatchString(s) }
	fm["mustRegexMatch"] = func(re, s string) (bool, error) {
		r, err := cachedRegexp(re)
		if err != nil {
			return false, err
		}
		return r.MatchString(s), nil
	}
	fm["regexReplaceAll"] = func(re, s, repl string) string {
		r, err := cachedRegexp(re)
		if err != nil {
			return s
		}
		return r.ReplaceAllString(s, repl)
	}
	fm["reverseZone"] = reverseZone
	fm["ptrLabel"] = ptrLabel
	fm["relName"] = relName
	fm["networkOf"] = networkOf
	fm["rcQuote"] = rcQuote
	return fm
}

var regexps sync.Map // pattern -> *regexp.Regexp

func cachedRegexp(pattern string) (*regexp.Regexp, error) {
	if r, ok := regexps.Load(pattern); ok {
		return r.(*regexp.Regexp), nil
	}
	r, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	regexps.Store(pattern, r)
	return r, nil
}

// reverseZone returns the in-addr.arpa zone of the /24 (IPv4) or the
// ip6.arpa zone of the /64 (IPv6) holding addr.
func reverseZone(addr string) (string, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return "", fmt.Errorf("reverseZone: %q is not an address", addr)
	}
	if a.Is4() {
		b := a.As4()
		return fmt.Sprintf("%d.%d.%d.in-addr.arpa", b[2], b[1], b[0]), nil
	}
	b := a.As16()
	return nibbles(b[:8]) + "ip6.arpa", nil
}

// ptrLabel returns addr's name relative to its reverseZone.
func ptrLabel(addr string) (string, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return "", fmt.Errorf("ptrLabel: %q is not an address", addr)
	}
	if a.Is4() {
		return strconv.Itoa(int(a.As4()[3])), nil
	}
	b := a.As16()
	return strings.TrimSuffix(nibbles(b[8:]), "."), nil
}

func nibbles(b []byte) string {
	var sb strings.Builder
	for i := len(b) - 1; i >= 0; i-- {
		fmt.Fprintf(&sb, "%x.%x.", b[i]&0xf, b[i]>>4)
	}
	return sb.String()
}

// relName returns name relative to zone ("dns" for dns.home.lan in
// home.lan), "@" for the apex, or "" when name lies outside zone.
func relName(name, zone string) string {
	name, zone = strings.TrimSuffix(name, "."), strings.TrimSuffix(zone, ".")
	if name == zone {
		return "@"
	}
	if strings.HasSuffix(name, "."+zone) {
		return strings.TrimSuffix(name, "."+zone)
	}
	return ""
}

// networkOf returns the network of addr/bits, such as 192.0.2.0/24.
func networkOf(addr string, bits int) (string, error) {
	p, err := netip.ParsePrefix(fmt.Sprintf("%s/%d", addr, bits))
	if err != nil {
		return "", fmt.Errorf("networkOf: %w", err)
	}
	return p.Masked().String(), nil
}

var rcUnsafe = regexp.MustCompile("[\"\\\\$`\n\r]")

// rcQuote quotes v for rc.conf, refusing what sh would expand inside
// double quotes.
func rcQuote(v string) (string, error) {
	if rcUnsafe.MatchString(v) {
		return "", fmt.Errorf("rc.conf value %q contains a quote, backslash, $, backquote or newline", v)
	}
	return `"` + v + `"`, nil
}

// Render renders every file of the jail: the common base first, then the
// recipe's own directories and files, in declaration order. It does no
// I/O beyond reading templates from the recipe's template FS.
func Render(v *Values) ([]File, error) {
	r := v.Recipe
	ctx := v.context()
	var errs ErrorList
	rcVars := append(RCConf{}, r.RCConf...)
	conds, err := v.activeConditionals()
	if err != nil {
		return nil, err
	}
	for _, c := range conds {
		rcVars = append(rcVars, c.RCConf...)
	}
	for _, rv := range rcVars {
		out, err := renderString(r.Source, "rc_conf "+rv.Name, rv.Line, rv.Value, ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := rcQuote(out); err != nil {
			errs = append(errs, &PosError{File: r.Source, Line: rv.Line, Msg: err.Error()})
			continue
		}
		ctx.RCConf = append(ctx.RCConf, RCVar{Name: rv.Name, Value: out, Line: rv.Line})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	tfs := layeredFS{r.Templates, builtinTemplates}
	var files []File
	for _, d := range r.Dirs {
		ok, err := when(r.Source, d.Line, d.When, ctx)
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
	for _, f := range append(append([]FileSpec{}, baseFiles...), r.Files...) {
		ok, err := when(r.Source, f.Line, f.When, ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue
		}
		content, err := renderTemplate(r.cache, tfs, f.Template, ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		mode, _ := parseModeDefault(f.Mode, 0o644)
		files = append(files, File{Path: f.Path, Mode: mode, Owner: or(f.Owner, "root"), Group: or(f.Group, "wheel"), Content: content})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return files, nil
}

func (v *Values) context() *Context {
	ctx := &Context{Jail: v.Jail, Params: v.Params}
	ctx.Recipe.Name, ctx.Recipe.Version = v.Recipe.Name, v.Recipe.Version
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
	return parseMode(s)
}

// builtinTemplates is set by the catalogue to the embedded templates so a
// user recipe can name built-in templates (the base files among them).
var builtinTemplates fs.FS

func newTemplate(name string) *template.Template {
	return template.New(name).Funcs(sharedFuncs()).Option("missingkey=error")
}

// templateCache keeps a recipe's parsed templates: parsing (and copying
// the function map into every template) was most of a render's cost, and
// a parsed template is safe to execute from many goroutines.
type templateCache struct{ m sync.Map }

// renderTemplate renders one template file; errors read
// "templates/NAME:LINE: message".
func renderTemplate(cache *templateCache, tfs fs.FS, name string, ctx *Context) ([]byte, error) {
	var t *template.Template
	if cache != nil {
		if v, ok := cache.m.Load(name); ok {
			t = v.(*template.Template)
		}
	}
	if t == nil {
		var err error
		if t, err = parseTemplate(tfs, name); err != nil {
			return nil, err
		}
		if cache != nil {
			cache.m.Store(name, t)
		}
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, ctx); err != nil {
		return nil, templateError("templates/"+name, 0, err)
	}
	return buf.Bytes(), nil
}

// parseTemplate parses a template file together with its helpers.
func parseTemplate(tfs fs.FS, name string) (*template.Template, error) {
	src, err := fs.ReadFile(tfs, name)
	if err != nil {
		return nil, &PosError{File: "templates/" + name, Msg: "cannot read template: " + errors.Unwrap(err).Error()}
	}
	t, err := newTemplate(name).Parse(string(src))
	if err != nil {
		return nil, templateError("templates/"+name, 0, err)
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
			return nil, &PosError{File: "templates/" + h, Msg: "cannot read template helper"}
		}
		if _, err := t.New(h).Parse(string(hsrc)); err != nil {
			return nil, templateError("templates/"+h, 0, err)
		}
	}
	return t, nil
}

// renderString renders a one-line template from a recipe field.
func renderString(file, what string, line int, src string, ctx *Context) (string, error) {
	if !strings.Contains(src, "{{") {
		return src, nil
	}
	var t *template.Template
	if v, ok := inlineTemplates.Load(src); ok {
		t = v.(*template.Template)
	} else {
		var err error
		if t, err = newTemplate(what).Parse(src); err != nil {
			return "", templateError(file, line, err)
		}
		inlineTemplates.Store(src, t)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, ctx); err != nil {
		return "", templateError(file, line, err)
	}
	return buf.String(), nil
}

// inlineTemplates caches the parsed one-line templates of recipe fields
// (rc_conf values, when expressions), keyed by their source text: the same
// text parses to the same template whatever recipe it came from.
var inlineTemplates sync.Map

func when(file string, line int, expr string, ctx *Context) (bool, error) {
	if expr == "" {
		return true, nil
	}
	out, err := renderString(file, "when", line, expr, ctx)
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

// templateError rewrites text/template's "template: NAME:LINE:COL: ..."
// into "FILE:LINE: ...". For a one-line template from a recipe field,
// base is the line of that field.
func templateError(file string, base int, err error) error {
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
		msg = m[3]
	}
	// {{ fail "why" }} is a recipe's own message: show it bare.
	if m := failCallRE.FindStringSubmatch(msg); m != nil {
		msg = m[1]
	}
	return &PosError{File: file, Line: line, Msg: msg}
}
