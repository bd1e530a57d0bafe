package hostcheck

import (
	"fmt"
	"net/netip"

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
	// Unread maps a file of the jail that could not be read safely (a
	// link out of the jail, not a regular file, too large; for passwd
	// also missing) to the reason. A check that needs it says "not
	// checked" for the jail instead of passing: a jail's root user must
	// not be able to hide the jail from the audit.
	Unread map[string]string
}

// unread records that name could not be read.
func (jf *JailFiles) unread(name string, err error) {
	if jf.Unread == nil {
		jf.Unread = map[string]string{}
	}
	jf.Unread[name] = errText(err)
}

// Have reports whether a fact was read.
func (f *Facts) Have(fact string) bool {
	_, missing := f.Missing[fact]
	return !missing
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

// JailAddrs returns the addresses the running and configured jails hold:
// the host shows a running jail's address on its interface too.
func (f *Facts) JailAddrs() map[netip.Addr]bool { return f.jailAddrSet() }

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
