package recipe

import (
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// validate checks everything the YAML decoder cannot: names, types,
// defaults, paths, modes, owners, what the recipe asks of the host and the
// parameters its roles name. It returns every problem it finds.
func (r *Recipe) validate() inputerr.ErrorList {
	var errs inputerr.ErrorList
	if r.APIVersion != APIVersion {
		errs = append(errs, r.errAt(1, "apiVersion is %q; set apiVersion: %s", r.APIVersion, APIVersion))
	}
	if !recipeNameRE.MatchString(r.Name) {
		errs = append(errs, r.errAt(1, "name %q must be lower-case letters, digits and hyphens", r.Name))
	}
	if strings.TrimSpace(r.Summary) == "" || strings.Contains(r.Summary, "\n") {
		errs = append(errs, r.errAt(1, "summary must be one non-empty line"))
	}
	all := r.withConditionals(&errs)
	byName := map[string]Param{}
	for _, p := range r.AllParams() {
		byName[p.Name] = p
	}
	errs = append(errs, r.validateParams()...)
	errs = append(errs, r.validateTree()...)
	errs = append(errs, r.validateRuntime(all, byName)...)
	errs = append(errs, r.validateHost()...)
	errs = append(errs, r.validateRoles(byName)...)
	return errs
}

// runtimeParts is what a recipe asks for at run time, its conditional
// parts included: each is validated whether or not its when holds.
type runtimeParts struct {
	packages, services []string
	rcConf             RCConf
	listens            []Listen
}

func (r *Recipe) withConditionals(errs *inputerr.ErrorList) runtimeParts {
	all := runtimeParts{
		packages: append([]string{}, r.Packages...),
		services: append([]string{}, r.Services...),
		rcConf:   append(append(RCConf{}, r.RCConf...), r.Host.RCConf...),
		listens:  append([]Listen{}, r.Listens...),
	}
	for _, c := range r.Conditional {
		if !strings.Contains(c.When, "{{") {
			*errs = append(*errs, r.errAt(1, "conditional: when %q must be a template expression such as \"{{ .Params.php }}\"", c.When))
		}
		all.packages = append(all.packages, c.Packages...)
		all.services = append(all.services, c.Services...)
		all.rcConf = append(all.rcConf, c.RCConf...)
		all.listens = append(all.listens, c.Listens...)
	}
	return all
}

func (r *Recipe) validateParams() inputerr.ErrorList {
	var errs inputerr.ErrorList
	seen := map[string]bool{}
	for _, b := range baseParams {
		seen[b.Name] = true
	}
	for i := range r.Params {
		p := &r.Params[i]
		if !rcNameRE.MatchString(p.Name) {
			errs = append(errs, r.errAt(p.Line, "param name %q must be letters, digits and underscores", p.Name))
		}
		if seen[p.Name] {
			errs = append(errs, r.errAt(p.Line, "param %q is defined twice (or shadows a built-in param)", p.Name))
		}
		seen[p.Name] = true
		if _, ok := paramTypes[p.Type]; !ok {
			errs = append(errs, r.errAt(p.Line, "param %q has unknown type %q; use one of %s", p.Name, p.Type, typeNames()))
			continue
		}
		if p.Type == TypeEnum && len(p.Choices) == 0 {
			errs = append(errs, r.errAt(p.Line, "param %q is an enum without choices", p.Name))
		}
		if p.Type != TypeEnum && len(p.Choices) > 0 {
			errs = append(errs, r.errAt(p.Line, "param %q has choices but is not an enum", p.Name))
		}
		if p.Default != nil {
			if _, err := p.parseDefault(); err != nil {
				errs = append(errs, r.errAt(p.Line, "param %q default: %v", p.Name, err))
			}
		}
		if p.Required && p.Default != nil {
			errs = append(errs, r.errAt(p.Line, "param %q is required and has a default; drop one", p.Name))
		}
	}
	return errs
}

// validateTree checks the directories and files the recipe renders into
// the jail.
func (r *Recipe) validateTree() inputerr.ErrorList {
	var errs inputerr.ErrorList
	for _, d := range r.Dirs {
		if err := CheckJailPath(d.Path); err != nil {
			errs = append(errs, r.errAt(d.Line, "dir path: %v", err))
		}
		errs = append(errs, r.checkModeOwner(d.Line, d.Mode, d.Owner, d.Group)...)
	}
	paths := map[string]int{}
	for _, f := range r.Files {
		if err := CheckJailPath(f.Path); err != nil {
			errs = append(errs, r.errAt(f.Line, "file path: %v", err))
		} else if prev, dup := paths[f.Path]; dup && f.When == "" {
			errs = append(errs, r.errAt(f.Line, "file path %q is also written at line %d", f.Path, prev))
		} else {
			paths[f.Path] = f.Line
		}
		if f.Template == "" || path.IsAbs(f.Template) || strings.Contains(f.Template, "..") {
			errs = append(errs, r.errAt(f.Line, "template %q must be a relative name inside the templates directory", f.Template))
		} else if r.Templates != nil {
			if _, err := fs.Stat(r.Templates, f.Template); err != nil {
				errs = append(errs, r.errAt(f.Line, "template %q does not exist", f.Template))
			}
		}
		errs = append(errs, r.checkModeOwner(f.Line, f.Mode, f.Owner, f.Group)...)
	}
	return errs
}

// validateRuntime checks packages, services, rc.conf names and ports.
func (r *Recipe) validateRuntime(all runtimeParts, byName map[string]Param) inputerr.ErrorList {
	var errs inputerr.ErrorList
	for _, p := range all.packages {
		if !pkgRE.MatchString(p) {
			errs = append(errs, r.errAt(1, "package %q is not a valid package name", p))
		}
	}
	for _, v := range all.rcConf {
		if !rcNameRE.MatchString(v.Name) {
			errs = append(errs, r.errAt(v.Line, "rc_conf name %q must be letters, digits and underscores", v.Name))
		}
	}
	for _, s := range all.services {
		if !rcNameRE.MatchString(strings.ReplaceAll(s, "-", "_")) {
			errs = append(errs, r.errAt(1, "service %q is not a valid rc.d script name", s))
		}
	}
	for _, n := range r.PackagesFrom {
		if p, ok := byName[n]; !ok || p.Type != TypeString {
			errs = append(errs, r.errAt(1, "packages_from: %q must name a string param of this recipe", n))
		}
	}
	for _, l := range all.listens {
		if l.PortParam != "" {
			if p, ok := byName[l.PortParam]; !ok || p.Type != TypePort || p.List {
				errs = append(errs, r.errAt(1, "listens: port_param %q must name a port param of this recipe", l.PortParam))
			}
		}
		if l.Proto != "tcp" && l.Proto != "udp" {
			errs = append(errs, r.errAt(1, "listens: proto %q must be tcp or udp", l.Proto))
		}
		if l.Port < 1 || l.Port > 65535 {
			errs = append(errs, r.errAt(1, "listens: port %d must be from 1 to 65535", l.Port))
		}
	}
	return errs
}

var devicePatternRE = regexp.MustCompile(`^[A-Za-z0-9*/_.-]+$`)

// validateHost checks what the recipe asks of the host.
func (r *Recipe) validateHost() inputerr.ErrorList {
	var errs inputerr.ErrorList
	for _, d := range r.Host.DevfsUnhide {
		if !devicePatternRE.MatchString(d) {
			errs = append(errs, r.errAt(1, "host.devfs_unhide: %q is not a device path pattern", d))
		}
	}
	for _, m := range r.Host.KernelModules {
		if !rcNameRE.MatchString(m) {
			errs = append(errs, r.errAt(1, "host.kernel_modules: %q is not a module name", m))
		}
	}
	for _, m := range r.Host.Mounts {
		if err := CheckJailPath(m.Path); err != nil {
			errs = append(errs, r.errAt(1, "host.mounts: %v", err))
		}
		if !rcNameRE.MatchString(m.FSType) || m.Source == "" || strings.ContainsAny(m.Source+m.Options, " \t\n\"") {
			errs = append(errs, r.errAt(1, "host.mounts: %s needs an fstype, a source and options without spaces", m.Path))
		}
	}
	// Sorted, so the same recipe gives its errors in the same order.
	for _, k := range slices.Sorted(maps.Keys(r.Host.JailParams)) {
		if v := r.Host.JailParams[k]; !jailParamRE.MatchString(k) || strings.ContainsAny(v, "\"\\\n;") {
			errs = append(errs, r.errAt(1, "host.jail_params: %s = %q is not a valid jail parameter", k, v))
		}
	}
	switch r.Host.VNet {
	case "", "no", "optional", "required":
	default:
		errs = append(errs, r.errAt(1, "host.vnet %q must be no, optional or required", r.Host.VNet))
	}
	return errs
}

// checkModeOwner checks a mode and an owner and group of a dir or file.
func (r *Recipe) checkModeOwner(line int, mode, owner, group string) inputerr.ErrorList {
	var errs inputerr.ErrorList
	if mode != "" {
		if _, err := ParseMode(mode); err != nil {
			errs = append(errs, r.errAt(line, "mode %q: %v", mode, err))
		}
	}
	for _, o := range []string{owner, group} {
		if o != "" && !ownerRE.MatchString(o) {
			errs = append(errs, r.errAt(line, "owner or group %q is not a valid user or group name", o))
		}
	}
	return errs
}
