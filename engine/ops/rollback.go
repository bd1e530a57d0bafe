package ops

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// rolledBackKey records in Extra the snapshot jailkit rollback last went
// back to.
const rolledBackKey = "rolled_back_to"

// PlanRollback plans rolling jail name's root back to its snapshot
// LABEL: a running jail is stopped first and started again after, with
// the post-check of its listeners. zfs rollback refuses while newer
// snapshots exist and destroys them with -r (OpenZFS cmd/zfs/zfs_main.c,
// zfs_do_rollback, getopt "rRf"), so newer snapshots need force. The
// rollback itself cannot be undone: a step after it that fails stops
// the rollback of the plan there, with the jail started again. A root
// with nothing written since the snapshot (zfs get written@LABEL is 0)
// and no newer snapshots needs no change.
func PlanRollback(ctx context.Context, sys system.System, name, label string, force bool, opts Options) (*plan.Plan, error) {
	st, ds, have, err := snapshotsOf(ctx, sys, name, label)
	if err != nil {
		return nil, err
	}
	snap := ds + "@" + label
	i := slices.Index(have, snap)
	if i < 0 {
		return nil, &inputerr.FieldError{Field: "LABEL", Problem: fmt.Sprintf("jail %s has no snapshot %s", name, label),
			Hint: "its snapshots: " + labels(have, ds)}
	}
	younger := have[i+1:]
	if len(younger) > 0 && !force {
		return nil, &inputerr.FieldError{Field: "LABEL", Problem: fmt.Sprintf("rolling jail %s back to %s destroys the newer snapshots %s", name, label, labels(younger, ds)),
			Hint: "give --force to destroy them"}
	}
	p := &plan.Plan{Command: "rollback", Jail: name, Recipe: st.Recipe, Preflight: []plan.Finding{}}
	out, err := sys.Run(ctx, system.Cmd{Argv: []string{"zfs", "get", "-H", "-p", "-o", "value", "written@" + label, ds}})
	if err != nil {
		return nil, fmt.Errorf("read what was written since %s: %w", snap, err)
	}
	if strings.TrimSpace(string(out)) == "0" && len(younger) == 0 {
		return p, nil // the root is the snapshot already
	}
	running, known, why := Running(ctx, sys)
	if !known {
		return nil, fmt.Errorf("jls could not run (%s): cannot tell whether jail %s runs", why, name)
	}
	_, up := running[st.Name]
	if up {
		stopJail(p, st)
	}
	err = record(p, sys, st, "record the rollback in "+state.StatePath(st.Name), func(extra map[string]string) {
		extra[rolledBackKey] = label
		for _, y := range younger {
			delete(extra, snapshotKey+strings.TrimPrefix(y, ds+"@"))
		}
	})
	if err != nil {
		return nil, err
	}
	argv := []string{"zfs", "rollback", snap}
	if len(younger) > 0 {
		argv = []string{"zfs", "rollback", "-r", snap}
	}
	p.Steps = append(p.Steps, plan.Step{Name: "roll the jail root back to " + snap + " (this cannot be undone)", Action: plan.ActRun, Argv: argv})
	if up {
		startJail(p, st)
		postCheck(p, sys, st, opts)
	}
	return p, nil
}

// Rollback takes the lock, plans the rollback and applies it.
func Rollback(ctx context.Context, sys system.System, name, label string, force bool, opts Options) (*plan.Plan, error) {
	return apply(ctx, sys, opts, func() (*plan.Plan, error) { return PlanRollback(ctx, sys, name, label, force, opts) })
}

// labels shows snapshot names without their dataset.
func labels(snaps []string, ds string) string {
	if len(snaps) == 0 {
		return "none"
	}
	out := make([]string, len(snaps))
	for i, s := range snaps {
		out[i] = strings.TrimPrefix(s, ds+"@")
	}
	return strings.Join(out, ", ")
}
