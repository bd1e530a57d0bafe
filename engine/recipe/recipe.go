package recipe

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"gopkg.in/yaml.v3"
)

// APIVersion is the recipe format this jailkit reads.
const APIVersion = "jailkit/v1"

// Recipe describes one service appliance: what to install, which files to
// render into the jail, what to enable and what the host must provide. A
// recipe is data; it cannot run code.
type Recipe struct {
	APIVersion  string   `yaml:"apiVersion"`
	Name        string   `yaml:"name"`
	Version     string   `yaml:"version"`
	Summary     string   `yaml:"summary"`
	Description string   `yaml:"description"`
	Packages    []string `yaml:"packages"`
	// PackagesFrom names list params whose values are more packages to
	// install, such as the x11 recipe's apps.
	PackagesFrom []string   `yaml:"packages_from"`
	Params       []Param    `yaml:"params"`
	Dirs         []DirSpec  `yaml:"dirs"`
	Files        []FileSpec `yaml:"files"`
	RCConf       RCConf     `yaml:"rc_conf"`
	Services     []string   `yaml:"services"`
	Listens      []Listen   `yaml:"listens"`
	Host         HostNeeds  `yaml:"host"`
	// Roles says what the recipe is to a lab and to the host checks.
	Roles Roles `yaml:"roles"`
	// Conditional holds packages, services, rc.conf settings and ports that
	// apply only when an expression holds (PHP for www when php is on).
	Conditional []Conditional `yaml:"conditional"`
	Notes       string        `yaml:"notes"`

	// Source is the file the recipe came from, for messages.
	Source string `yaml:"-"`
	// Templates holds the templates the recipe's files name.
	Templates fs.FS `yaml:"-"`
}

// Param is one typed, user-settable value of a recipe.
type Param struct {
	Name        string    `yaml:"name"`
	Type        ParamType `yaml:"type"`
	List        bool      `yaml:"list"`
	Default     any       `yaml:"default"`
	Required    bool      `yaml:"required"`
	Choices     []string  `yaml:"choices"`
	Min         *int      `yaml:"min"`
	Max         *int      `yaml:"max"`
	Description string    `yaml:"description"`

	Line int `yaml:"-"`
}

// DirSpec is a directory the recipe needs inside the jail.
type DirSpec struct {
	Path  string `yaml:"path"`
	Mode  string `yaml:"mode"`
	Owner string `yaml:"owner"`
	Group string `yaml:"group"`
	When  string `yaml:"when"`

	Line int `yaml:"-"`
}

// FileSpec maps a template to a path inside the jail.
type FileSpec struct {
	Template string `yaml:"template"`
	Path     string `yaml:"path"`
	Mode     string `yaml:"mode"`
	Owner    string `yaml:"owner"`
	Group    string `yaml:"group"`
	// When is a template expression; the file is rendered only when it
	// yields something other than "", "false" or "0".
	When string `yaml:"when"`

	Line int `yaml:"-"`
}

// RCVar is one rc.conf setting; its value is a template.
type RCVar struct {
	Name  string
	Value string
	Line  int
}

// RCConf is an ordered list of rc.conf settings. YAML maps lose their
// order in Go maps, and rc.conf order matters to a reader, so it decodes
// into a slice.
type RCConf []RCVar

// UnmarshalYAML decodes a mapping of name: value pairs, keeping order.
func (c *RCConf) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: rc_conf must be a mapping of name: value", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: rc_conf value of %s must be a string", v.Line, k.Value)
		}
		*c = append(*c, RCVar{Name: k.Value, Value: v.Value, Line: k.Line})
	}
	return nil
}

// Conditional is a part of a recipe that applies only when When (a
// template expression) yields something other than "", "false" or "0".
type Conditional struct {
	When     string   `yaml:"when"`
	Packages []string `yaml:"packages"`
	Services []string `yaml:"services"`
	RCConf   RCConf   `yaml:"rc_conf"`
	Listens  []Listen `yaml:"listens"`
}

// Listen is a port the service listens on inside the jail.
type Listen struct {
	Proto string `yaml:"proto"`
	Port  int    `yaml:"port"`
	// PortParam names a port param that overrides Port, so a check follows
	// the port the user chose (sshd_port).
	PortParam string `yaml:"port_param"`
	// When is a template expression like FileSpec.When.
	When string `yaml:"when"`
}

// HostNeeds is what a recipe asks of the host.
type HostNeeds struct {
	// DevfsUnhide lists device patterns (such as "bpf*") that the jail's
	// devfs ruleset must unhide on top of devfsrules_jail.
	DevfsUnhide []string `yaml:"devfs_unhide"`
	// KernelModules must be loaded on the host (kldload), such as linux64.
	KernelModules []string `yaml:"kernel_modules"`
	// RCConf settings on the host (not the jail), such as linux_enable.
	RCConf RCConf `yaml:"rc_conf"`
	// Mounts are mounted by jail(8) from the host when the jail starts.
	Mounts []Mount `yaml:"mounts"`
	// JailParams are extra jail.conf parameters the service cannot run without.
	JailParams map[string]string `yaml:"jail_params"`
	// VNet says whether the jail needs its own network stack: "no",
	// "optional" or "required".
	VNet string `yaml:"vnet"`
	// SendmailOff means the host's sendmail must be fully off.
	SendmailOff bool `yaml:"sendmail_off"`
	// Loopback means the jail's services bind 127.0.0.1 (sshd's X11
	// displays): a shared-IP jail then gets a loopback address as its
	// primary IPv4, where the kernel moves those binds (in_jail.c), so
	// they do not land on its LAN address.
	Loopback bool `yaml:"loopback"`
}

// Mount is one line of the jail's fstab, mounted from the host.
type Mount struct {
	FSType  string `yaml:"fstype"`
	Source  string `yaml:"source"`
	Path    string `yaml:"path"` // inside the jail
	Options string `yaml:"options"`
}

// ValidRCName says whether s can be an rc.conf variable name.
func ValidRCName(s string) bool { return rcNameRE.MatchString(s) }

var (
	recipeNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	rcNameRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	ownerRE      = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)
	pkgRE        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9+._/-]*$`)
	jailParamRE  = regexp.MustCompile(`^[a-z][a-z0-9_.]*$`)
)

// ParseRecipe decodes and validates one recipe. It reports every problem it
// finds, each as "file:line: message", in one ErrorList. templates is where
// the recipe's template names are looked up.
func ParseRecipe(source string, data []byte, templates fs.FS) (*Recipe, error) {
	var errs inputerr.ErrorList
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, inputerr.ErrorList(YAMLErrors(source, err))
	}
	if len(doc.Content) == 0 {
		return nil, inputerr.ErrorList{&inputerr.PosError{File: source, Msg: "the recipe is empty"}}
	}
	root := doc.Content[0]
	CheckKnownFields(source, root, reflect.TypeOf(Recipe{}), &errs)
	r := &Recipe{Source: source, Templates: templates}
	if err := root.Decode(r); err != nil {
		errs = append(errs, YAMLErrors(source, err)...)
	}
	recordLines(root, r)
	errs = append(errs, r.validate()...)
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b error) int { return inputerr.Line(a) - inputerr.Line(b) })
		return r, errs
	}
	return r, nil
}

// recordLines copies the line of each list item onto the decoded value so
// later validation can point at it.
func recordLines(root *yaml.Node, r *Recipe) {
	if root.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i].Value, root.Content[i+1]
		if key == "roles" {
			r.Roles.Line = root.Content[i].Line
		}
		if val.Kind != yaml.SequenceNode {
			continue
		}
		for j, item := range val.Content {
			switch key {
			case "params":
				if j < len(r.Params) {
					r.Params[j].Line = item.Line
				}
			case "files":
				if j < len(r.Files) {
					r.Files[j].Line = item.Line
				}
			case "dirs":
				if j < len(r.Dirs) {
					r.Dirs[j].Line = item.Line
				}
			}
		}
	}
}

func (r *Recipe) errAt(line int, format string, args ...any) error {
	return &inputerr.PosError{File: r.Source, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// ParseMode reads an octal file mode such as 0644 or 1777.
func ParseMode(s string) (fs.FileMode, error) {
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o7777 {
		return 0, errors.New("must be an octal mode such as 0644")
	}
	if n&0o6000 != 0 {
		return 0, errors.New("setuid and setgid bits are not allowed")
	}
	return fs.FileMode(n), nil
}

// CheckJailPath makes sure a recipe path stays inside the jail: absolute
// in form, clean, and free of "..".
func CheckJailPath(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("%q must be an absolute path inside the jail, such as /usr/local/etc/app.conf", p)
	}
	if path.Clean(p) != p || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") || p == "/" {
		return fmt.Errorf("%q must be a clean path inside the jail without ..", p)
	}
	if !pathRE.MatchString(p) {
		return fmt.Errorf("%q has characters that are not allowed in a jail path", p)
	}
	return nil
}

func typeNames() string {
	names := make([]string, 0, len(paramTypes))
	for t := range paramTypes {
		names = append(names, string(t))
	}
	sortStrings(names)
	return strings.Join(names, ", ")
}

// parseDefault turns a YAML default into the typed value a template sees.
func (p *Param) parseDefault() (any, error) {
	if p.List {
		items, ok := p.Default.([]any)
		if !ok {
			return nil, fmt.Errorf("must be a list")
		}
		out := make([]any, 0, len(items))
		for _, it := range items {
			v, err := ParseValue(p.Type, scalarString(it), p.Choices, p.Min, p.Max)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	if _, isList := p.Default.([]any); isList {
		return nil, fmt.Errorf("is a list but the param is not; add list: true")
	}
	return ParseValue(p.Type, scalarString(p.Default), p.Choices, p.Min, p.Max)
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

// ParseRecipeFile is ParseRecipe for a recipe stored in fsys; templates
// resolve first next to the recipe, then in fallback.
func ParseRecipeFile(fsys fs.FS, name string, fallback fs.FS) (*Recipe, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	dir := path.Dir(name)
	local, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil, err
	}
	return ParseRecipe(name, bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), LayeredFS{local, fallback})
}

// LayeredFS looks a name up in each FS in turn: a recipe's own templates
// first, then the built-in ones.
type LayeredFS []fs.FS

func (l LayeredFS) Open(name string) (fs.File, error) {
	var firstErr error
	for _, f := range l {
		if f == nil {
			continue
		}
		file, err := f.Open(name)
		if err == nil {
			return file, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return nil, firstErr
}

func sortStrings(s []string) { slices.Sort(s) }
