package hostcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// Fact names, used in Facts.Missing and by checks that need them.
const (
	FactSockets    = "sockets"
	FactJails      = "jails"
	FactSysctl     = "sysctl"
	FactRCConf     = "rc.conf"
	FactDevfs      = "devfs.rules"
	FactJailConf   = "jail.conf"
	FactInterfaces = "interfaces"
	FactPasswd     = "passwd"
	FactRelease    = "release"
	FactModules    = "modules"
	FactDiskSpace  = "disk space"
)

// Facts is everything the checks know about a host.
type Facts struct {
	// Sockets are the listening IPv4/IPv6 sockets (sockstat -46l).
	Sockets []freebsd.Socket
	// JailSockets holds, for a running jail whose wildcard sockets cannot
	// be told apart by address, the sockets sockstat -j showed for it.
	JailSockets map[int][]freebsd.Socket
	// Jails are the running jails (jls).
	Jails []freebsd.Jail
	// Configured are the jails jail.conf and jail.conf.d define.
	Configured []freebsd.Jail
	Sysctl     map[string]string
	RC         *freebsd.RCConf
	Devfs      *freebsd.DevfsRules
	Interfaces []freebsd.Interface
	Accounts   []freebsd.Account
	Release    string
	Major      int
	Minor      int
	Modules    []string
	JailsDir   string
	// FreeKB is the space available under JailsDir in KiB, -1 when unknown.
	FreeKB int64
	// JailFiles holds what was read inside each jail, by jail name.
	JailFiles map[string]*JailFiles
	// Missing maps a fact that could not be read to the reason.
	Missing map[string]string
}

// JailFiles is what the checks read inside one jail's root.
type JailFiles struct {
	Accounts  []freebsd.Account
	HasPasswd bool
	RC        *freebsd.RCConf
	// DNSRoles lists "primary" and/or "secondary" when the jail runs
	// named (named_enable) and its named.conf has zones of that type.
	DNSRoles []string
}

// Have reports whether a fact was read.
func (f *Facts) Have(fact string) bool {
	_, missing := f.Missing[fact]
	return !missing
}

// GatherOptions tunes Gather.
type GatherOptions struct {
	// JailsDir is where jails live (/usr/local/jails when empty).
	JailsDir string
}

// Gather reads every fact from src. It never fails: a fact that cannot be
// read is recorded in Missing with the reason, and the checks that need it
// say they could not run.
func Gather(ctx context.Context, src Source, opts GatherOptions) *Facts {
	f := &Facts{Missing: map[string]string{}, JailFiles: map[string]*JailFiles{}, FreeKB: -1,
		JailSockets: map[int][]freebsd.Socket{}, JailsDir: opts.JailsDir}
	if f.JailsDir == "" {
		f.JailsDir = DefaultJailsDir
	}
	miss := func(fact string, err error) { f.Missing[fact] = errText(err) }

	// sockstat: 15's libxo JSON when it works, else the text.
	if out, err := src.Output(ctx, "sockstat-json"); err == nil && len(bytes.TrimSpace(out)) > 0 && bytes.TrimSpace(out)[0] == '{' {
		if s, err := freebsd.ParseSockstatJSON(out); err == nil {
			f.Sockets = s
		} else {
			miss(FactSockets, err)
		}
	} else if out, err := src.Output(ctx, "sockstat"); err == nil {
		f.Sockets, _ = freebsd.ParseSockstat(out)
	} else {
		miss(FactSockets, err)
	}

	if out, err := src.Output(ctx, "jls-json"); err == nil {
		if js, err := freebsd.ParseJlsJSON(out); err == nil {
			f.Jails = js
		} else if out2, err2 := src.Output(ctx, "jls"); err2 == nil {
			f.Jails = freebsd.ParseJls(out2)
		} else {
			miss(FactJails, err)
		}
	} else if out, err := src.Output(ctx, "jls"); err == nil {
		f.Jails = freebsd.ParseJls(out)
	} else {
		miss(FactJails, err)
	}

	if out, err := src.Output(ctx, "sysctl"); err == nil {
		f.Sysctl = freebsd.ParseSysctl(out)
	} else {
		miss(FactSysctl, err)
		f.Sysctl = map[string]string{}
	}

	f.RC = readRCConf(src, "", func(err error) { miss(FactRCConf, err) })

	f.Devfs = &freebsd.DevfsRules{}
	if data, err := src.ReadFile("/etc/defaults/devfs.rules"); err == nil {
		f.Devfs.Parse("/etc/defaults/devfs.rules", data)
	} else {
		f.Devfs.Parse("(built-in defaults)", []byte(defaultDevfsRules))
	}
	if data, err := src.ReadFile("/etc/devfs.rules"); err == nil {
		f.Devfs.Parse("/etc/devfs.rules", data)
	} else if !errors.Is(err, fs.ErrNotExist) {
		miss(FactDevfs, err)
	}

	f.Configured = readJailConf(src, func(err error) { miss(FactJailConf, err) })

	if out, err := src.Output(ctx, "ifconfig"); err == nil {
		f.Interfaces = freebsd.ParseIfconfig(out)
	} else {
		miss(FactInterfaces, err)
	}
	if data, err := src.ReadFile("/etc/passwd"); err == nil {
		f.Accounts = freebsd.ParsePasswd(data)
	} else {
		miss(FactPasswd, err)
	}
	if out, err := src.Output(ctx, "freebsd-version"); err == nil {
		f.Release, f.Major, f.Minor = freebsd.ParseRelease(out)
	} else if r := f.Sysctl["kern.osrelease"]; r != "" {
		f.Release, f.Major, f.Minor = freebsd.ParseRelease([]byte(r))
	} else {
		miss(FactRelease, err)
	}
	if out, err := src.Output(ctx, "kldstat"); err == nil {
		f.Modules = freebsd.ParseKldstat(out)
	} else {
		miss(FactModules, err)
	}
	if out, err := src.Output(ctx, "df"); err == nil {
		f.FreeKB = freebsd.ParseDf(out)
	}
	if f.FreeKB < 0 {
		miss(FactDiskSpace, errors.New("df output not available"))
	}

	// Sockets of jails with several addresses per family (or inherited
	// ones) may show as "*:port" on the host: ask sockstat -j.
	if hasWildcard(f.Sockets) {
		for _, j := range f.Jails {
			if j.VNet() || !ambiguousJail(&j) {
				continue
			}
			if out, err := src.Output(ctx, jailSockstat(j.JID).Name); err == nil {
				f.JailSockets[j.JID], _ = freebsd.ParseSockstat(out)
			}
		}
	}

	// Inside each jail: accounts, rc.conf, named.conf.
	seen := map[string]bool{}
	for _, list := range [][]freebsd.Jail{f.Jails, f.Configured} {
		for _, j := range list {
			if j.Path == "" || j.Path == "/" || seen[j.Name] || !path.IsAbs(j.Path) {
				continue
			}
			seen[j.Name] = true
			f.JailFiles[j.Name] = readJailFiles(src, j.Path)
		}
	}
	return f
}

func errText(err error) string {
	if err == nil {
		return "not available"
	}
	if errors.Is(err, fs.ErrNotExist) {
		return "not found"
	}
	return err.Error()
}

func hasWildcard(s []freebsd.Socket) bool {
	for _, x := range s {
		if x.Local.Wildcard {
			return true
		}
	}
	return false
}

// ambiguousJail reports whether a jail's wildcard binds stay wildcards in
// the host's sockstat: the kernel rewrites INADDR_ANY to the jail's address
// only when the jail has exactly one address of that family.
func ambiguousJail(j *freebsd.Jail) bool {
	return len(j.IP4) > 1 || len(j.IP6) > 1 || j.Params["ip4"] == "inherit" || j.Params["ip6"] == "inherit"
}

// readRCConf merges defaults, rc.conf, rc.conf.local and rc.conf.d under
// root ("" for the host, a jail path otherwise).
func readRCConf(src Source, jailRoot string, missing func(error)) *freebsd.RCConf {
	rc := freebsd.NewRCConf()
	read := func(name string) ([]byte, error) {
		if jailRoot != "" {
			return src.ReadJailFile(jailRoot, name)
		}
		return src.ReadFile(name)
	}
	// Inside a jail the built-in defaults do: the checks only ask a jail
	// about switches that default to NO, and a thousand jails would
	// otherwise mean a thousand more reads.
	if jailRoot != "" {
		rc.Parse("(built-in defaults)", []byte(defaultRCConf))
	} else if data, err := read("/etc/defaults/rc.conf"); err == nil {
		rc.Parse("/etc/defaults/rc.conf", data)
	} else {
		rc.Parse("(built-in defaults)", []byte(defaultRCConf))
	}
	found := false
	var firstErr error
	for _, name := range []string{"/etc/rc.conf", "/etc/rc.conf.local"} {
		data, err := read(name)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && firstErr == nil {
				firstErr = err
			}
			continue
		}
		found = true
		rc.Parse(name, data)
	}
	if jailRoot == "" {
		names, _ := src.Glob("/etc/rc.conf.d/*")
		for _, name := range names {
			if data, err := src.ReadFile(name); err == nil {
				found = true
				rc.Parse(name, data)
			}
		}
	}
	if !found && missing != nil {
		if firstErr == nil {
			firstErr = fs.ErrNotExist
		}
		missing(firstErr)
	}
	return rc
}

// readJailConf reads /etc/jail.conf with its .include lines and every
// /etc/jail.conf.d/*.conf, which rc.d/jail reads by jail name even when no
// .include names them.
func readJailConf(src Source, missing func(error)) []freebsd.Jail {
	read := map[string]bool{}
	include := func(pattern string) []freebsd.ConfFile {
		var names []string
		if strings.ContainsAny(path.Base(pattern), "*?[") {
			names, _ = src.Glob(pattern)
		} else {
			names = []string{pattern}
		}
		var out []freebsd.ConfFile
		for _, n := range names {
			if read[n] || !path.IsAbs(n) {
				continue
			}
			if data, err := src.ReadFile(n); err == nil {
				read[n] = true
				out = append(out, freebsd.ConfFile{Name: n, Data: data})
			}
		}
		return out
	}
	var all []freebsd.Jail
	byName := map[string]int{}
	add := func(js []freebsd.Jail) {
		for _, j := range js {
			if i, ok := byName[j.Name]; ok {
				all[i] = j
				continue
			}
			byName[j.Name] = len(all)
			all = append(all, j)
		}
	}
	data, err := src.ReadFile("/etc/jail.conf")
	if err == nil {
		read["/etc/jail.conf"] = true
		add(freebsd.ParseJailConf("/etc/jail.conf", data, include))
	} else if !errors.Is(err, fs.ErrNotExist) && missing != nil {
		missing(err)
	}
	for _, f := range include("/etc/jail.conf.d/*.conf") {
		add(freebsd.ParseJailConf(f.Name, f.Data, include))
	}
	return all
}

var zoneTypeRE = regexp.MustCompile(`(?m)^[^#/]*\btype\s+(master|primary|slave|secondary)\s*;`)

func readJailFiles(src Source, root string) *JailFiles {
	jf := &JailFiles{}
	if data, err := src.ReadJailFile(root, "/etc/passwd"); err == nil {
		jf.HasPasswd = true
		jf.Accounts = freebsd.ParsePasswd(data)
	}
	jf.RC = readRCConf(src, root, nil)
	// Only a jail that runs named has zones worth reading; the others
	// would cost two failed lookups each on a host with many jails.
	if !jf.RC.Yes("named_enable") {
		return jf
	}
	for _, conf := range []string{"/usr/local/etc/namedb/named.conf", "/usr/local/etc/named/named.conf"} {
		data, err := src.ReadJailFile(root, conf)
		if err != nil {
			continue
		}
		roles := map[string]bool{}
		for _, m := range zoneTypeRE.FindAllStringSubmatch(string(data), -1) {
			switch m[1] {
			case "master", "primary":
				roles["primary"] = true
			case "slave", "secondary":
				roles["secondary"] = true
			}
		}
		for r := range roles {
			jf.DNSRoles = append(jf.DNSRoles, r)
		}
		sort.Strings(jf.DNSRoles)
		break
	}
	return jf
}

// HostAddr returns the host's own address for fixes that bind a daemon to
// it: the first IPv4 address on an up, non-loopback interface that no jail
// uses; ok is false when there is none.
func (f *Facts) HostAddr() (netip.Addr, bool) {
	jailAddrs := f.jailAddrSet()
	for _, want4 := range []bool{true, false} {
		for _, ifc := range f.Interfaces {
			if ifc.Loopback {
				continue
			}
			for _, p := range ifc.Prefixes {
				a := p.Addr()
				if a.Is4() != want4 || a.IsLinkLocalUnicast() || jailAddrs[a] {
					continue
				}
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

func (f *Facts) jailAddrSet() map[netip.Addr]bool {
	m := map[netip.Addr]bool{}
	for _, list := range [][]freebsd.Jail{f.Jails, f.Configured} {
		for _, j := range list {
			for _, a := range j.Addrs() {
				m[a.WithZone("")] = true
			}
		}
	}
	return m
}

// String summarises the facts for debugging.
func (f *Facts) String() string {
	return fmt.Sprintf("%d sockets, %d running jails, %d configured jails, %d interfaces, release %q",
		len(f.Sockets), len(f.Jails), len(f.Configured), len(f.Interfaces), f.Release)
}

// defaultRCConf holds the /etc/defaults/rc.conf values the checks read, for
// a snapshot or host where that file could not be read.
const defaultRCConf = `
sendmail_enable="NO"
sendmail_submit_enable="YES"
sendmail_outbound_enable="YES"
sendmail_msp_queue_enable="YES"
syslogd_enable="YES"
syslogd_flags="-s"
inetd_enable="NO"
inetd_flags="-wW -C 60"
rpcbind_enable="NO"
clear_tmp_enable="NO"
sshd_enable="NO"
ntpd_enable="NO"
nfs_server_enable="NO"
nfs_client_enable="NO"
nis_client_enable="NO"
nis_server_enable="NO"
rpc_lockd_enable="NO"
rpc_statd_enable="NO"
linux_enable="NO"
jail_enable="NO"
`

// defaultDevfsRules is /etc/defaults/devfs.rules as FreeBSD 14 ships it,
// for when that file could not be read.
const defaultDevfsRules = `
[devfsrules_hide_all=1]
add hide

[devfsrules_unhide_basic=2]
add path log unhide
add path null unhide
add path zero unhide
add path crypto unhide
add path random unhide
add path urandom unhide

[devfsrules_unhide_login=3]
add path 'ptyp*' unhide
add path 'ttyp*' unhide
add path ptmx unhide
add path pts unhide
add path 'pts/*' unhide
add path fd unhide
add path 'fd/*' unhide
add path stdin unhide
add path stdout unhide
add path stderr unhide

[devfsrules_jail=4]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic
add include $devfsrules_unhide_login
add path fuse unhide
add path zfs unhide

[devfsrules_jail_vnet=5]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic
add include $devfsrules_unhide_login
add include $devfsrules_jail
add path pf unhide
`
