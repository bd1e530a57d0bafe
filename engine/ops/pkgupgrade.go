package ops

import (
	"path"
	"strings"

	"github.com/jailkit/jailkit/engine/pkgcache"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// appendPkgUpgrade adds the pkg upgrade of the pending packages in the
// running jail st: its own pkg (jexec -l, so the jail's pkg.conf, ABI and
// network are used; freebsd/pkg src/upgrade.c), with the host's package
// cache of the jail's ABI mounted on its /var/cache/pkg around it, so the
// jails of one ABI fetch each package once (pkgcache.Mount).
func appendPkgUpgrade(p *plan.Plan, sys system.System, st *state.State, pending []string) {
	upgrade := plan.Step{Name: "upgrade " + strings.Join(pending, " ") + " in jail " + st.Name, Action: plan.ActRun,
		Argv: []string{"jexec", "-l", st.Name, "/usr/local/sbin/pkg", "upgrade", "-y"}, Progress: true}
	pc, ok := pkgcache.For(sys, path.Dir(path.Dir(st.Path)), st.Release, st.Arch, st.Path)
	if !ok {
		p.Notes = append(p.Notes, "the "+st.Name+" jail's /var/cache/pkg is not a plain directory: its packages are fetched without the shared cache")
		p.Steps = append(p.Steps, upgrade)
		return
	}
	for _, b := range pc.Before {
		// The cache directory is made once, by the first jail's steps.
		if b.Action == plan.ActMkdir && b.Root == "" && planned(p, b.Path) {
			continue
		}
		p.Steps = append(p.Steps, b)
	}
	p.Steps = append(p.Steps, upgrade, pc.After)
}
