package ops

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// snapshotKey prefixes the Extra entries that record the snapshots
// jailkit snapshot took: "snapshot:LABEL".
const snapshotKey = "snapshot:"

// labelRE is a snapshot label jailkit takes: the characters a ZFS name
// component allows, not starting with '-' so zfs(8) cannot read it as an
// option.
var labelRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)

// dataset returns the ZFS dataset of the jail's root; a jail whose root
// is a plain directory cannot be snapshotted, which is bad input.
func dataset(st *state.State, label string) (string, error) {
	if !labelRE.MatchString(label) {
		return "", &inputerr.FieldError{Field: "LABEL", Problem: fmt.Sprintf("%q is not a snapshot label", label),
			Hint: "use letters, digits and _ . : - (up to 64), starting with a letter or digit"}
	}
	if err := st.Validate(); err != nil {
		return "", err
	}
	for _, r := range st.Resources {
		// Only the jail's own dataset, PARENT/NAME, which install made:
		// rollback -r destroys snapshots, and a forged state file must
		// not aim it at another dataset.
		if r.Kind == state.ResDataset && r.Path == st.Path && state.ValidDataset(r.Name) && strings.HasSuffix(r.Name, "/"+st.Name) {
			return r.Name, nil
		}
	}
	return "", &inputerr.FieldError{Field: "NAME", Problem: fmt.Sprintf("the root of jail %s (%s) is not a ZFS dataset jailkit made", st.Name, st.Path),
		Hint: "snapshots need the jails directory on ZFS when the jail is installed"}
}

// snapshotsOf reads jail name's state and returns it with the dataset of
// its root and that dataset's snapshots, oldest first; label must be a
// valid snapshot label.
func snapshotsOf(ctx context.Context, sys system.System, name, label string) (*state.State, string, []string, error) {
	st, err := readState(sys, name)
	if err != nil {
		return nil, "", nil, err
	}
	ds, err := dataset(st, label)
	if err != nil {
		return nil, "", nil, err
	}
	have, err := snapshots(ctx, sys, ds)
	return st, ds, have, err
}

// snapshots lists the snapshots of ds, oldest first.
func snapshots(ctx context.Context, sys system.System, ds string) ([]string, error) {
	out, err := sys.Run(ctx, system.Cmd{Argv: []string{"zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-s", "createtxg", "-d", "1", ds}})
	if err != nil {
		return nil, fmt.Errorf("list the snapshots of %s: %w", ds, err)
	}
	return strings.Fields(string(out)), nil
}

// PlanSnapshot plans a ZFS snapshot of jail name's root, DATASET@LABEL
// (zfs snapshot; OpenZFS cmd/zfs/zfs_main.c, zfs_do_snapshot), recorded
// in the state file. Rolled back, the snapshot is destroyed. A snapshot
// that exists already is left alone, so a second run changes nothing.
func PlanSnapshot(ctx context.Context, sys system.System, name, label string) (*plan.Plan, error) {
	st, ds, have, err := snapshotsOf(ctx, sys, name, label)
	if err != nil {
		return nil, err
	}
	p := &plan.Plan{Command: "snapshot", Jail: name, Recipe: st.Recipe, Preflight: []plan.Finding{}}
	snap := ds + "@" + label
	if !slices.Contains(have, snap) {
		p.Steps = append(p.Steps, plan.Step{Name: "snapshot the jail root as " + snap, Action: plan.ActRun, Argv: []string{"zfs", "snapshot", snap},
			Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"zfs", "destroy", snap}}}})
	}
	err = record(p, sys, st, "record the snapshot in "+state.StatePath(st.Name),
		func(extra map[string]string) { extra[snapshotKey+label] = "taken by jailkit snapshot" })
	return p, err
}

// Snapshot takes the lock, plans the snapshot and applies it.
func Snapshot(ctx context.Context, sys system.System, name, label string, opts Options) (*plan.Plan, error) {
	return apply(ctx, sys, opts, func() (*plan.Plan, error) { return PlanSnapshot(ctx, sys, name, label) })
}

// record writes the jail's state file with edit applied to its Extra,
// when that changes it, in a step named what; rolled back, the file is
// written back as it was.
func record(p *plan.Plan, sys system.System, st *state.State, what string, edit func(map[string]string)) error {
	return recordState(p, sys, st, what, func(next *state.State) {
		if next.Extra == nil {
			next.Extra = map[string]string{}
		}
		edit(next.Extra)
		if len(next.Extra) == 0 {
			next.Extra = nil
		}
	})
}

// recordState plans writing the jail's state as edit changes a copy of
// it (Extra cloned), when that changes the file.
func recordState(p *plan.Plan, sys system.System, st *state.State, what string, edit func(*state.State)) error {
	old, err := sys.ReadFile(state.StatePath(st.Name))
	if err != nil {
		return err
	}
	next := *st
	next.Extra = maps.Clone(st.Extra)
	edit(&next)
	data := next.Marshal()
	if string(old) == string(data) {
		return nil
	}
	p.Steps = append(p.Steps, plan.Step{Name: what, Action: plan.ActWrite, Path: state.StatePath(st.Name), Mode: "0644",
		Content: plan.Content(data), Diff: plan.UnifiedDiff(state.StatePath(st.Name), old, data),
		Undo: []plan.Step{{Action: plan.ActWrite, Path: state.StatePath(st.Name), Mode: "0644", Content: plan.Content(old)}}})
	return nil
}
