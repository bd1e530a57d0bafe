package hostcheck

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// auditJails returns the jails whose parameters are audited: every running
// jail, then every configured jail that is not running. A plain-jls jail
// carries too few parameters to judge and is left out.
func (c *runCtx) auditJails() []*freebsd.Jail {
	var out []*freebsd.Jail
	running := map[string]bool{}
	for i := range c.f.Jails {
		j := &c.f.Jails[i]
		running[j.Name] = true
		if _, ok := j.Params["enforce_statfs"]; !ok {
			continue
		}
		out = append(out, j)
	}
	for i := range c.f.Configured {
		j := &c.f.Configured[i]
		if !running[j.Name] {
			out = append(out, j)
		}
	}
	return out
}

// jailDefaults are the parameters a jail made by jail(8) from jail.conf
// gets when it does not set them. jail(8) creates jails with jail_set(2),
// where kern_jail_set (sys/kern/kern_jail.c) starts a new jail with
// JAIL_DEFAULT_ALLOW (set_hostname, reserved_ports,
// unprivileged_proc_debug, suser) ANDed with its parent's, children.max 0
// and its parent's securelevel. The security.jail.*_allowed sysctls do not
// count: only the old jail(2) call (kern_jail) reads them.
var jailDefaults = map[string]string{
	"allow.set_hostname":            "true",
	"allow.reserved_ports":          "true",
	"allow.unprivileged_proc_debug": "true",
	"allow.suser":                   "true",
	"allow.raw_sockets":             "false",
	"allow.sysvipc":                 "false",
	"allow.chflags":                 "false",
	"allow.mount":                   "false",
	"allow.socket_af":               "false",
	"children.max":                  "0",
}

// param returns a jail's effective parameter: its own value, else for a
// configured jail the one jail_set(2) would give it; ok is false when
// unknown.
func (c *runCtx) param(j *freebsd.Jail, name string) (string, bool) {
	if v, ok := j.Params[name]; ok {
		return v, true
	}
	if j.Running() {
		return "", false
	}
	if d, ok := jailDefaults[name]; ok {
		return d, true
	}
	switch name {
	case "enforce_statfs":
		// The one default a sysctl still sets: kern_jail_set gives
		// new jails jail_default_enforce_statfs, which
		// security.jail.enforce_statfs writes.
		if v, ok := c.f.Sysctl["security.jail.enforce_statfs"]; ok {
			return v, true
		}
		return "2", true
	case "securelevel":
		if v, ok := c.f.Sysctl["kern.securelevel"]; ok {
			return v, true
		}
		return "-1", true
	}
	return "", false
}

func boolText(v string) string {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return "true"
	case "0", "false", "no", "off":
		return "false"
	}
	return v
}

func truthy(v string) bool { return boolText(v) == "true" }

// jailWhere names the jail for messages.
func jailWhere(j *freebsd.Jail) string {
	if j.Running() {
		return fmt.Sprintf("jail %s (jid %d)", j.Name, j.JID)
	}
	return fmt.Sprintf("jail %s (%s, not running)", j.Name, j.Source)
}

// jailConfFile is the file that defines a jail, for fixes.
func (c *runCtx) jailConfFile(j *freebsd.Jail) string {
	if !j.Running() {
		return j.Source
	}
	for _, cj := range c.f.Configured {
		if cj.Name == j.Name {
			return cj.Source
		}
	}
	return "/etc/jail.conf.d/" + j.Name + ".conf"
}

func (c *runCtx) jailFix(j *freebsd.Jail, line string) string {
	return fmt.Sprintf("in %s, in the %s { } block: %s then: service jail restart %s", c.jailConfFile(j), j.Name, line, j.Name)
}

// boolParamCheck reports jails where a boolean allow.* parameter is on.
func boolParamCheck(param, line string) func(c *runCtx) []Finding {
	return func(c *runCtx) []Finding {
		out := []Finding{}
		for _, j := range c.auditJails() {
			v, ok := c.param(j, param)
			if !ok || !truthy(v) {
				continue
			}
			src := ""
			if _, own := j.Params[param]; !own {
				src = " (jail(8)'s default when the jail does not set it)"
			}
			out = append(out, c.finding(Warn, fmt.Sprintf("%s: %s = %s%s", jailWhere(j), param, boolText(v), src), c.jailFix(j, line)))
		}
		return out
	}
}

// sysvUnsafe reports whether a sysvmsg/sysvsem/sysvshm value lets the jail
// use System V IPC ("new" or "inherit"; "disable" is safe).
func sysvUnsafe(v string) bool {
	switch strings.ToLower(v) {
	case "new", "inherit", "1", "2", "true":
		return true
	}
	return false
}

// sysvAllowed lists the System V IPC parameters a jail has open.
func (c *runCtx) sysvAllowed(j *freebsd.Jail) []string {
	var open []string
	if v, ok := c.param(j, "allow.sysvipc"); ok && truthy(v) {
		open = append(open, "allow.sysvipc = true")
	}
	for _, p := range []string{"sysvmsg", "sysvsem", "sysvshm"} {
		if v, ok := j.Params[p]; ok && sysvUnsafe(v) {
			open = append(open, p+" = "+v)
		}
	}
	return open
}

func checkSysV(c *runCtx) []Finding {
	out := []Finding{}
	for _, j := range c.auditJails() {
		open := c.sysvAllowed(j)
		if len(open) == 0 {
			continue
		}
		out = append(out, c.finding(Warn, fmt.Sprintf("%s: %s", jailWhere(j), strings.Join(open, ", ")),
			c.jailFix(j, "allow.nosysvipc; sysvmsg = disable; sysvsem = disable; sysvshm = disable;")))
	}
	return out
}

func checkMount(c *runCtx) []Finding {
	out := []Finding{}
	for _, j := range c.auditJails() {
		var on []string
		if v, ok := c.param(j, "allow.mount"); ok && truthy(v) {
			on = append(on, "allow.mount = true")
		}
		keys := make([]string, 0)
		for k, v := range j.Params {
			if strings.HasPrefix(k, "allow.mount.") && truthy(v) {
				keys = append(keys, k+" = true")
			}
		}
		sort.Strings(keys)
		on = append(on, keys...)
		if len(on) == 0 {
			continue
		}
		out = append(out, c.finding(Warn, fmt.Sprintf("%s: %s", jailWhere(j), strings.Join(on, ", ")),
			c.jailFix(j, "allow.nomount; (mount what the jail needs from the host with mount.fstab instead)")))
	}
	return out
}

func intParam(c *runCtx, j *freebsd.Jail, name string) (int, bool) {
	v, ok := c.param(j, name)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	return n, err == nil
}

func checkStatfs(c *runCtx) []Finding {
	out := []Finding{}
	for _, j := range c.auditJails() {
		n, ok := intParam(c, j, "enforce_statfs")
		if !ok || n >= 2 {
			continue
		}
		out = append(out, c.finding(Warn, fmt.Sprintf("%s: enforce_statfs = %d", jailWhere(j), n), c.jailFix(j, "enforce_statfs = 2;")))
	}
	return out
}

func checkChildren(c *runCtx) []Finding {
	out := []Finding{}
	for _, j := range c.auditJails() {
		n, ok := intParam(c, j, "children.max")
		if !ok || n <= 0 {
			continue
		}
		out = append(out, c.finding(Warn, fmt.Sprintf("%s: children.max = %d", jailWhere(j), n), c.jailFix(j, "children.max = 0;")))
	}
	return out
}

func checkSecurelevel(c *runCtx) []Finding {
	out := []Finding{}
	for _, j := range c.auditJails() {
		n, ok := intParam(c, j, "securelevel")
		if !ok || n >= 1 {
			continue
		}
		src := ""
		if _, own := j.Params["securelevel"]; !own {
			src = " (inherited from kern.securelevel)"
		}
		out = append(out, c.finding(Warn, fmt.Sprintf("%s: securelevel = %d%s", jailWhere(j), n, src), c.jailFix(j, "securelevel = 2;")))
	}
	return out
}

// deprecatedSysctls are the old global jail knobs with their safe
// values. Only enforce_statfs still sets a default for jails made from
// jail.conf; the *_allowed ones feed the old jail(2) call alone
// (kern_jail in sys/kern/kern_jail.c), which jail(8) uses only for its
// four-argument form "jail path hostname ip command" (usr.sbin/jail/jail.c).
var deprecatedSysctls = []struct {
	name, safe, param string
	everyJail         bool // the sysctl is the default of every new jail
}{
	{"security.jail.set_hostname_allowed", "0", "allow.noset_hostname", false},
	{"security.jail.socket_unixiproute_only", "1", "allow.nosocket_af", false},
	{"security.jail.sysvipc_allowed", "0", "allow.nosysvipc", false},
	{"security.jail.allow_raw_sockets", "0", "allow.noraw_sockets", false},
	{"security.jail.enforce_statfs", "2", "enforce_statfs = 2", true},
	{"security.jail.chflags_allowed", "0", "allow.nochflags", false},
	{"security.jail.mount_allowed", "0", "allow.nomount", false},
}

func checkDeprecatedSysctls(c *runCtx) []Finding {
	out := []Finding{}
	for _, d := range deprecatedSysctls {
		v, ok := c.f.Sysctl[d.name]
		if !ok || v == d.safe {
			continue
		}
		if d.everyJail {
			out = append(out, c.finding(Warn, fmt.Sprintf("%s is %s (safe: %s); it is the value of every new jail that does not set its own", d.name, v, d.safe),
				sysctlFix(d.name, d.safe)+fmt.Sprintf(", and write %s; in each jail's jail.conf block", d.param)))
			continue
		}
		out = append(out, c.finding(Info, fmt.Sprintf("%s is %s (safe: %s); it only affects jails made with the old jail(2) call, "+
			"such as jail(8)'s four-argument form, not jails from jail.conf", d.name, v, d.safe),
			sysctlFix(d.name, d.safe)))
	}
	return out
}

// obsoleteJailVar matches the rc.conf jail_NAME_* variables of FreeBSD 8
// and earlier, which rc.d/jail still reads but warns about.
var obsoleteJailVar = regexp.MustCompile(`^jail_([A-Za-z0-9_]+?)_(rootdir|hostname|ip|exec_start|exec_stop|exec|devfs_enable|devfs_ruleset|fdescfs_enable|procfs_enable|mount_enable|fstab|flags|interface|parameters|vnet_enable|set_hostname_allow|socket_unixiproute_only|sysvipc_allow|zfs_dataset|exec_prestart[0-9]*|exec_poststart[0-9]*|exec_prestop[0-9]*|exec_poststop[0-9]*|exec_afterstart[0-9]*)$`)

// jailConfFlags maps the obsolete YES/NO variables to the jail.conf line
// for YES and the one for NO ("" when nothing needs writing).
var jailConfFlags = map[string][2]string{
	"devfs_enable":            {"mount.devfs;", ""},
	"fdescfs_enable":          {"mount.fdescfs;", ""},
	"procfs_enable":           {"mount.procfs;", ""},
	"vnet_enable":             {"vnet;", ""},
	"set_hostname_allow":      {"allow.set_hostname;", "allow.noset_hostname;"},
	"sysvipc_allow":           {"allow.sysvipc;", "allow.nosysvipc;"},
	"socket_unixiproute_only": {"allow.nosocket_af;", "allow.socket_af;"},
}

// jailConfLine turns one obsolete variable into its jail.conf line.
func (c *runCtx) jailConfLine(suffix, value string) string {
	if lines, ok := jailConfFlags[suffix]; ok {
		if strings.EqualFold(value, "YES") || strings.EqualFold(value, "TRUE") {
			return lines[0]
		}
		return lines[1]
	}
	q := strconv.Quote(value)
	switch {
	case suffix == "rootdir":
		return "path = " + q + ";"
	case suffix == "hostname":
		return "host.hostname = " + q + ";"
	case suffix == "ip":
		if strings.Contains(value, ":") && !strings.Contains(value, ".") {
			return "ip6.addr = " + q + ";"
		}
		return "ip4.addr = " + q + ";"
	case suffix == "exec" || suffix == "exec_start":
		return "exec.start = " + q + ";"
	case suffix == "exec_stop":
		return "exec.stop = " + q + ";"
	case strings.HasPrefix(suffix, "exec_"):
		return "exec." + strings.TrimRight(strings.TrimPrefix(suffix, "exec_"), "0123456789") + " += " + q + ";"
	case suffix == "devfs_ruleset":
		if rs := c.f.Devfs.Find(value); rs != nil {
			return fmt.Sprintf("devfs_ruleset = %d;", rs.Number)
		}
		return "devfs_ruleset = " + q + "; (a number)"
	case suffix == "fstab":
		return "mount.fstab = " + q + ";"
	case suffix == "interface":
		return "interface = " + q + ";"
	case suffix == "parameters":
		var lines []string
		for _, p := range strings.Fields(value) {
			lines = append(lines, p+";")
		}
		return strings.Join(lines, " ")
	case suffix == "zfs_dataset":
		return "exec.created += \"zfs jail $name " + value + "\";"
	case suffix == "flags":
		return "(jail(8) flags " + q + ": pass them on the command line)"
	}
	return "" // mount_enable: mount.fstab says it
}

func checkObsoleteRC(c *runCtx) []Finding {
	type jv struct {
		vars  []string
		lines []string
	}
	byJail := map[string]*jv{}
	names := make([]string, 0)
	for name, v := range c.f.RC.Vars {
		if v.File == "/etc/defaults/rc.conf" || v.File == "(built-in defaults)" {
			continue
		}
		m := obsoleteJailVar.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	var order []string
	for _, name := range names {
		m := obsoleteJailVar.FindStringSubmatch(name)
		j, ok := byJail[m[1]]
		if !ok {
			j = &jv{}
			byJail[m[1]] = j
			order = append(order, m[1])
		}
		j.vars = append(j.vars, name)
		if l := c.jailConfLine(m[2], c.f.RC.Get(name)); l != "" {
			j.lines = append(j.lines, l)
		}
	}
	out := []Finding{}
	for _, jail := range order {
		j := byJail[jail]
		fix := fmt.Sprintf("write /etc/jail.conf.d/%s.conf: %s { %s } then remove the old variables: sysrc -x %s",
			jail, jail, strings.Join(append(j.lines, "exec.clean;"), " "), strings.Join(j.vars, " "))
		out = append(out, c.finding(Info, fmt.Sprintf("rc.conf sets obsolete variables for jail %s: %s", jail, strings.Join(j.vars, ", ")), fix))
	}
	return out
}

func checkDevfsBpf(c *runCtx) []Finding {
	var out []Finding
	for i := range c.planned {
		p := &c.planned[i]
		if len(p.DevfsUnhide) == 0 {
			continue
		}
		if out == nil {
			out = []Finding{}
		}
		var good *freebsd.DevfsRuleset
		for _, rs := range c.f.Devfs.Sets {
			rules, included, _ := c.f.Devfs.Expand(rs)
			if rs.Name != "devfsrules_jail" && !slices.Contains(included, "devfsrules_jail") {
				continue
			}
			ok := true
			for _, need := range p.DevfsUnhide {
				if !freebsd.Visible(rules, examplePath(need)) {
					ok = false
				}
			}
			if ok {
				good = rs
				break
			}
		}
		need := strings.Join(p.DevfsUnhide, " ")
		if good != nil {
			out = append(out, c.finding(Pass, fmt.Sprintf("ruleset %s=%d (%s) includes $devfsrules_jail and unhides %s for the planned %s jail; it will use devfs_ruleset = %d",
				good.Name, good.Number, good.File, need, plannedName(p), good.Number), ""))
			continue
		}
		num := c.freeRulesetNumber()
		name := "devfsrules_jail_" + strings.ReplaceAll(plannedName(p), "-", "_")
		var lines []string
		lines = append(lines, fmt.Sprintf("[%s=%d]", name, num), "add include $devfsrules_jail")
		for _, d := range p.DevfsUnhide {
			lines = append(lines, fmt.Sprintf("add path '%s' unhide", d))
		}
		out = append(out, c.finding(Fail,
			fmt.Sprintf("no devfs ruleset includes $devfsrules_jail and unhides %s, which the planned %s jail needs", need, plannedName(p)),
			fmt.Sprintf("add to /etc/devfs.rules:\n%s\nthen: service devfs restart (the jail uses devfs_ruleset = %d)", strings.Join(lines, "\n"), num)))
	}
	return out
}

// freeRulesetNumber picks the first ruleset number from 10 up that no
// ruleset uses (1-5 belong to FreeBSD's defaults).
func (c *runCtx) freeRulesetNumber() int {
	used := map[int]bool{}
	for _, rs := range c.f.Devfs.Sets {
		used[rs.Number] = true
	}
	n := 10
	for used[n] {
		n++
	}
	return n
}

var defaultRulesets = map[int]string{1: "devfsrules_hide_all", 2: "devfsrules_unhide_basic", 3: "devfsrules_unhide_login", 4: "devfsrules_jail", 5: "devfsrules_jail_vnet"}

func checkDevfsReuse(c *runCtx) []Finding {
	out := []Finding{}
	byNum := map[int][]*freebsd.DevfsRuleset{}
	var nums []int
	for _, rs := range c.f.Devfs.Sets {
		if len(byNum[rs.Number]) == 0 {
			nums = append(nums, rs.Number)
		}
		byNum[rs.Number] = append(byNum[rs.Number], rs)
	}
	sort.Ints(nums)
	for _, n := range nums {
		sets := byNum[n]
		reported := false
		for _, rs := range sets {
			if want, ok := defaultRulesets[n]; ok && rs.Name != want && rs.File != "/etc/defaults/devfs.rules" && rs.File != "(built-in defaults)" {
				out = append(out, c.finding(Warn,
					fmt.Sprintf("ruleset %d is %s in %s (line %d); FreeBSD ships %s as %d", n, rs.Name, rs.File, rs.Line, want, n),
					fmt.Sprintf("renumber it in %s: [%s=%d], set devfs_ruleset = %d in the jails that use it, then: service devfs restart", rs.File, rs.Name, c.freeRulesetNumber(), c.freeRulesetNumber())))
				reported = true
			}
		}
		if len(sets) > 1 {
			var names []string
			for _, rs := range sets {
				names = append(names, fmt.Sprintf("%s (%s:%d)", rs.Name, rs.File, rs.Line))
			}
			if reported {
				continue
			}
			out = append(out, c.finding(Warn, fmt.Sprintf("ruleset number %d is used by %s", n, strings.Join(names, " and ")),
				fmt.Sprintf("give each ruleset its own number in /etc/devfs.rules (next free: %d), then: service devfs restart", c.freeRulesetNumber())))
		}
	}
	return out
}

// examplePath turns a pattern such as "bpf*" into a device name it must
// match ("bpf0"), for asking Visible about it.
func examplePath(pattern string) string {
	r := strings.NewReplacer("*", "0", "?", "0", "[", "", "]", "")
	return r.Replace(pattern)
}
