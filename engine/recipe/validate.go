package recipe

import (
	"errors"
	"io/fs"
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
	errs = append(errs, r.validateText()...)
	for _, a := range r.Accounts {
		if !ownerRE.MatchString(a) {
			errs = append(errs, r.errAt(r.keyLine("accounts"), "accounts: %s is not a valid user or group name", quoteCut(a)))
		}
	}
	all := r.withConditionals(&errs)
	byName := map[string]Param{}
	for _, p := range r.AllParams() {
		byName[p.Name] = p
	}
	errs = append(errs, r.validateParams()...)
	errs = append(errs, r.validateTree()...)
	errs = append(errs, r.validateRuntime(all, byName)...)
	hostErrs, needed := r.validateHost()
	errs = append(errs, hostErrs...)
	errs = append(errs, r.validateCapabilities(needed)...)
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
// the jail: each path once (whatever its when), none that jailkit writes
// itself, and templates that are plain names inside the recipe.
func (r *Recipe) validateTree() inputerr.ErrorList {
	var errs inputerr.ErrorList
	paths := map[string]int{}
	claim := func(p string, line int, what string) {
		if why := ReservedPath(p); why != "" {
			errs = append(errs, r.errAt(line, "%s path %s: %s", what, p, why))
		} else if prev, dup := paths[p]; dup {
			errs = append(errs, r.errAt(line, "%s path %s is also written at line %d; write each path once (a when: cannot make two entries one)", what, p, prev))
		}
		paths[p] = line
	}
	for _, d := range r.Dirs {
		if err := CheckJailPath(d.Path); err != nil {
			errs = append(errs, r.errAt(d.Line, "dir path: %v", err))
		} else if slices.Contains(reservedMounts, d.Path) || slices.Contains(baseDirs, d.Path) {
			errs = append(errs, r.errAt(d.Line, "dir path %s is a base system directory; its mode and owner are the release's", d.Path))
		} else {
			claim(d.Path, d.Line, "dir")
		}
		errs = append(errs, r.checkModeOwner(d.Line, d.Mode, d.Owner, d.Group, true)...)
	}
	for _, f := range r.Files {
		if err := CheckJailPath(f.Path); err != nil {
			errs = append(errs, r.errAt(f.Line, "file path: %v", err))
		} else {
			claim(f.Path, f.Line, "file")
		}
		if !templateNameRE.MatchString(f.Template) || strings.Contains(f.Template, "..") {
			errs = append(errs, r.errAt(f.Line, "template %s must be a relative name inside the templates directory (letters, digits, . _ - /)", quoteCut(f.Template)))
		} else if r.Templates != nil {
			errs = append(errs, r.checkTemplate(f.Line, f.Template)...)
		}
		errs = append(errs, r.checkModeOwner(f.Line, f.Mode, f.Owner, f.Group, false)...)
	}
	return errs
}

var templateNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._/-]{0,200}$`)

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
			errs = append(errs, r.errAt(v.Line, "rc_conf name %s must be letters, digits and underscores", quoteCut(v.Name)))
		} else if slices.Contains(baseRCVars, v.Name) {
			errs = append(errs, r.errAt(v.Line, "rc_conf %s is the jail base's (it keeps the jail hardened); a recipe may not change it", v.Name))
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

// checkModeOwner checks a mode and an owner and group of a dir or file.
func (r *Recipe) checkModeOwner(line int, mode, owner, group string, dir bool) inputerr.ErrorList {
	var errs inputerr.ErrorList
	if mode != "" {
		if m, err := ParseMode(mode); err != nil {
			errs = append(errs, r.errAt(line, "mode %s: %v", quoteCut(mode), err))
		} else if m&fs.ModeSticky != 0 && !dir {
			errs = append(errs, r.errAt(line, "mode %s: the sticky bit is for directories; a file cannot keep it", mode))
		}
	}
	for _, o := range []string{owner, group} {
		if o != "" && !ownerRE.MatchString(o) {
			errs = append(errs, r.errAt(line, "owner or group %s is not a valid user or group name", quoteCut(o)))
		}
	}
	// An owner nobody creates makes chown fail halfway through an
	// install; a typo (bnid) is caught here instead.
	if owner != "" && ownerRE.MatchString(owner) && !r.knownAccount(owner, baseUsers) {
		errs = append(errs, r.errAt(line, "owner %s is not a user of the FreeBSD base system; if a package of the recipe creates it, list it under accounts:", owner))
	}
	if group != "" && ownerRE.MatchString(group) && !r.knownAccount(group, baseGroups) {
		errs = append(errs, r.errAt(line, "group %s is not a group of the FreeBSD base system; if a package of the recipe creates it, list it under accounts:", group))
	}
	return errs
}

// validateText checks every field a recipe prints or writes: the version
// goes into a comment line of the jail's jail.conf, the others to the
// terminal, so none may hold a newline where a line is written, a control
// character or a terminal escape.
func (r *Recipe) validateText() inputerr.ErrorList {
	var errs inputerr.ErrorList
	bad := func(line int, field, problem string) {
		if problem != "" {
			errs = append(errs, r.errAt(line, "%s %s", field, problem))
		}
	}
	if r.Version != "" && !versionRE.MatchString(r.Version) {
		errs = append(errs, r.errAt(r.keyLine("version"), "version %s must be one word of letters, digits and . + _ ~ - such as 1.0.0", quoteCut(r.Version)))
	}
	if strings.TrimSpace(r.Summary) == "" {
		bad(r.keyLine("summary"), "summary", "must be one non-empty line")
	}
	bad(r.keyLine("summary"), "summary", checkLine(r.Summary, maxLineField))
	bad(r.keyLine("description"), "description", checkText(r.Description, maxTextField))
	bad(r.keyLine("notes"), "notes", checkText(r.Notes, maxTextField))
	for _, p := range r.Params {
		bad(p.Line, "param "+p.Name+" description", checkLine(p.Description, maxLineField))
		for _, c := range p.Choices {
			bad(p.Line, "param "+p.Name+" choice", checkLine(c, maxLineField))
		}
		if s, ok := p.Default.(string); ok {
			bad(p.Line, "param "+p.Name+" default", checkLine(s, maxLineField))
		}
	}
	for _, d := range r.Dirs {
		bad(d.Line, "dir when", checkLine(d.When, maxLineField))
	}
	for _, f := range r.Files {
		bad(f.Line, "file when", checkLine(f.When, maxLineField))
	}
	for _, v := range append(append(RCConf{}, r.RCConf...), r.Host.RCConf...) {
		bad(v.Line, "rc_conf "+v.Name, checkLine(v.Value, maxTextField))
	}
	for _, c := range r.Conditional {
		bad(r.keyLine("conditional"), "conditional when", checkLine(c.When, maxLineField))
	}
	for _, l := range r.Listens {
		bad(r.keyLine("listens"), "listens when", checkLine(l.When, maxLineField))
	}
	return errs
}

// reservedFiles are the jail files jailkit writes itself (the common base
// of every jail) and those that would undo them: rc.conf.local and the
// rc.conf.d files of the services the base configures are read after
// rc.conf (freebsd-src libexec/rc/rc.subr, load_rc_config), and the
// account files are what jailkit's audit reads.
var reservedFiles = map[string]string{
	"/etc/rc.conf":         "jailkit writes it; add rc.conf settings with rc_conf:",
	"/etc/resolv.conf":     "jailkit writes it; use the resolvers and search params",
	"/etc/fstab":           "jailkit writes it; ask for mounts with host.mounts",
	"/etc/ssh/sshd_config": "jailkit writes it with the sshd param, or for a recipe with the sshd service",
	"/usr/local/etc/syslog.d/jailkit-loghost.conf": "jailkit writes it with the loghost param",
	"/etc/rc.conf.local":                           "it would override the rc.conf jailkit writes",
	"/etc/rc.conf.d/syslogd":                       "it would override the syslogd_flags jailkit writes",
	"/etc/rc.conf.d/sendmail":                      "it would override the sendmail settings jailkit writes",
	"/etc/rc.conf.d/rpcbind":                       "it would override the rpcbind_enable jailkit writes",
	"/etc/rc.conf.d/sshd":                          "it would override the sshd settings jailkit writes",
	"/etc/master.passwd":                           "the jail's accounts are made by packages and pw(8), and jailkit audits them",
	"/etc/passwd":                                  "the jail's accounts are made by packages and pw(8), and jailkit audits them",
	"/etc/group":                                   "the jail's accounts are made by packages and pw(8), and jailkit audits them",
	"/etc/pwd.db":                                  "the jail's accounts are made by packages and pw(8), and jailkit audits them",
	"/etc/spwd.db":                                 "the jail's accounts are made by packages and pw(8), and jailkit audits them",
}

// ReservedPath says why a recipe may not write the jail path p, or ""
// when it may.
func ReservedPath(p string) string {
	if why, ok := reservedFiles[p]; ok {
		return "is reserved: " + why
	}
	for _, prefix := range []string{"/dev/", "/etc/defaults/"} {
		if strings.HasPrefix(p, prefix) {
			return "is reserved: " + prefix + " is the release's"
		}
	}
	// load_rc_config (libexec/rc/rc.subr) also reads every file of
	// /etc/rc.conf.d/NAME/ when NAME is a directory, and
	// /usr/local/etc/rc.conf.d/NAME: both would override what jailkit
	// sets for a base service as the file /etc/rc.conf.d/NAME would.
	for _, svc := range []string{"syslogd", "sendmail", "rpcbind", "sshd"} {
		for _, dir := range []string{"/etc/rc.conf.d/", "/usr/local/etc/rc.conf.d/"} {
			if p == dir+svc || strings.HasPrefix(p, dir+svc+"/") {
				return "is reserved: it would override the " + svc + " settings jailkit writes (rc.subr load_rc_config reads it)"
			}
		}
	}
	return ""
}

// reservedDirs are the directories of the files jailkit writes: a mount
// over one would hide them.
func reservedDirs() []string {
	var out []string
	for f := range reservedFiles {
		out = append(out, path.Dir(f))
	}
	return out
}

// whyUnreadable says why a template cannot be used: it does not exist, or
// DirFS refused it (not a regular file, too big, a link out).
func whyUnreadable(err error) string {
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist"
	case errors.As(err, &pe):
		return pe.Err.Error()
	}
	return err.Error()
}

// checkTemplate makes sure a template and the helpers beside it
// (_*.tmpl, which rendering reads too) can be read: each a regular file
// of the recipe's directory or a built-in one.
func (r *Recipe) checkTemplate(line int, name string) inputerr.ErrorList {
	if _, err := fs.Stat(r.Templates, name); err != nil {
		return inputerr.ErrorList{r.errAt(line, "template %q %s", name, whyUnreadable(err))}
	}
	var errs inputerr.ErrorList
	helpers, _ := fs.Glob(r.Templates, path.Join(path.Dir(name), "_*.tmpl"))
	for _, h := range helpers {
		if _, err := fs.Stat(r.Templates, h); err != nil {
			errs = append(errs, r.errAt(line, "template helper %q %s", h, whyUnreadable(err)))
		}
	}
	return errs
}

// baseDirs are directories of the base release (besides reservedMounts)
// whose mode and owner a recipe's dirs: entry could otherwise change, as
// install sets the mode of a directory that is already there: the
// parents of the files the base writes and the system's shared ones.
var baseDirs = []string{"/tmp", "/var/tmp", "/etc/ssh", "/etc/rc.conf.d", "/etc/periodic", "/etc/mail",
	"/usr/local/etc/syslog.d", "/usr/local/etc/rc.d", "/usr/local/bin", "/usr/local/sbin", "/usr/local/lib",
	"/usr/local/libexec", "/usr/local/share", "/usr/local/www", "/var/log", "/var/db", "/var/run", "/var/empty",
	"/var/cron", "/var/mail", "/var/spool", "/home"}

// baseRCVars are the rc.conf settings the jail base writes to keep the
// jail hardened (templates/base/rc.conf.tmpl): a recipe's rc_conf comes
// after them and would win. sshd_enable is not among them: the base
// leaves it to a recipe that runs sshd.
var baseRCVars = []string{"hostname", "rpcbind_enable", "sendmail_enable", "sendmail_submit_enable",
	"sendmail_outbound_enable", "sendmail_msp_queue_enable", "syslogd_flags", "clear_tmp_enable"}
