package ops

import (
	"context"
	"fmt"
	"strings"

	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// updatedKey records in Extra the last package update: its label and
// the packages it upgraded.
const updatedKey = "updated"

// PlanUpdate plans the package updates of the selected running jails,
// in start order. Each jail's own pkg says what its repository has newer
// (PendingUpdates); a jail with nothing pending needs no change. When the
// jail root is a ZFS dataset, a snapshot LABEL comes first and is what
// rollback returns to (the jail stopped, the root rolled back, the
// snapshot destroyed, the jail started); otherwise a failure after pkg
// upgrade leaves the upgraded packages. Then pkg upgrade -y runs inside
// the jail (jexec -l, so the jail's pkg.conf, ABI and network are used;
// freebsd/pkg src/upgrade.c), the jail's services restart on the new
// binaries and libraries, and the post-check looks at their listeners.
// The base system is not patched here.
func PlanUpdate(ctx context.Context, sys system.System, names []string, all bool, label string, opts Options) (*plan.Plan, error) {
	sts, err := Select(sys, opts.Recipes, names, all)
	if err != nil {
		return nil, err
	}
	if !labelRE.MatchString(label) {
		return nil, fmt.Errorf("bad snapshot label %q", label)
	}
	p := &plan.Plan{Command: "update", Jail: jailList(sts), Preflight: []plan.Finding{}}
	running, known, why := Running(ctx, sys)
	if !known {
		return nil, fmt.Errorf("jls could not run (%s): cannot tell which jails run", why)
	}
	for _, st := range sts {
		if _, up := running[st.Name]; !up {
			p.Notes = append(p.Notes, "jail "+st.Name+" is not running: its packages are not updated (jailkit start "+st.Name+" first)")
			continue
		}
		pending, err := PendingUpdates(ctx, sys, st.Name)
		if err != nil {
			return nil, fmt.Errorf("jail %s: pending updates: %w", st.Name, err)
		}
		if len(pending) == 0 {
			continue
		}
		if err := planJailUpdate(p, sys, st, label, pending, opts); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// planJailUpdate plans the package update of one running jail.
func planJailUpdate(p *plan.Plan, sys system.System, st *state.State, label string, pending []string, opts Options) error {
	ds, err := dataset(st, label)
	if err == nil {
		snap := ds + "@" + label
		conf := state.JailConfPath(st.Name)
		p.Steps = append(p.Steps, plan.Step{Name: "snapshot the root of jail " + st.Name + " as " + snap, Action: plan.ActRun, Argv: []string{"zfs", "snapshot", snap},
			Undo: []plan.Step{
				{Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-r", st.Name}},
				{Action: plan.ActRun, Argv: []string{"zfs", "rollback", snap}},
				{Action: plan.ActRun, Argv: []string{"zfs", "destroy", snap}},
				{Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-c", st.Name}},
			}})
	} else {
		p.Notes = append(p.Notes, "the root of jail "+st.Name+" is not a ZFS dataset: a failure after pkg upgrade cannot take the upgrade back")
	}
	err = record(p, sys, st, "record the update in "+state.StatePath(st.Name), func(extra map[string]string) {
		extra[updatedKey] = label + ": " + strings.Join(pending, " ")
	})
	if err != nil {
		return err
	}
	appendPkgUpgrade(p, sys, st, pending)
	for _, svc := range st.Services {
		p.Steps = append(p.Steps, plan.Step{Name: "restart " + svc + " in jail " + st.Name, Action: plan.ActRun, Argv: []string{"service", "-j", st.Name, svc, "restart"}})
	}
	postCheck(p, sys, st, opts)
	return nil
}

// Update takes the lock, plans the package updates and applies them.
func Update(ctx context.Context, sys system.System, names []string, all bool, label string, opts Options) (*plan.Plan, error) {
	return apply(ctx, sys, opts, func() (*plan.Plan, error) { return PlanUpdate(ctx, sys, names, all, label, opts) })
}
