package hostcheck

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

const sendmailFix = "sysrc sendmail_enable=NONE sendmail_submit_enable=NO sendmail_outbound_enable=NO sendmail_msp_queue_enable=NO && service sendmail onestop"

var sendmailVars = []string{"sendmail_enable", "sendmail_submit_enable", "sendmail_outbound_enable", "sendmail_msp_queue_enable"}

func (c *runCtx) mailPlanned() *Planned {
	for i := range c.planned {
		if c.planned[i].Mail() {
			return &c.planned[i]
		}
	}
	return nil
}

// rcWhere says where a variable's value comes from: "(/etc/rc.conf:12)".
func rcWhere(v freebsd.RCVar) string {
	if v.File == "" || strings.HasPrefix(v.File, "(") {
		return "built-in default"
	}
	if v.Line > 0 {
		return fmt.Sprintf("%s:%d", v.File, v.Line)
	}
	return v.File
}

func checkSendmail(c *runCtx) []Finding {
	rc := c.f.RC
	if strings.EqualFold(rc.Get("sendmail_enable"), "NONE") {
		return []Finding{}
	}
	var on []string
	for _, name := range sendmailVars {
		if rc.Yes(name) {
			v, _ := rc.Lookup(name)
			on = append(on, fmt.Sprintf("%s=%s (%s)", name, v.Value, rcWhere(v)))
		}
	}
	if len(on) == 0 {
		return []Finding{}
	}
	found := "sendmail is not fully off: " + strings.Join(on, ", ")
	sev := Warn
	if p := c.mailPlanned(); p != nil {
		sev = Fail
		found += fmt.Sprintf("; the planned %s jail is a mail server", plannedName(p))
	}
	return []Finding{c.finding(sev, found, sendmailFix)}
}

func checkPort25(c *runCtx) []Finding {
	out := []Finding{}
	seen := map[string]bool{}
	for _, s := range c.hostSockets() {
		if s.Local.Port != 25 || s.Transport() != "tcp" {
			continue
		}
		k := s.Command + " " + s.Local.String()
		if seen[k] {
			continue
		}
		seen[k] = true
		found := fmt.Sprintf("%s listens on %s", s.Owner(), s.Local)
		sev := Warn
		if p := c.mailPlanned(); p != nil {
			sev = Fail
			found += fmt.Sprintf("; the planned %s jail is a mail server", plannedName(p))
		}
		fix := sendmailFix
		if s.Command != "sendmail" {
			fix = daemonFix(s.Command, 25, c.host) + "; or stop it"
		}
		out = append(out, c.finding(sev, found, fix))
	}
	return out
}

var hardeningSysctls = []string{
	"security.bsd.see_other_uids",
	"security.bsd.see_other_gids",
	"security.bsd.see_jail_proc",
	"security.bsd.unprivileged_read_msgbuf",
	"security.bsd.unprivileged_proc_debug",
}

func sysctlFix(name, value string) string {
	return fmt.Sprintf("sysctl %s=%s && sysrc -f /etc/sysctl.conf %s=%s", name, value, name, value)
}

func checkHardening(c *runCtx) []Finding {
	out := []Finding{}
	for _, name := range hardeningSysctls {
		v, ok := c.f.Sysctl[name]
		if !ok || v == "0" {
			continue
		}
		out = append(out, c.finding(Warn, fmt.Sprintf("%s is %s", name, v), sysctlFix(name, "0")))
	}
	return out
}

func checkRandomPID(c *runCtx) []Finding {
	v, ok := c.f.Sysctl["kern.randompid"]
	if !ok || v != "0" {
		return []Finding{}
	}
	return []Finding{c.finding(Warn, "kern.randompid is 0: process IDs are sequential", sysctlFix("kern.randompid", "1"))}
}

func checkClearTmp(c *runCtx) []Finding {
	if c.f.RC.Yes("clear_tmp_enable") {
		return []Finding{}
	}
	v, _ := c.f.RC.Lookup("clear_tmp_enable")
	val := v.Value
	if val == "" {
		val = "unset"
	}
	return []Finding{c.finding(Info, fmt.Sprintf("clear_tmp_enable is %s (%s)", val, rcWhere(v)), "sysrc clear_tmp_enable=YES")}
}

// syslogdClosed reports whether syslogd flags close the network socket
// (-ss) or bind it to one address (-b).
func syslogdClosed(flags string) bool {
	s := 0
	for _, f := range strings.Fields(flags) {
		switch {
		case f == "-b" || strings.HasPrefix(f, "-b"):
			return true
		case strings.HasPrefix(f, "-") && !strings.HasPrefix(f, "--"):
			s += strings.Count(f, "s")
			if strings.Contains(f, "b") {
				return true
			}
		}
	}
	return s >= 2
}

func checkSyslogd(c *runCtx) []Finding {
	if !c.f.RC.Yes("syslogd_enable") {
		return []Finding{}
	}
	v, _ := c.f.RC.Lookup("syslogd_flags")
	if syslogdClosed(v.Value) {
		return []Finding{}
	}
	return []Finding{c.finding(Warn, fmt.Sprintf("syslogd_flags=%q (%s) leaves syslogd's network socket open on every address", v.Value, rcWhere(v)),
		fmt.Sprintf("sysrc syslogd_flags=\"-ss\" && service syslogd restart (or \"-s -b %s\" to receive remote logs on the host address only)", c.host))}
}

// supportedMajors are the FreeBSD branches the FreeBSD project supports as
// of this jailkit (13 reached end of life in April 2026).
var supportedMajors = map[int]bool{14: true, 15: true}

func checkRelease(c *runCtx) []Finding {
	f := c.f
	switch {
	case f.Major == 0:
		return []Finding{c.finding(Info, fmt.Sprintf("could not read the release from %q", f.Release), "freebsd-version -ku")}
	case supportedMajors[f.Major]:
		if strings.Contains(f.Release, "CURRENT") {
			return []Finding{c.finding(Info, f.Release+" is a development branch", "")}
		}
		return []Finding{c.finding(Pass, f.Release+" is on a supported branch", "")}
	case f.Major < 14:
		return []Finding{c.finding(Fail, fmt.Sprintf("%s: FreeBSD %d is past its end of life and gets no security fixes", f.Release, f.Major),
			"upgrade the host: freebsd-update -r 14.3-RELEASE upgrade && freebsd-update install (then update each jail's base too)")}
	}
	return []Finding{c.finding(Info, f.Release+" is newer than the branches this jailkit knows (14, 15)", "")}
}

const (
	minimalJailKB = 150 * 1024      // 150 MB, what a minimal jail needs
	webJailKB     = 4 * 1024 * 1024 // and 4 GB for a web stack
)

func checkDiskSpace(c *runCtx) []Finding {
	kb := c.f.FreeKB
	found := fmt.Sprintf("%d MB free under %s", kb/1024, c.f.JailsDir)
	fix := fmt.Sprintf("free space or give %s its own dataset: zfs create -o mountpoint=%s zroot/jails", c.f.JailsDir, c.f.JailsDir)
	switch {
	case kb < minimalJailKB:
		return []Finding{c.finding(Fail, found+"; a minimal jail needs 150 MB", fix)}
	case kb < webJailKB:
		return []Finding{c.finding(Warn, found+"; a web stack (Apache, PHP, a CMS) needs about 4 GB", fix)}
	}
	return []Finding{c.finding(Pass, found, "")}
}

func checkModules(c *runCtx) []Finding {
	var out []Finding
	loaded := map[string]bool{}
	for _, m := range c.f.Modules {
		loaded[m] = true
	}
	needAny := false
	for i := range c.planned {
		p := &c.planned[i]
		var missing []string
		for _, m := range p.KernelModules {
			needAny = true
			if !loaded[m] {
				missing = append(missing, m)
			}
		}
		if len(missing) == 0 {
			continue
		}
		what := "kernel module " + missing[0] + " is not loaded; the planned %s jail needs it"
		if len(missing) > 1 {
			what = "kernel modules " + strings.Join(missing, ", ") + " are not loaded; the planned %s jail needs them"
		}
		list := strings.Join(missing, " ")
		out = append(out, c.finding(Fail, fmt.Sprintf(what, plannedName(p)),
			fmt.Sprintf("kldload %s && sysrc kld_list+=\" %s\"", list, list)))
	}
	if !needAny {
		return nil
	}
	if out == nil {
		out = []Finding{}
	}
	return out
}

func checkHostRC(c *runCtx) []Finding {
	var out []Finding
	needAny := false
	for i := range c.planned {
		p := &c.planned[i]
		names := make([]string, 0, len(p.HostRCConf))
		for k := range p.HostRCConf {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			needAny = true
			want := p.HostRCConf[k]
			have := c.f.RC.Get(k)
			if strings.EqualFold(have, want) {
				continue
			}
			out = append(out, c.finding(Warn, fmt.Sprintf("host rc.conf has %s=%q; the planned %s jail needs %q", k, have, plannedName(p), want),
				fmt.Sprintf("sysrc %s=%s", k, strconv.Quote(want))))
		}
	}
	if !needAny {
		return nil
	}
	if out == nil {
		out = []Finding{}
	}
	return out
}

// checkHostSecurelevel follows usr.sbin/freebsd-update/freebsd-update.sh
// (install_check_params refuses when kern.securelevel > 0) and
// chflags(2) (schg may not be cleared above securelevel 0, see
// sys/ufs/ufs/ufs_vnops.c and securelevel_gt in sys/kern/kern_prot.c).
func checkHostSecurelevel(c *runCtx) []Finding {
	v, ok := c.f.Sysctl["kern.securelevel"]
	if !ok {
		return []Finding{c.finding(Info, "kern.securelevel could not be read", "sysctl kern.securelevel")}
	}
	level, err := strconv.Atoi(strings.TrimSpace(v))
	switch {
	case err != nil:
		// Never a pass on a value that could not be read.
		return []Finding{c.finding(Info, fmt.Sprintf("kern.securelevel reads %q, not a number", strings.TrimSpace(v)), "sysctl kern.securelevel")}
	case level <= 0:
		return []Finding{c.finding(Pass, fmt.Sprintf("kern.securelevel is %d", level), "")}
	}
	const fix = "sysrc kern_securelevel_enable=NO, reboot, install, then sysrc kern_securelevel_enable=YES and reboot"
	var out []Finding
	for i := range c.planned {
		if p := &c.planned[i]; p.NewBase {
			out = append(out, c.finding(Fail, fmt.Sprintf("kern.securelevel is %d: the planned %s jail needs a new base, "+
				"and freebsd-update cannot patch it nor chflags clear its schg flags for a rollback or uninstall", level, plannedName(p)), fix))
		}
	}
	if len(out) == 0 {
		out = append(out, c.finding(Info, fmt.Sprintf("kern.securelevel is %d: new jail bases cannot be patched or removed until it is 0 again", level), fix))
	}
	return out
}
