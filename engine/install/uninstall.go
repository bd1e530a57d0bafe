package install

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// UninstallOptions tune an uninstall.
type UninstallOptions struct {
	LockWait time.Duration
	// OnStep is passed to Apply.
	OnStep func(i, total int, s *plan.Step)
}

// PlanUninstall works out how to remove exactly what the state file of
// jail name says jailkit created: the jail (stopped first), its
// jail.conf.d file, its devfs ruleset, its root and backups, and, when it
// is the last jailkit jail, the shared pieces (the .include line,
// jail_enable, the media cache and shared base, /var/db/jailkit). When
// other jailkit jails remain, the shared pieces are handed to one of them.
func PlanUninstall(ctx context.Context, sys system.System, name string) (*plan.Plan, error) {
	u, err := newUninstaller(sys, name)
	if err != nil {
		return nil, err
	}
	running := u.running(ctx)
	u.makeBackupDir()
	if running {
		u.stopJail()
	}
	if err := u.removeResources(); err != nil {
		return nil, err
	}
	u.resetRCVars()
	if err := u.handOverCreated(); err != nil {
		return nil, err
	}
	if err := u.handOverShared(); err != nil {
		return nil, err
	}
	u.forget()
	// Directories last: removing a tree cannot be undone.
	u.removeDatasets()
	u.removeDirs()
	return u.plan, nil
}

// uninstaller plans the removal of one jail.
type uninstaller struct {
	sys    system.System
	name   string
	st     *state.State   // the jail's state
	others []*state.State // the other jailkit jails' states, by name
	last   bool           // no other jailkit jail remains
	plan   *plan.Plan

	madeBackup bool            // a step creates the backup directory
	backedUp   map[string]bool // host files a step backs up
	// Edits to files jailkit does not own, newest first.
	edited    map[string][]byte
	handOver  []state.Resource // shared resources the heir takes over, newest first
	inherited map[string]bool  // other jails' states whose resources change
	// rc.conf variables to remove, to restore to their old value, and to
	// set back on rollback.
	unset, restore, reset []string
}

// newUninstaller reads the jail's state, refusing one that names what
// jailkit never creates, and the other jailkit jails' states.
func newUninstaller(sys system.System, name string) (*uninstaller, error) {
	if err := recipe.ValidJailName(name); err != nil {
		return nil, &inputerr.FieldError{Field: "NAME", Problem: err.Error(), Hint: "give the name of a jail from jailkit list"}
	}
	st, err := state.ReadState(sys, name)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, &inputerr.FieldError{Field: "NAME", Problem: fmt.Sprintf("jailkit manages no jail named %s", name),
			Hint: "see the jails jailkit manages with: jailkit list"}
	}
	if err := st.Validate(); err != nil {
		return nil, err
	}
	if st.VNet != nil && !state.ValidBridgeName(st.VNet.Bridge) {
		return nil, fmt.Errorf("state file %s gives the bridge %q, which jailkit never uses; refusing to uninstall from it", state.StatePath(st.Name), st.VNet.Bridge)
	}
	all, err := state.ListStates(sys)
	if err != nil {
		return nil, err
	}
	var others []*state.State
	for _, o := range all {
		if o.Name != name {
			others = append(others, o)
		}
	}
	p := &plan.Plan{Command: "uninstall", Jail: name, Recipe: st.Recipe, Release: st.Release, Arch: st.Arch,
		Address: append(append([]string{}, st.IP4...), st.IP6...), Interface: st.Interface, Thin: st.Thin, VNet: st.VNet}
	return &uninstaller{sys: sys, name: name, st: st, others: others, last: len(others) == 0, plan: p,
		backedUp: map[string]bool{}, edited: map[string][]byte{}, inherited: map[string]bool{}}, nil
}

// add appends a step.
func (u *uninstaller) add(s plan.Step) { u.plan.Steps = append(u.plan.Steps, s) }

// running reports whether the jail runs; a jail jls cannot tell about is
// taken as stopped, with a note.
func (u *uninstaller) running(ctx context.Context) bool {
	running := false
	src := &hostcheck.LiveSource{Sys: u.sys}
	if out, err := src.Output(ctx, "jls-json"); err == nil {
		if js, err := freebsd.ParseJlsJSON(out); err == nil {
			for _, j := range js {
				running = running || j.Name == u.name
			}
		}
	} else {
		u.plan.Notes = append(u.plan.Notes, "jls could not run ("+err.Error()+"): the jail is assumed stopped")
	}
	return running
}

// makeBackupDir creates the backup directory when the install left none.
func (u *uninstaller) makeBackupDir() {
	if _, err := u.sys.Lstat(state.BackupDir(u.name)); err != nil {
		u.madeBackup = true
		u.add(plan.Step{Name: "create the backup directory", Action: plan.ActMkdir, Path: state.BackupDir(u.name), Mode: "0700",
			Undo: []plan.Step{{Action: plan.ActRemoveAll, Path: state.BackupDir(u.name)}}})
	}
}

// backup copies a host file into the backup directory, once, before the
// first step that edits it.
func (u *uninstaller) backup(file string) {
	if u.backedUp[file] {
		return
	}
	if _, err := u.sys.Lstat(file); err != nil {
		return
	}
	u.backedUp[file] = true
	// Rolled back, the backup directory holds what it held before:
	// the install's copy, or nothing.
	target := state.BackupPath(u.name, file)
	undo := []plan.Step{{Action: plan.ActRemove, Path: target}}
	if old, err := u.sys.ReadFile(target); err == nil {
		mode := "0600"
		if fi, err := u.sys.Lstat(target); err == nil {
			mode = plan.ModeString(fi.Mode().Perm())
		}
		undo = []plan.Step{{Action: plan.ActWrite, Path: target, Mode: mode, Content: plan.Content(old)}}
	}
	u.add(plan.Step{Name: "back up " + file, Action: plan.ActBackup, Path: file, Target: target, Undo: undo})
}

// stopJail stops the running jail; rolled back, it starts again, and its
// exec.start (/etc/rc) starts its services: a "service start" after it
// would find them running and fail (rc.subr: "already running?").
func (u *uninstaller) stopJail() {
	undo := []plan.Step{{Action: plan.ActRun, Argv: []string{"jail", "-f", u.st.Conf, "-c", u.name}}}
	u.add(plan.Step{Name: "stop jail " + u.name, Action: plan.ActRun, Argv: []string{"jail", "-f", u.st.Conf, "-r", u.name}, Undo: undo})
}

// removers plan the removal of a resource of each kind that goes before
// the state file: newest first, so a file's edits are undone in reverse.
// Datasets and directories go after it (removeDatasets, removeDirs); a
// backup lives in the backup directory, a directory resource.
var removers = map[string]func(*uninstaller, state.Resource) error{
	state.ResFile:   (*uninstaller).removeFile,
	state.ResLine:   (*uninstaller).removeBlock,
	state.ResDevfs:  (*uninstaller).removeBlock,
	state.ResBridge: (*uninstaller).removeBridge,
	state.ResRCVar:  (*uninstaller).removeRCVar,
}

// removeResources removes the jail's resources newest first, setting
// aside the shared ones while another jailkit jail needs them.
func (u *uninstaller) removeResources() error {
	for i := len(u.st.Resources) - 1; i >= 0; i-- {
		r := u.st.Resources[i]
		if r.Shared && !u.last {
			u.handOver = append(u.handOver, r)
			continue
		}
		if remove := removers[r.Kind]; remove != nil {
			if err := remove(u, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeFile removes a host file jailkit created and owns (the
// jail.conf.d file).
func (u *uninstaller) removeFile(r state.Resource) error {
	old, err := u.sys.ReadFile(r.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	u.add(plan.Step{Name: "remove " + r.Path, Action: plan.ActRemove, Path: r.Path,
		Undo: []plan.Step{{Action: plan.ActWrite, Path: r.Path, Mode: "0644", Content: plan.Content(old)}}})
	return nil
}

// removeBlock removes the .include line or the devfs ruleset jailkit
// added to a host file, and the file itself when jailkit created it and
// nothing else is left in it.
func (u *uninstaller) removeBlock(r state.Resource) error {
	old, err := u.read(r.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	next, found := removeText(old, r.Text)
	if !found {
		u.plan.Notes = append(u.plan.Notes, fmt.Sprintf("%s no longer holds what jailkit added; left as it is", r.Path))
		return nil
	}
	u.backup(r.Path)
	u.edited[r.Path] = next
	what := "the .include line"
	if r.Kind == state.ResDevfs {
		what = "the jail's devfs ruleset"
	}
	undo := []plan.Step{{Action: plan.ActWrite, Path: r.Path, Mode: "0644", Content: plan.Content(old)}}
	if r.Created && strings.TrimSpace(string(next)) != "" {
		// Another jail's block keeps the file jailkit created:
		// that jail now removes it once it is empty.
		inheritCreated(u.others, r, u.inherited)
	}
	if r.Created && strings.TrimSpace(string(next)) == "" {
		u.add(plan.Step{Name: "remove " + r.Path + " (jailkit created it for " + what + ")", Action: plan.ActRemove, Path: r.Path, Undo: undo})
	} else {
		u.add(plan.Step{Name: "remove " + what + " from " + r.Path, Action: plan.ActWrite, Path: r.Path, Mode: "0644",
			Content: plan.Content(next), Diff: plan.UnifiedDiff(r.Path, old, next), Undo: undo})
	}
	if r.Kind == state.ResDevfs {
		u.add(plan.Step{Name: "reload the devfs rules", Action: plan.ActRun, Argv: []string{"service", "devfs", "restart"}})
	}
	return nil
}

// read returns a host file as the steps planned so far leave it.
func (u *uninstaller) read(file string) ([]byte, error) {
	if d, ok := u.edited[file]; ok {
		return d, nil
	}
	return u.sys.ReadFile(file)
}

// removeBridge destroys the bridge jailkit created for VNET jails.
func (u *uninstaller) removeBridge(r state.Resource) error {
	// Stopping the jails ran their exec.poststop, which
	// destroyed their epairs; the bridge goes with the last
	// jailkit jail, and comes back if the uninstall rolls back.
	u.add(plan.Step{Name: "destroy bridge " + r.Name + " (jailkit created it for VNET jails; changes host networking)", Action: plan.ActRun,
		Argv: []string{"ifconfig", r.Name, "destroy"},
		Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"ifconfig", r.Name, "create"}},
			{Action: plan.ActRun, Argv: []string{"ifconfig", r.Name, "addm", r.Value, "up"}}}})
	return nil
}

// removeRCVar gathers an rc.conf variable for resetRCVars, which changes
// them all in one sysrc call each way.
func (u *uninstaller) removeRCVar(r state.Resource) error {
	if r.HadOld {
		u.restore = append(u.restore, r.Name+"="+r.Old)
	} else {
		u.unset = append(u.unset, r.Name)
	}
	u.reset = append(u.reset, r.Name+"="+r.Value)
	return nil
}

// resetRCVars removes the rc.conf variables jailkit set and restores the
// ones it changed.
func (u *uninstaller) resetRCVars() {
	if len(u.unset)+len(u.restore) == 0 {
		return
	}
	u.backup("/etc/rc.conf")
	// reset was gathered newest first; set back in the order the
	// install set them, so rolled back rc.conf reads as before.
	slices.Reverse(u.reset)
	undo := []plan.Step{{Action: plan.ActRun, Argv: append([]string{"sysrc"}, u.reset...)}}
	if len(u.unset) > 0 {
		u.add(plan.Step{Name: "remove " + strings.Join(u.unset, " ") + " from the host's rc.conf", Action: plan.ActRun,
			Argv: append([]string{"sysrc", "-x"}, u.unset...), Undo: undo})
		undo = nil
	}
	if len(u.restore) > 0 {
		u.add(plan.Step{Name: "restore " + strings.Join(u.restore, " ") + " in the host's rc.conf", Action: plan.ActRun,
			Argv: append([]string{"sysrc"}, u.restore...), Undo: undo})
	}
}

// handOverCreated rewrites the state of each other jail that inherited a
// file jailkit created, except the heir's, which handOverShared writes.
func (u *uninstaller) handOverCreated() error {
	for _, o := range u.others {
		if !u.inherited[o.Name] || (len(u.handOver) > 0 && o == u.others[0]) {
			continue // the heir's state is written below
		}
		old, err := u.sys.ReadFile(state.StatePath(o.Name))
		if err != nil {
			return err
		}
		u.add(plan.Step{Name: "hand the created files over to jail " + o.Name, Action: plan.ActWrite, Path: state.StatePath(o.Name), Mode: "0644",
			Content: plan.Content(o.Marshal()), Diff: plan.UnifiedDiff(state.StatePath(o.Name), old, o.Marshal()),
			Undo: []plan.Step{{Action: plan.ActWrite, Path: state.StatePath(o.Name), Mode: "0644", Content: plan.Content(old)}}})
	}
	return nil
}

// handOverShared gives the shared resources to the first other jail,
// the heir, so the last jailkit jail out removes them.
func (u *uninstaller) handOverShared() error {
	if len(u.handOver) == 0 && len(u.others) > 0 && u.inherited[u.others[0].Name] {
		u.handOver = []state.Resource{} // write the heir's changed state
	}
	if u.handOver == nil {
		return nil
	}
	heir := u.others[0]
	old, err := u.sys.ReadFile(state.StatePath(heir.Name))
	if err != nil {
		return err
	}
	for i := len(u.handOver) - 1; i >= 0; i-- {
		if !slices.Contains(heir.Resources, u.handOver[i]) {
			heir.Resources = append(heir.Resources, u.handOver[i])
		}
	}
	u.add(plan.Step{Name: "hand the shared resources over to jail " + heir.Name, Action: plan.ActWrite, Path: state.StatePath(heir.Name), Mode: "0644",
		Content: plan.Content(heir.Marshal()), Diff: plan.UnifiedDiff(state.StatePath(heir.Name), old, heir.Marshal()),
		Undo: []plan.Step{{Action: plan.ActWrite, Path: state.StatePath(heir.Name), Mode: "0644", Content: plan.Content(old)}}})
	return nil
}

// forget removes the jail's state file, and the backups this uninstall
// took when it made their directory.
func (u *uninstaller) forget() {
	stOld, _ := u.sys.ReadFile(state.StatePath(u.name))
	u.add(plan.Step{Name: "forget the jail: remove " + state.StatePath(u.name), Action: plan.ActRemove, Path: state.StatePath(u.name),
		Undo: []plan.Step{{Action: plan.ActWrite, Path: state.StatePath(u.name), Mode: "0644", Content: plan.Content(stOld)}}})
	if u.madeBackup {
		u.add(plan.Step{Name: "remove the backups of this uninstall", Action: plan.ActRemoveAll, Path: state.BackupDir(u.name)})
		u.add(plan.Step{Name: "remove " + state.StateDir + "/backup if nothing else is in it", Action: plan.ActRmdir, Path: state.StateDir + "/backup"})
	}
}

// removeDatasets destroys the ZFS datasets jailkit created.
func (u *uninstaller) removeDatasets() {
	for _, r := range u.st.Resources {
		if r.Kind == state.ResDataset {
			u.removeDataset(r)
		}
	}
}

// removeDataset destroys a jail root that is a ZFS dataset.
func (u *uninstaller) removeDataset(r state.Resource) {
	u.add(plan.Step{Name: "clear file flags under " + r.Path, Action: plan.ActRun, Argv: []string{"chflags", "-R", "0", r.Path}})
	u.add(plan.Step{Name: "destroy ZFS dataset " + r.Name, Action: plan.ActRun, Argv: []string{"zfs", "destroy", "-r", r.Name}})
}

// removeDirs removes the directories jailkit created, keeping the shared
// ones while another jailkit jail remains. Deepest first, so a parent is
// only tried once what jailkit put in it is gone.
func (u *uninstaller) removeDirs() {
	var dirs []state.Resource
	for _, r := range u.st.Resources {
		if r.Kind == state.ResDir && (!r.Shared || u.last) {
			dirs = append(dirs, r)
		}
	}
	slices.SortStableFunc(dirs, func(a, b state.Resource) int {
		return strings.Count(b.Path, "/") - strings.Count(a.Path, "/")
	})
	for _, r := range dirs {
		u.removeDir(r)
	}
}

// removeDir removes a directory jailkit created: the whole tree when it
// is jailkit's alone, else the directory only if it is empty.
func (u *uninstaller) removeDir(r state.Resource) {
	if _, err := u.sys.Lstat(r.Path); err != nil {
		return
	}
	if r.Whole {
		u.add(plan.Step{Name: "clear file flags under " + r.Path, Action: plan.ActRun, Argv: []string{"chflags", "-R", "0", r.Path}})
		u.add(plan.Step{Name: "remove " + r.Path, Action: plan.ActRemoveAll, Path: r.Path})
	} else {
		u.add(plan.Step{Name: "remove " + r.Path + " if nothing else is in it", Action: plan.ActRmdir, Path: r.Path})
	}
}

// Uninstall takes the host lock, plans the uninstall and applies it.
func Uninstall(ctx context.Context, sys system.System, name string, opts UninstallOptions) (*plan.Plan, error) {
	if opts.LockWait == 0 {
		opts.LockWait = 10 * time.Second
	}
	unlock, err := plan.Lock(ctx, sys, opts.LockWait)
	if err != nil {
		return nil, err
	}
	defer unlock()
	p, err := PlanUninstall(ctx, sys, name)
	if err != nil {
		return nil, err
	}
	return p, plan.Apply(ctx, sys, p, plan.ApplyOptions{OnStep: opts.OnStep})
}

// inheritCreated passes "jailkit created this file" for r's file on to
// the first other jail that added a block to it, so the last one out
// removes the file instead of leaving it empty.
func inheritCreated(others []*state.State, r state.Resource, inherited map[string]bool) {
	for _, o := range others {
		for i := range o.Resources {
			or := &o.Resources[i]
			if or.Kind == r.Kind && or.Path == r.Path && !or.Created {
				or.Created = true
				inherited[o.Name] = true
				return
			}
		}
	}
}
