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
	add := func(s plan.Step) { p.Steps = append(p.Steps, s) }

	running := false
	src := &hostcheck.LiveSource{Sys: sys}
	if out, err := src.Output(ctx, "jls-json"); err == nil {
		if js, err := hostcheck.ParseJlsJSON(out); err == nil {
			for _, j := range js {
				running = running || j.Name == name
			}
		}
	} else {
		p.Notes = append(p.Notes, "jls could not run ("+err.Error()+"): the jail is assumed stopped")
	}

	madeBackup := false
	if _, err := sys.Lstat(state.BackupDir(name)); err != nil {
		madeBackup = true
		add(plan.Step{Name: "create the backup directory", Action: plan.ActMkdir, Path: state.BackupDir(name), Mode: "0700",
			Undo: []plan.Step{{Action: plan.ActRemoveAll, Path: state.BackupDir(name)}}})
	}
	backedUp := map[string]bool{}
	backup := func(file string) {
		if backedUp[file] {
			return
		}
		if _, err := sys.Lstat(file); err != nil {
			return
		}
		backedUp[file] = true
		// Rolled back, the backup directory holds what it held before:
		// the install's copy, or nothing.
		target := state.BackupPath(name, file)
		undo := []plan.Step{{Action: plan.ActRemove, Path: target}}
		if old, err := sys.ReadFile(target); err == nil {
			mode := "0600"
			if fi, err := sys.Lstat(target); err == nil {
				mode = plan.ModeString(fi.Mode().Perm())
			}
			undo = []plan.Step{{Action: plan.ActWrite, Path: target, Mode: mode, Content: plan.Content(old)}}
		}
		add(plan.Step{Name: "back up " + file, Action: plan.ActBackup, Path: file, Target: target, Undo: undo})
	}

	if running {
		undo := []plan.Step{{Action: plan.ActRun, Argv: []string{"jail", "-f", st.Conf, "-c", name}}}
		for _, svc := range st.Services {
			undo = append(undo, plan.Step{Action: plan.ActRun, Argv: []string{"service", "-j", name, svc, "start"}})
		}
		add(plan.Step{Name: "stop jail " + name, Action: plan.ActRun, Argv: []string{"jail", "-f", st.Conf, "-r", name}, Undo: undo})
	}

	last := len(others) == 0
	var handOver []state.Resource
	// Edits to files jailkit does not own, newest first.
	edited := map[string][]byte{}
	read := func(file string) ([]byte, error) {
		if d, ok := edited[file]; ok {
			return d, nil
		}
		return sys.ReadFile(file)
	}
	var unset, restore, reset []string
	inherited := map[string]bool{} // other jails' states whose resources change
	for i := len(st.Resources) - 1; i >= 0; i-- {
		r := st.Resources[i]
		if r.Shared && !last {
			handOver = append(handOver, r)
			continue
		}
		switch r.Kind {
		case state.ResFile:
			old, err := sys.ReadFile(r.Path)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			add(plan.Step{Name: "remove " + r.Path, Action: plan.ActRemove, Path: r.Path,
				Undo: []plan.Step{{Action: plan.ActWrite, Path: r.Path, Mode: "0644", Content: plan.Content(old)}}})
		case state.ResLine, state.ResDevfs:
			old, err := read(r.Path)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			next, found := removeText(old, r.Text)
			if !found {
				p.Notes = append(p.Notes, fmt.Sprintf("%s no longer holds what jailkit added; left as it is", r.Path))
				continue
			}
			backup(r.Path)
			edited[r.Path] = next
			what := "the .include line"
			if r.Kind == state.ResDevfs {
				what = "the jail's devfs ruleset"
			}
			undo := []plan.Step{{Action: plan.ActWrite, Path: r.Path, Mode: "0644", Content: plan.Content(old)}}
			if r.Created && strings.TrimSpace(string(next)) != "" {
				// Another jail's block keeps the file jailkit created:
				// that jail now removes it once it is empty.
				inheritCreated(others, r, inherited)
			}
			if r.Created && strings.TrimSpace(string(next)) == "" {
				add(plan.Step{Name: "remove " + r.Path + " (jailkit created it for " + what + ")", Action: plan.ActRemove, Path: r.Path, Undo: undo})
			} else {
				add(plan.Step{Name: "remove " + what + " from " + r.Path, Action: plan.ActWrite, Path: r.Path, Mode: "0644",
					Content: plan.Content(next), Diff: plan.UnifiedDiff(r.Path, old, next), Undo: undo})
			}
			if r.Kind == state.ResDevfs {
				add(plan.Step{Name: "reload the devfs rules", Action: plan.ActRun, Argv: []string{"service", "devfs", "restart"}})
			}
		case state.ResBridge:
			// Stopping the jails ran their exec.poststop, which
			// destroyed their epairs; the bridge goes with the last
			// jailkit jail, and comes back if the uninstall rolls back.
			add(plan.Step{Name: "destroy bridge " + r.Name + " (jailkit created it for VNET jails; changes host networking)", Action: plan.ActRun,
				Argv: []string{"ifconfig", r.Name, "destroy"},
				Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"ifconfig", r.Name, "create"}},
					{Action: plan.ActRun, Argv: []string{"ifconfig", r.Name, "addm", r.Value, "up"}}}})
		case state.ResRCVar:
			if r.HadOld {
				restore = append(restore, r.Name+"="+r.Old)
			} else {
				unset = append(unset, r.Name)
			}
			reset = append(reset, r.Name+"="+r.Value)
		}
	}
	if len(unset)+len(restore) > 0 {
		backup("/etc/rc.conf")
		// reset was gathered newest first; set back in the order the
		// install set them, so rolled back rc.conf reads as before.
		slices.Reverse(reset)
		undo := []plan.Step{{Action: plan.ActRun, Argv: append([]string{"sysrc"}, reset...)}}
		if len(unset) > 0 {
			add(plan.Step{Name: "remove " + strings.Join(unset, " ") + " from the host's rc.conf", Action: plan.ActRun,
				Argv: append([]string{"sysrc", "-x"}, unset...), Undo: undo})
			undo = nil
		}
		if len(restore) > 0 {
			add(plan.Step{Name: "restore " + strings.Join(restore, " ") + " in the host's rc.conf", Action: plan.ActRun,
				Argv: append([]string{"sysrc"}, restore...), Undo: undo})
		}
	}
	for _, o := range others {
		if !inherited[o.Name] || (len(handOver) > 0 && o == others[0]) {
			continue // the heir's state is written below
		}
		old, err := sys.ReadFile(state.StatePath(o.Name))
		if err != nil {
			return nil, err
		}
		add(plan.Step{Name: "hand the created files over to jail " + o.Name, Action: plan.ActWrite, Path: state.StatePath(o.Name), Mode: "0644",
			Content: plan.Content(o.Marshal()), Diff: plan.UnifiedDiff(state.StatePath(o.Name), old, o.Marshal()),
			Undo: []plan.Step{{Action: plan.ActWrite, Path: state.StatePath(o.Name), Mode: "0644", Content: plan.Content(old)}}})
	}
	if len(handOver) == 0 && len(others) > 0 && inherited[others[0].Name] {
		handOver = []state.Resource{} // write the heir's changed state
	}
	if handOver != nil {
		heir := others[0]
		old, err := sys.ReadFile(state.StatePath(heir.Name))
		if err != nil {
			return nil, err
		}
		for i := len(handOver) - 1; i >= 0; i-- {
			if !slices.Contains(heir.Resources, handOver[i]) {
				heir.Resources = append(heir.Resources, handOver[i])
			}
		}
		add(plan.Step{Name: "hand the shared resources over to jail " + heir.Name, Action: plan.ActWrite, Path: state.StatePath(heir.Name), Mode: "0644",
			Content: plan.Content(heir.Marshal()), Diff: plan.UnifiedDiff(state.StatePath(heir.Name), old, heir.Marshal()),
			Undo: []plan.Step{{Action: plan.ActWrite, Path: state.StatePath(heir.Name), Mode: "0644", Content: plan.Content(old)}}})
	}
	stOld, _ := sys.ReadFile(state.StatePath(name))
	add(plan.Step{Name: "forget the jail: remove " + state.StatePath(name), Action: plan.ActRemove, Path: state.StatePath(name),
		Undo: []plan.Step{{Action: plan.ActWrite, Path: state.StatePath(name), Mode: "0644", Content: plan.Content(stOld)}}})
	if madeBackup {
		add(plan.Step{Name: "remove the backups of this uninstall", Action: plan.ActRemoveAll, Path: state.BackupDir(name)})
		add(plan.Step{Name: "remove " + state.StateDir + "/backup if nothing else is in it", Action: plan.ActRmdir, Path: state.StateDir + "/backup"})
	}
	// Directories last: removing a tree cannot be undone. Deepest first,
	// so a parent is only tried once what jailkit put in it is gone.
	var dirs []state.Resource
	for _, r := range st.Resources {
		if r.Kind == state.ResDir && (!r.Shared || last) {
			dirs = append(dirs, r)
		}
	}
	slices.SortStableFunc(dirs, func(a, b state.Resource) int {
		return strings.Count(b.Path, "/") - strings.Count(a.Path, "/")
	})
	for _, r := range st.Resources {
		if r.Kind == state.ResDataset {
			add(plan.Step{Name: "clear file flags under " + r.Path, Action: plan.ActRun, Argv: []string{"chflags", "-R", "0", r.Path}})
			add(plan.Step{Name: "destroy ZFS dataset " + r.Name, Action: plan.ActRun, Argv: []string{"zfs", "destroy", "-r", r.Name}})
		}
	}
	for _, r := range dirs {
		if _, err := sys.Lstat(r.Path); err != nil {
			continue
		}
		if r.Whole {
			add(plan.Step{Name: "clear file flags under " + r.Path, Action: plan.ActRun, Argv: []string{"chflags", "-R", "0", r.Path}})
			add(plan.Step{Name: "remove " + r.Path, Action: plan.ActRemoveAll, Path: r.Path})
		} else {
			add(plan.Step{Name: "remove " + r.Path + " if nothing else is in it", Action: plan.ActRmdir, Path: r.Path})
		}
	}
	return p, nil
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
