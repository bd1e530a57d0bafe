package ops

import (
	"strings"

	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/state"
)

// appendPkgUpgrade adds the pkg upgrade of the pending packages in the
// running jail st: its own pkg (jexec -l, so the jail's pkg.conf, ABI and
// network are used; freebsd/pkg src/upgrade.c).
//
// It does not mount the shared package cache: the jail has been running,
// possibly compromised, since it was installed, and between a plan-time
// check of its /var/cache/pkg and the mount it could swap that directory
// for a link, which mount_nullfs would follow on the host (it resolves
// the mount point with realpath). Only a fresh jail's install shares the
// cache.
func appendPkgUpgrade(p *plan.Plan, st *state.State, pending []string) {
	p.Steps = append(p.Steps, plan.Step{Name: "upgrade " + strings.Join(pending, " ") + " in jail " + st.Name, Action: plan.ActRun,
		Argv: []string{"jexec", "-l", st.Name, "/usr/local/sbin/pkg", "upgrade", "-y"}, Progress: true})
}
