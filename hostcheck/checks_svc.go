package hostcheck

import (
	"fmt"
	"sort"
	"strings"

	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// jailRoots maps a jail name to its root path, running jails first.
func (c *runCtx) jailRoots() (names []string, roots map[string]string) {
	roots = map[string]string{}
	for _, list := range [][]freebsd.Jail{c.f.Jails, c.f.Configured} {
		for _, j := range list {
			if _, ok := roots[j.Name]; ok || j.Path == "" {
				continue
			}
			roots[j.Name] = j.Path
			names = append(names, j.Name)
		}
	}
	sort.Strings(names)
	return names, roots
}

// notChecked is the info finding for a jail whose file the check needs
// could not be read safely: never a pass.
func (c *runCtx) notChecked(jail string, jf *JailFiles, file string) Finding {
	why := jf.Unread[file]
	if why == "" {
		why = "not read"
	}
	return c.finding(Info, fmt.Sprintf("jail %s: not checked: %s could not be read (%s)", jail, file, why),
		fmt.Sprintf("look at %s inside jail %s: it must be a regular file inside the jail", file, jail))
}

// rcNotChecked reports the jail's rc.conf files that could not be read
// safely, for a check that found nothing in what it could read.
func (c *runCtx) rcNotChecked(jail string, jf *JailFiles) []Finding {
	var out []Finding
	for _, f := range []string{"/etc/rc.conf", "/etc/rc.conf.local"} {
		if jf != nil && jf.Unread[f] != "" {
			out = append(out, c.notChecked(jail, jf, f))
		}
	}
	return out
}

func checkUsers(c *runCtx) []Finding {
	byName := map[string]freebsd.Account{}
	byUID := map[int]freebsd.Account{}
	maxUID := 1000
	for _, a := range c.f.Accounts {
		byName[a.Name] = a
		if _, ok := byUID[a.UID]; !ok {
			byUID[a.UID] = a
		}
		if a.UID < 65534 && a.UID > maxUID {
			maxUID = a.UID
		}
	}
	out := []Finding{}
	names, roots := c.jailRoots()
	for _, name := range names {
		jf := c.f.JailFiles[name]
		if jf == nil {
			continue
		}
		if !jf.HasPasswd {
			out = append(out, c.notChecked(name, jf, "/etc/passwd"))
			continue
		}
		for _, a := range jf.Accounts {
			if a.UID < 65534 && a.UID > maxUID {
				maxUID = a.UID
			}
		}
		var clash []string
		var fixes []string
		for _, a := range jf.Accounts {
			if a.SystemAccount() {
				continue
			}
			if h, ok := byName[a.Name]; ok && !h.SystemAccount() {
				clash = append(clash, fmt.Sprintf("%s (uid %d) has the name of host account %s (uid %d)", a.Name, a.UID, h.Name, h.UID))
				fixes = append(fixes, fmt.Sprintf("pw -R %s usermod %s -l %s_%s", roots[name], a.Name, a.Name, name))
				continue
			}
			if h, ok := byUID[a.UID]; ok && !h.SystemAccount() {
				maxUID++
				clash = append(clash, fmt.Sprintf("%s has uid %d like host account %s", a.Name, a.UID, h.Name))
				fixes = append(fixes, fmt.Sprintf("pw -R %s usermod %s -u %d", roots[name], a.Name, maxUID))
			}
		}
		if len(clash) == 0 {
			continue
		}
		out = append(out, c.finding(Warn, fmt.Sprintf("jail %s: %s", name, strings.Join(clash, "; ")), strings.Join(fixes, " && ")))
	}
	return out
}

// dnsRoles collects who serves primary and secondary zones on this host.
func (c *runCtx) dnsRoles() (primary, secondary []string) {
	names, _ := c.jailRoots()
	for _, name := range names {
		jf := c.f.JailFiles[name]
		if jf == nil {
			continue
		}
		for _, r := range jf.DNSRoles {
			if r == "primary" {
				primary = append(primary, "jail "+name)
			} else {
				secondary = append(secondary, "jail "+name)
			}
		}
	}
	for i := range c.planned {
		p := &c.planned[i]
		switch p.Role {
		case RoleDNSPrimary:
			primary = append(primary, "the planned "+plannedName(p)+" jail")
		case RoleDNSSecondary:
			secondary = append(secondary, "the planned "+plannedName(p)+" jail")
		}
	}
	return primary, secondary
}

func checkDNSPair(c *runCtx) []Finding {
	pri, sec := c.dnsRoles()
	if len(pri) == 0 || len(sec) == 0 {
		// A jail whose rc.conf or named.conf could not be read may serve
		// either: say so rather than pass.
		out := []Finding{}
		names, _ := c.jailRoots()
		for _, name := range names {
			jf := c.f.JailFiles[name]
			out = append(out, c.rcNotChecked(name, jf)...)
			for _, conf := range namedConfs {
				if jf != nil && jf.Unread[conf] != "" {
					out = append(out, c.notChecked(name, jf, conf))
				}
			}
		}
		return out
	}
	return []Finding{c.finding(Warn,
		fmt.Sprintf("primary DNS (%s) and secondary DNS (%s) run on this one host", strings.Join(pri, ", "), strings.Join(sec, ", ")),
		"run the secondary name server on another machine (jailkit install dns there), then remove it here: jailkit uninstall NAME")}
}

// rpcVars are the rc.conf switches of RPC services.
var rpcVars = []string{"rpcbind_enable", "nfs_server_enable", "nfs_client_enable", "mountd_enable", "rpc_lockd_enable",
	"rpc_statd_enable", "nis_client_enable", "nis_server_enable", "nis_yppasswdd_enable", "nis_ypxfrd_enable", "nis_ypset_enable"}

func isRPCCommand(cmd string) bool {
	switch cmd {
	case "rpcbind", "ypbind", "ypserv", "rpc.yppass", "rpc.ypxfrd", "mountd", "nfsd", "rpc.lockd", "rpc.statd":
		return true
	}
	return false
}

func checkRPCInJail(c *runCtx) []Finding {
	out := []Finding{}
	socks := c.jailSocketsByName()
	names, roots := c.jailRoots()
	for _, name := range names {
		var what, off []string
		jf := c.f.JailFiles[name]
		if jf != nil && jf.RC != nil {
			for _, v := range rpcVars {
				if jf.RC.Yes(v) {
					what = append(what, v+"=YES")
					off = append(off, v+"=NO")
				}
			}
		}
		seen := map[string]bool{}
		for _, s := range socks[name] {
			if (s.Local.Port == 111 || isRPCCommand(s.Command)) && !seen[s.Command] {
				seen[s.Command] = true
				what = append(what, fmt.Sprintf("%s listens on %s", s.Owner(), s.Local))
			}
		}
		if len(what) == 0 {
			out = append(out, c.rcNotChecked(name, jf)...)
			continue
		}
		fix := fmt.Sprintf("sysrc -R %s %s, then: service jail restart %s", roots[name], strings.Join(off, " "), name)
		if len(off) == 0 {
			fix = fmt.Sprintf("stop the RPC service in jail %s (service -j %s rpcbind stop) and disable it in its rc.conf: sysrc -R %s rpcbind_enable=NO", name, name, roots[name])
		}
		out = append(out, c.finding(Fail, fmt.Sprintf("jail %s runs RPC services: %s", name, strings.Join(what, ", ")), fix))
	}
	return out
}

// dbVars are rc.conf switches of database servers that use System V IPC.
var dbVars = []string{"mysql_enable", "mysql_server_enable", "postgresql_enable", "mariadb_enable", "oracle_enable", "db2_enable"}

func isDBCommand(cmd string) bool {
	switch cmd {
	case "mysqld", "mariadbd", "postgres", "postmaster":
		return true
	}
	return false
}

func checkDatabase(c *runCtx) []Finding {
	out := []Finding{}
	socks := c.jailSocketsByName()
	jails := map[string]*freebsd.Jail{}
	for _, j := range c.auditJails() {
		jails[j.Name] = j
	}
	names, _ := c.jailRoots()
	for _, name := range names {
		var what []string
		jf := c.f.JailFiles[name]
		if jf != nil && jf.RC != nil {
			for _, v := range dbVars {
				if jf.RC.Yes(v) {
					what = append(what, v+"=YES")
				}
			}
		}
		seen := map[string]bool{}
		for _, s := range socks[name] {
			if (isDBCommand(s.Command) || s.Local.Port == 3306 || s.Local.Port == 5432) && !seen[s.Command] {
				seen[s.Command] = true
				what = append(what, fmt.Sprintf("%s listens on %s", s.Owner(), s.Local))
			}
		}
		if len(what) == 0 {
			out = append(out, c.rcNotChecked(name, jf)...)
			continue
		}
		j := jails[name]
		if j == nil {
			continue
		}
		open := c.sysvAllowed(j)
		if len(open) == 0 {
			out = append(out, c.finding(Info, fmt.Sprintf("jail %s runs a database (%s); System V IPC is off", name, strings.Join(what, ", ")),
				"consider running the database on the host and reaching it over an address: a database in a jail needs System V IPC"))
			continue
		}
		out = append(out, c.finding(Warn, fmt.Sprintf("jail %s runs a database (%s) with System V IPC allowed (%s)", name, strings.Join(what, ", "), strings.Join(open, ", ")),
			"run the database on the host and let the jail reach it over an address; if it must stay, use PostgreSQL 9.3+ or MySQL (POSIX/mmap shared memory) with "+
				c.jailFix(j, "allow.nosysvipc; sysvshm = disable; sysvsem = disable; sysvmsg = disable;")))
	}
	return out
}
