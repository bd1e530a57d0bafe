package install

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/pkgcache"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// planStart starts the jail and installs the packages.
func (p *planner) planStart() {
	j := p.v.Jail
	conf := state.JailConfPath(j.Name)
	switch {
	case !p.jailRunning:
		p.add(plan.Step{Name: "start jail " + j.Name, Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-c", j.Name},
			Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-r", j.Name}}}})
		p.jailStarted = true
	case p.restarted:
		restart := plan.Step{Name: "restart jail " + j.Name + " with its new parameters", Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-rc", j.Name}}
		restart.UndoAfter = []plan.Step{{Action: plan.ActRun, Argv: restart.Argv}}
		for _, svc := range p.v.Services() {
			restart.UndoAfter = append(restart.UndoAfter, plan.Step{Action: plan.ActRun, Argv: []string{"service", "-j", j.Name, svc, "restart"}})
		}
		p.add(restart)
		p.jailStarted = true
	}
	if p.old != nil && p.rootExists {
		p.planNewPackages()
	} else {
		p.planPackages()
	}
}

// planPackages bootstraps pkg in a new jail and installs the packages.
func (p *planner) planPackages() {
	j := p.v.Jail
	pkgs := p.v.Packages()
	if len(pkgs) == 0 {
		return
	}
	// One command bootstraps pkg and installs: the jail's bootstrapper
	// /usr/sbin/pkg reads -y after any subcommand ("+:y"), so "install
	// -y" bootstraps without a terminal and then execs the real pkg with
	// the same argv (usr.sbin/pkg/pkg.c, main).
	p.withPkgCache(plan.Step{Name: "bootstrap pkg and install " + strings.Join(pkgs, " ") + " in the jail", Action: plan.ActRun,
		Argv: append([]string{"jexec", "-l", j.Name, "/usr/sbin/pkg", "install", "-y"}, pkgs...), Progress: true})
}

// withPkgCache adds the pkg step s with the host's shared package cache
// mounted on the jail's /var/cache/pkg around it (pkgcache.Plan), or
// alone when the jail's mount point is not safe to mount on.
func (p *planner) withPkgCache(s plan.Step) {
	j := p.v.Jail
	if p.opts.NoPkgCache || !p.cacheShared() {
		p.add(s)
		return
	}
	cache := pkgcache.Dir(p.opts.JailsDir, j.Release, j.Arch)
	pc, ok := pkgcache.Plan(p.sys, cache, j.Path, !p.rootExists)
	if !ok {
		p.plan.Notes = append(p.plan.Notes, "the jail's "+pkgcache.InJail+" is not a plain directory: its packages are fetched without the shared cache")
		p.add(s)
		return
	}
	// 0700: no unprivileged host user reaches what jails left there.
	p.mkdir("create the shared package cache "+cache, cache, 0o700, true, true)
	for _, b := range pc.Before {
		p.add(b)
	}
	p.add(s)
	p.add(pc.After)
}

// cacheShared says whether the shared package cache is worth mounting:
// when the host has it already (a lab apply, an earlier jail, the admin
// made it), or another jail jailkit manages could share it. The first
// jail of a fresh host alone keeps its packages in its own cache, which
// spares its install the mount and unmount (two processes).
func (p *planner) cacheShared() bool {
	j := p.v.Jail
	if p.opts.SharePkgCache {
		return true
	}
	if _, err := p.sys.Lstat(pkgcache.Dir(p.opts.JailsDir, j.Release, j.Arch)); err == nil {
		return true
	}
	others, _ := state.ListStates(p.sys)
	for _, st := range others {
		if st.Name != j.Name {
			return true
		}
	}
	return false
}

// jailPkg is the argv of the jail's own pkg running sub with -y.
//
// It is not "pkg -j NAME": that runs the host's pkg attached to the jail
// (freebsd/pkg src/main.c), and on a host whose pkg was never
// bootstrapped /usr/sbin/pkg is the bootstrapper, whose getopt "+:dN46"
// stops at NAME, so it never sees -y and, stdin not being a terminal,
// exits 1 asking for ASSUME_ALWAYS_YES (usr.sbin/pkg/pkg.c). Bootstrapping
// the host's pkg instead would change the host for a jail's sake and tie
// the jail to the host pkg's version. The jail's own pkg, bootstrapped in
// the jail by the step before, uses the jail's ABI, repositories and
// database and leaves the host alone; jexec -l gives it a clean login
// environment (usr.sbin/jexec/jexec.c).
func jailPkg(jail, sub string) []string {
	return []string{"jexec", "-l", jail, "/usr/local/sbin/pkg", sub, "-y"}
}

// planNewPackages installs, in a jail an earlier install made, the
// packages the recipe now needs that it did not install then.
func (p *planner) planNewPackages() {
	j := p.v.Jail
	var missing []string
	for _, pk := range p.v.Packages() {
		if !slices.Contains(p.old.Packages, pk) {
			missing = append(missing, pk)
		}
	}
	if len(missing) == 0 {
		return
	}
	p.withPkgCache(plan.Step{Name: "install " + strings.Join(missing, " ") + " in the jail", Action: plan.ActRun,
		Argv: append(jailPkg(j.Name, "install"), missing...), Progress: true,
		Undo: []plan.Step{{Action: plan.ActRun, Argv: append(jailPkg(j.Name, "delete"), missing...)}}})
	p.changed = true
}

// planServices starts the recipe's services, or restarts them when their
// files changed.
func (p *planner) planServices() {
	j := p.v.Jail
	for _, svc := range p.v.Services() {
		switch {
		case p.jailStarted && !p.restarted && !p.rootExists:
			// A new jail: a service from a package was not installed
			// when the jail started, so nothing runs it yet; but one of
			// the base system (sshd) has its rc.d script already, and
			// the jail's exec.start (/etc/rc) started it, so "start"
			// would fail with "already running?" (libexec/rc/rc.subr).
			// restart starts it either way: rc.subr ignores its stop.
			p.add(plan.Step{Name: "start " + svc + " in the jail", Action: plan.ActRun, Argv: []string{"service", "-j", j.Name, svc, "restart"},
				Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"service", "-j", j.Name, svc, "stop"}}}})
		case p.jailStarted || p.restarted || p.changed:
			// A jail that existed and is (re)started ran its rc.d
			// scripts already; restart works whether the service runs.
			// Rolled back, the service is restarted once its files are
			// as they were.
			restart := plan.Step{Name: "restart " + svc + " in the jail", Action: plan.ActRun, Argv: []string{"service", "-j", j.Name, svc, "restart"}}
			restart.UndoAfter = []plan.Step{{Action: plan.ActRun, Argv: restart.Argv}}
			p.add(restart)
		}
	}
}

// planPostCheck looks at the jail's sockets: each port of the recipe must
// listen on the jail's address, and none on "*".
func (p *planner) planPostCheck() {
	if s, ok := PostCheck(p.v, p.vnet != nil, p.facts.Release); ok {
		p.add(s)
	}
}

// PostCheck returns the check that every port the recipe listens on with
// values v listens on the jail's addresses and none on "*"; ok is false
// when the recipe listens on nothing. A VNET jail's sockets live in its
// own network stack, which the host's sockstat does not see, so its
// check looks from inside.
func PostCheck(v *render.Values, vnet bool, hostRelease string) (s plan.Step, ok bool) {
	ports := Planned(v).Ports
	if len(ports) == 0 {
		return plan.Step{}, false
	}
	j := v.Jail
	var want []string
	expect := &plan.Listeners{}
	for _, pt := range ports {
		want = append(want, pt.String())
		expect.Ports = append(expect.Ports, plan.Port{Proto: pt.Proto, Port: pt.Port})
	}
	addrs := append(append([]string{}, j.IP4s...), j.IP6s...)
	expect.Addrs = addrs
	// The host's sockstat, in the host's output format.
	argv := append(freebsd.SockstatListenArgv(hostRelease), "-j", j.Name)
	if vnet {
		// The jail's sockets are in its own network stack, which the
		// host's sockstat does not see: look from inside, with the
		// jail's own sockstat and its release's format.
		argv = append([]string{"jexec", j.Name}, freebsd.SockstatListenArgv(j.Release)...)
	}
	return plan.Step{Name: fmt.Sprintf("check that %s listens on %s only", strings.Join(want, ", "), strings.Join(addrs, ", ")),
		Action: plan.ActCheck, Argv: argv, Expect: expect}, true
}
