package ops

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// upgradedKey records in Extra the last release upgrade.
const upgradedKey = "upgraded"

// etcTrees are the directories of a base whose files etcupdate merges
// into a thin jail's own copies: the configuration a thin jail copied
// from the shared base when it was installed (/var, /tmp and /dev hold
// no stock files to merge).
var etcTrees = []string{"etc", "root"}

// upgradeWorkdir is etcupdate's work directory for a jail's upgrade, on
// the host (the default, DESTDIR/var/db/etcupdate, would be in the
// jail's own /var).
func upgradeWorkdir(name string) string { return path.Join(state.StateDir, "etcupdate-"+name) }

// releaseNumRE reads the major and minor number of a release.
var releaseNumRE = regexp.MustCompile(`^([0-9]+)\.([0-9]+)-`)

// bareReleaseRE is a release given by its number alone (15.0), which
// means its RELEASE build as freebsd-update -r reads it
// (config_TargetRelease); patchLevelRE is a patch level's suffix.
var bareReleaseRE, patchLevelRE = regexp.MustCompile(`^[0-9]+\.[0-9]+$`), regexp.MustCompile(`-p[0-9]+$`)

// releaseOrder compares two releases by their numbers: -1, 0 or 1.
func releaseOrder(a, b string) int {
	ma, mb := releaseNumRE.FindStringSubmatch(a), releaseNumRE.FindStringSubmatch(b)
	if ma == nil || mb == nil {
		return strings.Compare(a, b)
	}
	for i := 1; i <= 2; i++ {
		x, _ := strconv.Atoi(ma[i])
		y, _ := strconv.Atoi(mb[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// UpgradeOptions are what jailkit upgrade takes beyond Options.
type UpgradeOptions struct {
	Release string // the release to move to, such as 15.0-RELEASE (15.0 is enough)
	Mirror  string // where release media come from; install.DefaultMirror when ""
	Label   string // the ZFS snapshot taken first when the root is a dataset
}

// PlanUpgrade plans moving thin jail name to another release. The new
// release's media are fetched and verified and its shared base
// extracted and patched beside the old one, as a thin install does
// (install.PlanSharedBase). The jail's own /etc and /root are then
// merged with etcupdate (usr.sbin/etcupdate/etcupdate.sh): extract -t
// records the old base's stock files as the common ancestor, and
// update -t merges the new base's into the stopped jail's root (-D), a
// copy of the jail's files kept first. etcupdate status must list no
// conflict ("  C /path"): one stops the upgrade and rolls everything
// back before the jail is switched. Then the state records the release,
// the jail's jail.conf.d file mounts the new base, the jail starts and
// its listeners are checked on the old packages; pkg upgrade -f
// reinstalls every package for the new release's ABI (freebsd/pkg
// src/upgrade.c, -f: PKG_FLAG_FORCE), the services restart and are
// checked again. The old base is kept. A jail already on the release
// needs nothing.
func PlanUpgrade(ctx context.Context, sys system.System, name string, uo UpgradeOptions, opts Options) (*plan.Plan, error) {
	st, err := readState(sys, name)
	if err != nil {
		return nil, err
	}
	if err := st.Validate(); err != nil {
		return nil, err
	}
	rel, err := upgradeTarget(st, uo.Release)
	if err != nil {
		return nil, err
	}
	p := &plan.Plan{Command: "upgrade", Jail: st.Name, Preflight: []plan.Finding{}}
	if rel == st.Release {
		p.Notes = append(p.Notes, "jail "+st.Name+" is on "+rel+" already")
		return p, nil
	}
	running, known, why := Running(ctx, sys)
	if !known {
		return nil, fmt.Errorf("jls could not run (%s): cannot tell whether jail %s runs", why, st.Name)
	}
	if _, up := running[st.Name]; !up {
		return nil, &inputerr.FieldError{Field: "NAME", Problem: "jail " + st.Name + " is not running: its packages are reinstalled inside it",
			Hint: "jailkit start " + st.Name + " first"}
	}
	wd := upgradeWorkdir(st.Name)
	if _, err := sys.Lstat(wd); err == nil {
		return nil, &inputerr.FieldError{Field: "NAME", Problem: wd + " is left from an earlier upgrade of jail " + st.Name,
			Hint: "see what it holds with etcupdate status -D " + st.Path + " -d " + wd + ", then remove it"}
	}
	if !snapshotFirst(p, st, uo.Label) {
		p.Notes = append(p.Notes, "the root of jail "+st.Name+" is not a ZFS dataset: a failure after pkg upgrade -f leaves the packages of "+rel+
			" on the old base, and a rollback leaves the files "+rel+" adds to /etc")
	}
	oldBase := BaseOf(st)
	next, err := install.PlanSharedBase(ctx, sys, p, jailsDirOf(st), uo.Mirror, rel, st.Arch)
	if err != nil {
		return nil, err
	}
	if len(p.Steps) > 0 && p.Steps[len(p.Steps)-1].Argv != nil && p.Steps[len(p.Steps)-1].Argv[0] == "freebsd-update" {
		if err := checkSecurelevel(p, sys, []string{st.Name}); err != nil {
			return nil, err
		}
	}
	planMerge(p, st, oldBase, next, wd)
	if err := planSwitchRelease(p, sys, st, rel, oldBase, next); err != nil {
		return nil, err
	}
	postCheck(p, sys, st, opts)
	p.Steps = append(p.Steps, plan.Step{Name: "reinstall the packages of jail " + st.Name + " for " + rel, Action: plan.ActRun,
		Argv: []string{"jexec", "-l", st.Name, "/usr/local/sbin/pkg", "upgrade", "-f", "-y"}, Progress: true})
	for _, svc := range st.Services {
		p.Steps = append(p.Steps, plan.Step{Name: "restart " + svc + " in jail " + st.Name, Action: plan.ActRun, Argv: []string{"service", "-j", st.Name, svc, "restart"}})
	}
	postCheck(p, sys, st, opts)
	p.Steps = append(p.Steps, plan.Step{Name: "remove the etcupdate work directory " + wd, Action: plan.ActRemoveAll, Path: wd})
	u := &updater{p: p, sys: sys, bases: map[string]string{oldBase: next}, moved: map[string]bool{st.Name: true}}
	u.noteOldBases()
	return p, nil
}

// upgradeTarget reads the release to upgrade to: a later one than the
// jail's, of the thin jail's architecture.
func upgradeTarget(st *state.State, release string) (string, error) {
	if bareReleaseRE.MatchString(release) {
		release += "-RELEASE"
	}
	if err := render.ValidRelease(release); err != nil {
		return "", &inputerr.FieldError{Field: "--release", Problem: err.Error(), Hint: "give a release such as 15.0-RELEASE"}
	}
	if patchLevelRE.MatchString(release) {
		return "", &inputerr.FieldError{Field: "--release", Problem: release + " names a patch level", Hint: "give the release (such as 15.0-RELEASE); jailkit update applies its patches"}
	}
	if !st.Thin {
		return "", &inputerr.FieldError{Field: "NAME", Problem: "jail " + st.Name + " is thick: jailkit upgrade moves thin jails to a new shared base",
			Hint: "freebsd-update -b " + st.Path + " -r RELEASE upgrade is interactive (it asks and may open an editor); install a thin jail of the new release instead"}
	}
	if releaseOrder(release, st.Release) < 0 {
		return "", &inputerr.FieldError{Field: "--release", Problem: fmt.Sprintf("%s is older than the jail's %s", release, st.Release),
			Hint: "jailkit upgrades to a later release only; roll back with jailkit rollback on ZFS"}
	}
	return release, nil
}

// planMerge plans etcupdate's three-way merge of the new base's /etc and
// /root into the jail's own, stopped, and the check that it left no
// conflict. Rolled back, the jail's copies are put back from the copy
// taken first and the jail starts again.
func planMerge(p *plan.Plan, st *state.State, oldBase, next, wd string) {
	root := st.Path
	oldTar, newTar, backup := path.Join(wd, "old.tar"), path.Join(wd, "new.tar"), path.Join(wd, "backup")
	// The account databases are left out, as etcupdate's own trees leave
	// them out (build_tree: rm -f etc/*.db etc/passwd): pwd_mkdb makes
	// them from master.passwd, which is merged (post_install_file).
	tarOf := func(base, out string) []string {
		return append([]string{"tar", "-c", "-f", out, "-C", base, "--exclude", "etc/passwd", "--exclude", "etc/*.db"}, etcTrees...)
	}
	var own, saved []string
	for _, d := range etcTrees {
		own = append(own, path.Join(root, d))
		saved = append(saved, path.Join(backup, d))
	}
	// The copy's undo puts the jail's files back over what etcupdate
	// changed: a failed step's commands are not undone, so this is on
	// the step before the merge, not the merge. A file the new release
	// adds stays (the plan says so).
	// Put back through os.Root, not cp: the jail ran between the copy
	// and a failure, and could have made its /etc a link to the host's.
	var inJail []string
	for _, d := range etcTrees {
		inJail = append(inJail, "/"+d)
	}
	restore := []plan.Step{{Action: plan.ActRestoreTree, Root: root, Path: backup, Paths: inJail}}
	p.Steps = append(p.Steps,
		plan.Step{Name: "create the etcupdate work directory " + wd, Action: plan.ActMkdir, Path: backup, Mode: "0700",
			Undo: []plan.Step{{Action: plan.ActRemoveAll, Path: wd}}},
		plan.Step{Name: "pack the stock /etc and /root of " + oldBase, Action: plan.ActRun, Argv: tarOf(oldBase, oldTar)},
		plan.Step{Name: "pack the stock /etc and /root of " + next, Action: plan.ActRun, Argv: tarOf(next, newTar)},
		plan.Step{Name: "record the stock files of " + st.Release + " as etcupdate's common ancestor", Action: plan.ActRun,
			Argv: []string{"etcupdate", "extract", "-D", root, "-d", wd, "-t", oldTar}})
	stopJail(p, st)
	p.Steps = append(p.Steps,
		// etcupdate and cp run on the host by path: a link the jail
		// planted where the release has a directory or a file (its /etc
		// a link to the host's) would lead them onto the host.
		plan.Step{Name: "check that jail " + st.Name + "'s /etc and /root hold no link where the new release has a file or directory",
			Action: plan.ActSameTypes, Root: root, Path: next, Paths: inJail},
		plan.Step{Name: "keep a copy of the own /etc and /root of jail " + st.Name, Action: plan.ActRun, Argv: append(append([]string{"cp", "-Rp"}, own...), backup),
			Undo: restore},
		plan.Step{Name: "merge the new release's /etc and /root into jail " + st.Name, Action: plan.ActRun,
			Argv: []string{"etcupdate", "-D", root, "-d", wd, "-t", newTar}},
		plan.Step{Name: "check that etcupdate left no conflict in jail " + st.Name, Action: plan.ActCheck,
			Argv: []string{"etcupdate", "status", "-D", root, "-d", wd}, Refuse: "  C "})
}

// planSwitchRelease records the new release, mounts the new base in the
// jail's jail.conf.d file and starts the jail on it.
func planSwitchRelease(p *plan.Plan, sys system.System, st *state.State, rel, oldBase, next string) error {
	err := recordState(p, sys, st, "record release "+rel+" in "+state.StatePath(st.Name), func(n *state.State) {
		n.Release = rel
		if n.Extra == nil {
			n.Extra = map[string]string{}
		}
		delete(n.Extra, install.BaseKey)
		if next != install.BaseDir(jailsDirOf(st), rel, st.Arch) {
			// A patched generation of the new release.
			n.Extra[install.BaseKey] = next
		}
		n.Extra[upgradedKey] = st.Release + " to " + rel
	})
	if err != nil {
		return err
	}
	if err := planSwitch(p, sys, st, oldBase, next, false); err != nil {
		return err
	}
	startJail(p, st)
	return nil
}

// Upgrade takes the lock, plans the upgrade and applies it.
func Upgrade(ctx context.Context, sys system.System, name string, uo UpgradeOptions, opts Options) (*plan.Plan, error) {
	return apply(ctx, sys, opts, func() (*plan.Plan, error) { return PlanUpgrade(ctx, sys, name, uo, opts) })
}
