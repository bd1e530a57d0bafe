package recipe

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// What a recipe may ask of the host is a closed vocabulary: jail
// parameters from an allow-list, kernel modules and host rc.conf variables
// by name, devfs patterns from a list and mounts of a few kinds. Each
// entry that weakens the jail names the capability it needs. Everything
// else is refused, because jailkit runs as root and recipes are shared.

// vocabEntry is one word of the vocabulary: the values it takes and the
// capability it needs ("" for none).
type vocabEntry struct {
	values     *regexp.Regexp
	capability string
	// allowed says in words what values matches, for messages.
	allowed string
}

// jailParamVocab are the jail parameters a recipe may set. Names and
// meanings are jail(8)'s (freebsd-src usr.sbin/jail/jail.8: osrelease,
// osreldate, securelevel, stop.timeout, linux, linux.osname,
// linux.osrelease, linux.oss_version); the linux.* ones are the Linux
// module's (sys/compat/linux/linux_mib.c, SYSCTL_JAIL_PARAM_STRING(_linux,
// osname ...)) and exist only once it is loaded. securelevel may only be raised
// above the 2 jailkit writes; a jail never has a lower one than its
// parent anyway.
var jailParamVocab = map[string]vocabEntry{
	"osrelease":         {values: regexp.MustCompile(`^[0-9]{1,3}\.[0-9]{1,3}-[A-Z0-9-]{1,24}$`), allowed: "a release name such as 14.3-RELEASE"},
	"osreldate":         {values: regexp.MustCompile(`^[0-9]{6,7}$`), allowed: "a __FreeBSD_version such as 1403000"},
	"securelevel":       {values: regexp.MustCompile(`^3$`), allowed: "3: it may only rise above the 2 jailkit writes"},
	"stop.timeout":      {values: regexp.MustCompile(`^[0-9]{1,4}$`), allowed: "seconds, up to 9999"},
	"linux":             {values: regexp.MustCompile(`^new$`), capability: "linux", allowed: "new"},
	"linux.osname":      {values: regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 ._-]{0,31}$`), capability: "linux", allowed: "a name such as Linux"},
	"linux.osrelease":   {values: regexp.MustCompile(`^[0-9][0-9A-Za-z._-]{0,31}$`), capability: "linux", allowed: "a kernel version such as 5.15.0"},
	"linux.oss_version": {values: regexp.MustCompile(`^[0-9]{1,9}$`), capability: "linux", allowed: "a number"},
}

// refusedJailParams say why a parameter outside the vocabulary is refused,
// by name or prefix, for the common attempts.
var refusedJailParams = []struct{ prefix, why string }{
	{"exec.", "it runs commands on the host"},
	{"command", "it runs commands on the host"},
	{"path", "jailkit sets the jail's root itself"},
	{"name", "jailkit sets the jail's name itself"},
	{"jid", "jailkit sets the jail's name itself"},
	{"ip4", "jailkit sets the jail's addresses from --ip"},
	{"ip6", "jailkit sets the jail's addresses from --ip"},
	{"interface", "jailkit sets the jail's addresses from --ip"},
	{"vnet", "jailkit sets up VNET itself from host.vnet"},
	{"host.", "jailkit sets the host name from --hostname"},
	{"persist", "jailkit's jails run /etc/rc and need no persist"},
	{"mount", "mounts are host.mounts entries"},
	{"devfs_ruleset", "jailkit picks the jail's devfs ruleset; ask for devices with host.devfs_unhide"},
	{"enforce_statfs", "it is a hardening parameter jailkit sets (2)"},
	{"children.", "it is a hardening parameter jailkit sets (children.max = 0)"},
	{"allow.", "it is a hardening parameter jailkit sets; a recipe that needs more declares a capability"},
	{"sysv", "declare the capability sysvipc instead"},
}

// moduleVocab are the kernel modules a recipe may have loaded, by their
// kldload name (freebsd-src sys/modules/linux64, linux, linprocfs,
// linsysfs, fdescfs, tmpfs, nullfs).
var moduleVocab = map[string]string{
	"linux64": "linux", "linux": "linux", "linprocfs": "linux", "linsysfs": "linux",
	"fdescfs": "", "tmpfs": "", "nullfs": "host_paths",
}

// hostRCVocab are the host rc.conf variables a recipe may set.
// linux_enable is read by rc.d/linux, which is nojail (freebsd-src
// libexec/rc/rc.d/linux).
var hostRCVocab = map[string]vocabEntry{
	"linux_enable": {values: regexp.MustCompile(`^(YES|NO)$`), capability: "linux", allowed: "YES or NO"},
}

// devfsVocab are the device patterns a recipe may unhide in its jail's
// devfs ruleset: bpf for a DHCP server, and the Linux /dev/shm directory
// the linux module creates.
var devfsVocab = map[string]string{
	"bpf": "bpf", "bpf*": "bpf", "shm": "linux", "shm/*": "linux",
}

// mountKind is what one file system type may be mounted as.
type mountKind struct {
	capability string
	// options beyond the common ones (rw, ro, nosuid, noexec, noatime).
	options *regexp.Regexp
}

// mountVocab are the file systems a recipe may have jail(8) mount into the
// jail. Options are each file system's own: tmpfs size and mode
// (freebsd-src sys/fs/tmpfs/tmpfs_vfsops.c tmpfs_opts), fdescfs linrdlnk
// and nodup (sys/fs/fdescfs/fdesc_vfsops.c), devfs ruleset; a devfs may
// only use the jail's own ruleset, which jail(8) expands from
// ${devfs_ruleset} in jail.conf (usr.sbin/jail/jail.conf.5, variables).
var mountVocab = map[string]mountKind{
	"devfs":     {options: regexp.MustCompile(`^ruleset=\$\{devfs_ruleset\}$`)},
	"fdescfs":   {options: regexp.MustCompile(`^(linrdlnk|nodup)$`)},
	"tmpfs":     {options: regexp.MustCompile(`^(size=[0-9]{1,12}[kmgKMG]?|mode=[0-7]{3,4})$`)},
	"linprocfs": {capability: "linux"},
	"linsysfs":  {capability: "linux"},
	"nullfs":    {capability: "host_paths"},
}

var commonMountOption = regexp.MustCompile(`^(rw|ro|nosuid|noexec|noatime)$`)

// reservedMounts are jail paths a mount may not cover: the base system a
// thin jail shares, the jail's /dev and the directories of the files
// jailkit writes itself.
var reservedMounts = []string{"/", "/bin", "/boot", "/dev", "/etc", "/lib", "/libexec", "/rescue", "/root",
	"/sbin", "/usr", "/usr/bin", "/usr/include", "/usr/lib", "/usr/libdata", "/usr/libexec", "/usr/sbin",
	"/usr/share", "/usr/local", "/usr/local/etc", "/var"}

// refusedHostSources are host trees a nullfs mount may not share, even
// read-only: accounts and keys, the boot files, devices, jailkit's own
// state and the other jails.
var refusedHostSources = []string{"/etc", "/root", "/boot", "/dev", "/var/db", "/usr/local/etc", "/usr/local/jails", "/var/run"}

// request is one thing a recipe asks of the host, for messages.
type request struct {
	what string
	line int
}

// validateHost checks what the recipe asks of the host against the
// vocabulary, and returns the capabilities the requests need, each with
// the first request that needs it.
func (r *Recipe) validateHost() (inputerr.ErrorList, map[string]request) {
	var errs inputerr.ErrorList
	needed := map[string]request{}
	need := func(capability, what string) {
		if _, ok := needed[capability]; capability != "" && !ok {
			key := strings.SplitN(what, " ", 2)[0]
			needed[capability] = request{what: what, line: r.keyLine(key)}
		}
	}
	h := &r.Host
	for _, d := range h.DevfsUnhide {
		c, ok := devfsVocab[d]
		if !ok {
			errs = append(errs, r.errAt(r.keyLine("host.devfs_unhide"), "host.devfs_unhide: %s is not a device pattern jailkit unhides; use one of %s", quoteCut(d), strings.Join(sortedKeys(devfsVocab), ", ")))
		}
		need(c, "host.devfs_unhide "+d)
	}
	for _, m := range h.KernelModules {
		c, ok := moduleVocab[m]
		if !ok {
			errs = append(errs, r.errAt(r.keyLine("host.kernel_modules"), "host.kernel_modules: %s is not a module jailkit loads; use one of %s", quoteCut(m), strings.Join(sortedKeys(moduleVocab), ", ")))
		}
		need(c, "host.kernel_modules "+m)
	}
	for _, v := range h.RCConf {
		e, ok := hostRCVocab[v.Name]
		switch {
		case !ok:
			errs = append(errs, r.errAt(v.Line, "host.rc_conf: %s is not a host rc.conf variable a recipe may set; use one of %s", quoteCut(v.Name), strings.Join(sortedKeys(hostRCVocab), ", ")))
		case !e.values.MatchString(v.Value):
			errs = append(errs, r.errAt(v.Line, "host.rc_conf: %s=%s is not a value jailkit sets; use %s", v.Name, quoteCut(v.Value), e.allowed))
		}
		need(e.capability, "host.rc_conf "+v.Name)
	}
	for _, m := range h.Mounts {
		c, err := checkMount(m)
		if err != nil {
			errs = append(errs, r.errAt(r.keyLine("host.mounts"), "host.mounts: %v", err))
		}
		need(c, "host.mounts "+m.FSType+" on "+m.Path)
	}
	for _, k := range sortedKeys(h.JailParams) {
		c, err := checkJailParam(k, h.JailParams[k])
		if err != nil {
			errs = append(errs, r.errAt(r.keyLine("host.jail_params"), "host.jail_params: %v", err))
		}
		need(c, "host.jail_params "+k)
	}
	switch h.VNet {
	case "", "no", "optional", "required":
	default:
		errs = append(errs, r.errAt(r.keyLine("host.vnet"), "host.vnet %s must be no, optional or required", quoteCut(h.VNet)))
	}
	return errs, needed
}

// checkJailParam checks one host.jail_params entry and returns the
// capability it needs.
func checkJailParam(name, value string) (string, error) {
	e, ok := jailParamVocab[name]
	if !ok {
		for _, r := range refusedJailParams {
			if strings.HasPrefix(name, r.prefix) {
				return "", fmt.Errorf("%s is not allowed: %s", quoteCut(name), r.why)
			}
		}
		return "", fmt.Errorf("%s is not a jail parameter a recipe may set; use one of %s", quoteCut(name), strings.Join(sortedKeys(jailParamVocab), ", "))
	}
	if !e.values.MatchString(value) {
		return e.capability, fmt.Errorf("%s = %s is not a value jailkit writes; use %s", name, quoteCut(value), e.allowed)
	}
	return e.capability, nil
}

// checkMount checks one host.mounts entry and returns the capability it
// needs.
func checkMount(m Mount) (string, error) {
	kind, ok := mountVocab[m.FSType]
	if !ok {
		return "", fmt.Errorf("%s is not a file system a recipe may mount; use one of %s", quoteCut(m.FSType), strings.Join(sortedKeys(mountVocab), ", "))
	}
	if err := CheckJailPath(m.Path); err != nil {
		return kind.capability, err
	}
	if slices.Contains(reservedMounts, m.Path) || strings.HasPrefix(m.Path, "/dev/") {
		return kind.capability, fmt.Errorf("%s on %s would cover a directory jailkit manages; mount it somewhere of the recipe's own", m.FSType, m.Path)
	}
	if err := checkMountSource(m); err != nil {
		return kind.capability, err
	}
	opts := strings.Split(m.Options, ",")
	if m.Options == "" {
		opts = nil
	}
	for _, o := range opts {
		if !commonMountOption.MatchString(o) && (kind.options == nil || !kind.options.MatchString(o)) {
			return kind.capability, fmt.Errorf("%s on %s: option %s is not one jailkit writes for %s", m.FSType, m.Path, quoteCut(o), m.FSType)
		}
	}
	switch {
	case m.FSType == "nullfs" && (!slices.Contains(opts, "ro") || slices.Contains(opts, "rw")):
		return kind.capability, fmt.Errorf("nullfs on %s must be read-only: give options: ro", m.Path)
	case m.FSType == "devfs" && !slices.Contains(opts, "ruleset=${devfs_ruleset}"):
		return kind.capability, fmt.Errorf("devfs on %s must use the jail's ruleset: add ruleset=${devfs_ruleset} to its options", m.Path)
	}
	return kind.capability, nil
}

// checkMountSource checks where a mount comes from: a pseudo file system
// names itself, nullfs names a host directory outside refusedHostSources.
func checkMountSource(m Mount) error {
	if m.FSType != "nullfs" {
		if m.Source != m.FSType {
			return fmt.Errorf("%s on %s: source must be %s", m.FSType, m.Path, m.FSType)
		}
		return nil
	}
	src := m.Source
	if !pathRE.MatchString(src) || path.Clean(src) != src || src == "/" {
		return fmt.Errorf("nullfs on %s: source %s must be a clean absolute host directory other than /", m.Path, quoteCut(src))
	}
	return CheckHostSource(m.Path, src, refusedHostSources...)
}

// CheckHostSource refuses a nullfs source that is one of the refused
// host trees, lies inside one, or holds one: a read-only /var shows
// /var/db (jailkit's state, pkg's database) as well as /var/db itself
// would. Install adds its jails directory to refused.
func CheckHostSource(mountPath, src string, refused ...string) error {
	for _, bad := range refused {
		if src == "/" || src == bad || strings.HasPrefix(src, bad+"/") || strings.HasPrefix(bad, src+"/") {
			return fmt.Errorf("nullfs on %s: the host's %s is not shared with a jail (%s is or holds it)", mountPath, bad, src)
		}
	}
	return nil
}

// HostNeeds says, one line each, what the recipe asks of the host: what
// show prints and every plan starts with.
func (r *Recipe) HostNeeds() []string {
	var out []string
	h := r.Host
	for _, c := range r.Capabilities {
		cp, _ := LookupCapability(c)
		out = append(out, fmt.Sprintf("capability %s (needs --grant %s): %s", c, c, cp.Summary))
	}
	if len(h.DevfsUnhide) > 0 {
		out = append(out, "devfs ruleset unhiding "+strings.Join(h.DevfsUnhide, " "))
	}
	if len(h.KernelModules) > 0 {
		out = append(out, "kernel modules "+strings.Join(h.KernelModules, " "))
	}
	for _, v := range h.RCConf {
		out = append(out, fmt.Sprintf("host rc.conf %s=%q", v.Name, v.Value))
	}
	for _, m := range h.Mounts {
		opts := m.Options
		if opts == "" {
			opts = "rw"
		}
		out = append(out, fmt.Sprintf("mount %s %s on %s (%s)", m.FSType, m.Source, m.Path, opts))
	}
	for _, k := range sortedKeys(h.JailParams) {
		out = append(out, fmt.Sprintf("jail parameter %s = %s", k, h.JailParams[k]))
	}
	if h.VNet == "required" || h.VNet == "optional" {
		out = append(out, "VNET: "+h.VNet)
	}
	if h.SendmailOff {
		out = append(out, "sendmail fully off on the host")
	}
	return out
}
