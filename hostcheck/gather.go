package hostcheck

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"path"

	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

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
		f.JailsDir = freebsd.DefaultJailsDir
	}
	if out, err := src.Output(ctx, "sysctl"); err == nil {
		f.Sysctl = freebsd.ParseSysctl(out)
	} else {
		f.miss(FactSysctl, err)
		f.Sysctl = map[string]string{}
	}
	f.gatherRelease(ctx, src)
	f.gatherSockets(ctx, src)
	f.gatherJails(ctx, src)
	// A host rc.conf file that is there but cannot be read safely makes
	// the whole rc.conf fact unread: a check must not pass on a part.
	f.RC = readRCConf(src, "", func(err error) {
		if f.Have(FactRCConf) {
			f.miss(FactRCConf, err)
		}
	},
		func(name string, err error) { f.Missing[FactRCConf] = name + ": " + errText(err) })
	f.gatherDevfs(src)
	f.Configured = readJailConf(src, func(err error) { f.miss(FactJailConf, err) })
	f.gatherHost(ctx, src)
	f.gatherJailSockets(ctx, src)
	f.gatherJailFiles(src)
	return f
}

// miss records why a fact could not be read.
func (f *Facts) miss(fact string, err error) { f.Missing[fact] = errText(err) }

// gatherSockets reads sockstat: 15's libxo JSON when it works, else the
// text.
func (f *Facts) gatherSockets(ctx context.Context, src Source) {
	// Only 15's sockstat speaks libxo (usr.bin/sockstat/main.c; 14's
	// sockstat.c has none): on 14 a JSON attempt is a process that fails.
	if f.Major == 0 || f.Major >= 15 {
		if out, err := src.Output(ctx, "sockstat-json"); err == nil && len(bytes.TrimSpace(out)) > 0 && bytes.TrimSpace(out)[0] == '{' {
			if s, err := freebsd.ParseSockstatJSON(out); err == nil {
				f.Sockets = s
			} else {
				f.miss(FactSockets, err)
			}
			return
		}
	}
	if out, err := src.Output(ctx, "sockstat"); err == nil {
		f.Sockets, _ = freebsd.ParseSockstat(out)
	} else {
		f.miss(FactSockets, err)
	}
}

// gatherRelease reads kern.osrelease (sys/kern/kern_mib.c): no process,
// and the running kernel's release, which every jail runs on; the
// userland's freebsd-version only when the sysctl could not be read.
func (f *Facts) gatherRelease(ctx context.Context, src Source) {
	if r := f.Sysctl["kern.osrelease"]; r != "" {
		f.Release, f.Major, f.Minor = freebsd.ParseRelease([]byte(r))
	} else if out, err := src.Output(ctx, "freebsd-version"); err == nil {
		f.Release, f.Major, f.Minor = freebsd.ParseRelease(out)
	} else {
		f.miss(FactRelease, err)
	}
}

// gatherJails reads jls: the libxo JSON of every parameter when it works,
// else plain jls.
func (f *Facts) gatherJails(ctx context.Context, src Source) {
	if out, err := src.Output(ctx, "jls-json"); err == nil {
		if js, err := freebsd.ParseJlsJSON(out); err == nil {
			f.Jails = js
		} else if out2, err2 := src.Output(ctx, "jls"); err2 == nil {
			f.Jails = freebsd.ParseJls(out2)
		} else {
			f.miss(FactJails, err)
		}
	} else if out, err := src.Output(ctx, "jls"); err == nil {
		f.Jails = freebsd.ParseJls(out)
	} else {
		f.miss(FactJails, err)
	}
}

// gatherDevfs reads the default rulesets, then /etc/devfs.rules over them.
func (f *Facts) gatherDevfs(src Source) {
	f.Devfs = &freebsd.DevfsRules{}
	if data, err := src.ReadFile("/etc/defaults/devfs.rules"); err == nil {
		f.Devfs.Parse("/etc/defaults/devfs.rules", data)
	} else {
		f.Devfs.Parse("(built-in defaults)", []byte(defaultDevfsRules))
	}
	if data, err := src.ReadFile("/etc/devfs.rules"); err == nil {
		f.Devfs.Parse("/etc/devfs.rules", data)
	} else if !errors.Is(err, fs.ErrNotExist) {
		f.miss(FactDevfs, err)
	}
}

// gatherHost reads the interfaces, accounts, modules and free space.
func (f *Facts) gatherHost(ctx context.Context, src Source) {
	if out, err := src.Output(ctx, "ifconfig"); err == nil {
		f.Interfaces = freebsd.ParseIfconfig(out)
	} else {
		f.miss(FactInterfaces, err)
	}
	if data, err := src.ReadFile("/etc/passwd"); err == nil {
		f.Accounts = freebsd.ParsePasswd(data)
	} else {
		f.miss(FactPasswd, err)
	}
	if out, err := src.Output(ctx, "kldstat"); err == nil {
		f.Modules = freebsd.ParseKldstat(out)
	} else {
		f.miss(FactModules, err)
	}
	if out, err := src.Output(ctx, "df"); err == nil {
		f.FreeKB = freebsd.ParseDf(out)
	}
	if f.FreeKB < 0 {
		f.miss(FactDiskSpace, errors.New("df output not available"))
	}
}

// gatherJailSockets asks sockstat -j about the jails whose sockets may
// show as "*:port" on the host: those with several addresses per family,
// or inherited ones.
func (f *Facts) gatherJailSockets(ctx context.Context, src Source) {
	if !hasWildcard(f.Sockets) {
		return
	}
	for _, j := range f.Jails {
		if j.VNet() || !ambiguousJail(&j) {
			continue
		}
		if out, err := src.Output(ctx, jailSockstat(j.JID).Name); err == nil {
			f.JailSockets[j.JID], _ = freebsd.ParseSockstat(out)
		}
	}
}

// gatherJailFiles reads inside each jail: accounts, rc.conf, named.conf.
func (f *Facts) gatherJailFiles(src Source) {
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
}

// errText is the reason recorded in Missing for err.
func errText(err error) string {
	if err == nil {
		return "not available"
	}
	if errors.Is(err, fs.ErrNotExist) {
		return "not found"
	}
	if system.Escapes(err) {
		return "a symlink or .. leads outside the root"
	}
	var pe *fs.PathError
	if (errors.Is(err, system.ErrNotRegular) || errors.Is(err, system.ErrTooLarge)) && errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// hasWildcard reports whether any socket listens on every address.
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
