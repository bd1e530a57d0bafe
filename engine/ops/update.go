package ops

import (
	"context"
	"fmt"
	"iter"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/hostcheck/freebsd"

	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// updatedKey records in Extra the last package update: its label and
// the packages it upgraded.
const updatedKey = "updated"

// PlanUpdate plans the updates of the selected jails, in start order:
// first each jail's base, then its packages.
//
// A thick jail's base is patched in place with freebsd-update -b ROOT
// -d WORKDIR --currently-running VERSION (the jail's own
// /bin/freebsd-version, -pN included), with a work directory of its
// own. Thin jails share a base: it is patched once, side by side, as a
// copy beside it (templates/RELEASE-ARCH.N), and each selected thin jail
// on it then mounts the copy (its jail.conf.d file rewritten, the jail
// stopped and started). The old base is kept: other jails may still use
// it, and switching back is rollback. Whether a base has patches is
// asked of freebsd-update fetch while planning; a base with none is left
// alone, so a second update changes nothing. A host securelevel above 0
// refuses a base update before anything changes (JK-HOST-090).
//
// Then each running jail's own pkg says what its repository has newer
// (PendingUpdates) and pkg upgrade -y runs inside the jail (jexec -l,
// so the jail's pkg.conf, ABI and network are used; freebsd/pkg
// src/upgrade.c). A jail whose base was patched restarts whole; one with
// new packages only restarts its services; the post-check looks at
// their listeners. When the jail root is a ZFS dataset, a snapshot LABEL
// comes first and is what rollback returns to (the jail stopped, the
// root rolled back, the snapshot destroyed, the jail started);
// otherwise a failure after pkg upgrade leaves the upgraded packages.
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
	u := &updater{ctx: ctx, p: p, sys: sys, label: label, opts: opts, bases: map[string]string{}}
	for _, st := range sts {
		if err := u.jail(st, running); err != nil {
			return nil, err
		}
	}
	if err := checkSecurelevel(p, sys, u.patched); err != nil {
		return nil, err
	}
	u.noteOldBases()
	return p, nil
}

// updater plans the update of one jail after another.
type updater struct {
	ctx   context.Context
	p     *plan.Plan
	sys   system.System
	label string
	opts  Options
	// bases maps a thin base to its patched copy ("" when it has no
	// patches), so it is patched once for all its jails.
	bases map[string]string
	// patched names the jails whose base is patched; moved the thin
	// jails moved off a base.
	patched []string
	moved   map[string]bool
}

// jail plans the update of one jail.
func (u *updater) jail(st *state.State, running map[string]freebsd.Jail) error {
	_, up := running[st.Name]
	var pending []string
	if up {
		var err error
		if pending, err = PendingUpdates(u.ctx, u.sys, st.Name); err != nil {
			return fmt.Errorf("jail %s: pending updates: %w", st.Name, err)
		}
	} else {
		u.p.Notes = append(u.p.Notes, "jail "+st.Name+" is not running: its packages are not updated (jailkit start "+st.Name+" first)")
	}
	var thick *basePatch
	next := ""
	var err error
	if st.Thin {
		next, err = u.thinBase(st)
	} else {
		thick, err = planBasePatch(u.ctx, u.p, u.sys, st, st.Path, path.Join(UpdateWorkdirs, "jailkit-"+st.Name))
	}
	if err != nil {
		return err
	}
	if thick == nil && next == "" && len(pending) == 0 {
		return nil
	}
	if thick != nil || next != "" {
		u.patched = append(u.patched, st.Name)
	}
	return u.steps(st, up, thick, next, pending)
}

// thinBase returns the patched copy of a thin jail's base, planning it
// for the first jail on that base; "" when the base has no patches.
func (u *updater) thinBase(st *state.State) (string, error) {
	old := BaseOf(st)
	if next, done := u.bases[old]; done {
		return next, nil
	}
	u.bases[old] = ""
	wd := path.Join(UpdateWorkdirs, "jailkit-"+path.Base(install.BaseDir(jailsDirOf(st), st.Release, st.Arch)))
	b, err := planBasePatch(u.ctx, u.p, u.sys, st, old, wd)
	if err != nil || b == nil {
		return "", err
	}
	next := nextBase(u.sys, st)
	// Two old bases of one release patched in one run each get their
	// own generation: the host shows neither yet.
	for taken(u.bases, next) {
		next = bumpGeneration(next)
	}
	if err := planNewBase(u.p, u.sys, b, next); err != nil {
		return "", err
	}
	u.bases[old] = next
	return next, nil
}

// steps plans one jail's update: snapshot, record, base, packages,
// restarts and post-check.
func (u *updater) steps(st *state.State, up bool, thick *basePatch, next string, pending []string) error {
	p := u.p
	if !snapshotFirst(p, st, u.label) && len(pending) > 0 {
		p.Notes = append(p.Notes, "the root of jail "+st.Name+" is not a ZFS dataset: a failure after pkg upgrade cannot take the upgrade back")
	}
	old := BaseOf(st)
	err := record(p, u.sys, st, "record the update in "+state.StatePath(st.Name), func(extra map[string]string) {
		if len(pending) > 0 {
			extra[updatedKey] = u.label + ": " + strings.Join(pending, " ")
		}
		switch {
		case thick != nil:
			extra[baseUpdatedKey] = u.label + ": " + thick.running + " to " + thick.target
		case next != "":
			extra[baseUpdatedKey] = u.label + ": " + old + " to " + next
			extra[install.BaseKey] = next
		}
	})
	if err != nil {
		return err
	}
	if thick != nil {
		thick.steps(p, u.sys, st.Path)
	}
	if next != "" {
		if err := planSwitch(p, u.sys, st, old, next, up); err != nil {
			return err
		}
		if u.moved == nil {
			u.moved = map[string]bool{}
		}
		u.moved[st.Name] = true
	}
	if !up {
		return nil
	}
	if len(pending) > 0 {
		appendPkgUpgrade(p, st, pending)
	}
	if thick != nil {
		p.Steps = append(p.Steps, plan.Step{Name: "restart jail " + st.Name + " on its patched base", Action: plan.ActRun,
			Argv: []string{"jail", "-f", state.JailConfPath(st.Name), "-rc", st.Name}})
	} else if len(pending) > 0 {
		for _, svc := range st.Services {
			p.Steps = append(p.Steps, plan.Step{Name: "restart " + svc + " in jail " + st.Name, Action: plan.ActRun, Argv: []string{"service", "-j", st.Name, svc, "restart"}})
		}
	}
	postCheck(p, u.sys, st, u.opts)
	return nil
}

// noteOldBases says which shared bases the update leaves behind: kept
// while a jail still mounts them, and kept but unused otherwise (they
// are what a jail would switch back to; jailkit does not remove a base
// it cannot put back).
func (u *updater) noteOldBases() {
	if len(u.moved) == 0 {
		return
	}
	all, err := state.ListStates(u.sys)
	if err != nil {
		u.p.Notes = append(u.p.Notes, "the jails still on the old bases could not be listed: "+err.Error())
		return
	}
	for old, next := range sortedMap(u.bases) {
		if next == "" {
			continue
		}
		var users []string
		for _, st := range all {
			if st.Thin && !u.moved[st.Name] && BaseOf(st) == old {
				users = append(users, st.Name)
			}
		}
		if len(users) > 0 {
			u.p.Notes = append(u.p.Notes, "the previous base "+old+" is kept: jails "+strings.Join(users, ", ")+" still mount it (jailkit update them too)")
		} else {
			u.p.Notes = append(u.p.Notes, "the previous base "+old+" is kept, unused now: remove it with chflags -R 0 "+old+" and rm -rf "+old+" once the jails run well on "+next)
		}
	}
}

// Update takes the lock, plans the package updates and applies them.
func Update(ctx context.Context, sys system.System, names []string, all bool, label string, opts Options) (*plan.Plan, error) {
	return apply(ctx, sys, opts, func() (*plan.Plan, error) { return PlanUpdate(ctx, sys, names, all, label, opts) })
}

// sortedMap yields m's entries in key order, so plans come out the same
// every time.
func sortedMap(m map[string]string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

// snapshotFirst plans a snapshot LABEL of the jail root when it is a ZFS
// dataset, which rollback returns to (the jail stopped, the root rolled
// back, the snapshot destroyed, the jail started), and says whether it
// did.
func snapshotFirst(p *plan.Plan, st *state.State, label string) bool {
	ds, err := dataset(st, label)
	if err != nil {
		return false
	}
	snap := ds + "@" + label
	conf := state.JailConfPath(st.Name)
	p.Steps = append(p.Steps, plan.Step{Name: "snapshot the root of jail " + st.Name + " as " + snap, Action: plan.ActRun, Argv: []string{"zfs", "snapshot", snap},
		Undo: []plan.Step{
			{Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-r", st.Name}},
			{Action: plan.ActRun, Argv: []string{"zfs", "rollback", snap}},
			{Action: plan.ActRun, Argv: []string{"zfs", "destroy", snap}},
			{Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-c", st.Name}},
		}})
	return true
}

// taken says whether a planned base already uses dir.
func taken(bases map[string]string, dir string) bool {
	for _, b := range bases {
		if b == dir {
			return true
		}
	}
	return false
}

// bumpGeneration turns templates/REL-ARCH.N into .N+1.
func bumpGeneration(dir string) string {
	i := strings.LastIndexByte(dir, '.')
	n, err := strconv.Atoi(dir[i+1:])
	if i < 0 || err != nil {
		return dir + ".2"
	}
	return dir[:i+1] + strconv.Itoa(n+1)
}
