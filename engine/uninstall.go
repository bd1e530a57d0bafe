package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck"
)

// UninstallOptions tune an uninstall.
type UninstallOptions struct {
	LockWait time.Duration
	// OnStep is passed to Apply.
	OnStep func(i, total int, s *Step)
}

// PlanUninstall works out how to remove exactly what the state file of
// jail name says jailkit created: the jail (stopped first), its
// jail.conf.d file, its devfs ruleset, its root and backups, and, when it
// is the last jailkit jail, the shared pieces (the .include line,
// jail_enable, the media cache and shared base, /var/db/jailkit). When
// other jailkit jails remain, the shared pieces are handed to one of them.
func PlanUninstall(ctx context.Context, sys system.System, name string) (*Plan, error) {
	if err := ValidJailName(name); err != nil {
		return nil, &FieldError{Field: "NAME", Problem: err.Error(), Hint: "give the name of a jail from jailkit list"}
	}
	st, err := ReadState(sys, name)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, &FieldError{Field: "NAME", Problem: fmt.Sprintf("jailkit manages no jail named %s", name),
			Hint: "see the jails jailkit manages with: jailkit list"}
	}
	if err := st.checkResources(); err != nil {
		return nil, err
	}
	if st.VNet != nil && !bridgeRE.MatchString(st.VNet.Bridge) {
		return nil, fmt.Errorf("state file %s gives the bridge %q, which jailkit never uses; refusing to uninstall from it", StatePath(st.Name), st.VNet.Bridge)
	}
	all, err := ListStates(sys)
	if err != nil {
		return nil, err
	}
	var others []*State
	for _, o := range all {
		if o.Name != name {
			others = append(others, o)
		}
	}
	p := &Plan{Command: "uninstall", Jail: name, Recipe: st.Recipe, Release: st.Release, Arch: st.Arch,
		Address: append(append([]string{}, st.IP4...), st.IP6...), Interface: st.Interface, Thin: st.Thin, VNet: st.VNet}
	add := func(s Step) { p.Steps = append(p.Steps, s) }

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
	if _, err := sys.Lstat(BackupDir(name)); err != nil {
		madeBackup = true
		add(Step{Name: "create the backup directory", Action: ActMkdir, Path: BackupDir(name), Mode: "0700",
			Undo: []Step{{Action: ActRemoveAll, Path: BackupDir(name)}}})
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
		target := backupPath(name, file)
		undo := []Step{{Action: ActRemove, Path: target}}
		if old, err := sys.ReadFile(target); err == nil {
			mode := "0600"
			if fi, err := sys.Lstat(target); err == nil {
				mode = modeString(fi.Mode().Perm())
			}
			undo = []Step{{Action: ActWrite, Path: target, Mode: mode, Content: content(old)}}
		}
		add(Step{Name: "back up " + file, Action: ActBackup, Path: file, Target: target, Undo: undo})
	}

	if running {
		undo := []Step{{Action: ActRun, Argv: []string{"jail", "-f", st.Conf, "-c", name}}}
		for _, svc := range st.Services {
			undo = append(undo, Step{Action: ActRun, Argv: []string{"service", "-j", name, svc, "start"}})
		}
		add(Step{Name: "stop jail " + name, Action: ActRun, Argv: []string{"jail", "-f", st.Conf, "-r", name}, Undo: undo})
	}

	last := len(others) == 0
	var handOver []Resource
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
		case ResFile:
			old, err := sys.ReadFile(r.Path)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			add(Step{Name: "remove " + r.Path, Action: ActRemove, Path: r.Path,
				Undo: []Step{{Action: ActWrite, Path: r.Path, Mode: "0644", Content: content(old)}}})
		case ResLine, ResDevfs:
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
			if r.Kind == ResDevfs {
				what = "the jail's devfs ruleset"
			}
			undo := []Step{{Action: ActWrite, Path: r.Path, Mode: "0644", Content: content(old)}}
			if r.Created && strings.TrimSpace(string(next)) != "" {
				// Another jail's block keeps the file jailkit created:
				// that jail now removes it once it is empty.
				inheritCreated(others, r, inherited)
			}
			if r.Created && strings.TrimSpace(string(next)) == "" {
				add(Step{Name: "remove " + r.Path + " (jailkit created it for " + what + ")", Action: ActRemove, Path: r.Path, Undo: undo})
			} else {
				add(Step{Name: "remove " + what + " from " + r.Path, Action: ActWrite, Path: r.Path, Mode: "0644",
					Content: content(next), Diff: UnifiedDiff(r.Path, old, next), Undo: undo})
			}
			if r.Kind == ResDevfs {
				add(Step{Name: "reload the devfs rules", Action: ActRun, Argv: []string{"service", "devfs", "restart"}})
			}
		case ResBridge:
			// Stopping the jails ran their exec.poststop, which
			// destroyed their epairs; the bridge goes with the last
			// jailkit jail, and comes back if the uninstall rolls back.
			add(Step{Name: "destroy bridge " + r.Name + " (jailkit created it for VNET jails; changes host networking)", Action: ActRun,
				Argv: []string{"ifconfig", r.Name, "destroy"},
				Undo: []Step{{Action: ActRun, Argv: []string{"ifconfig", r.Name, "create"}},
					{Action: ActRun, Argv: []string{"ifconfig", r.Name, "addm", r.Value, "up"}}}})
		case ResRCVar:
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
		undo := []Step{{Action: ActRun, Argv: append([]string{"sysrc"}, reset...)}}
		if len(unset) > 0 {
			add(Step{Name: "remove " + strings.Join(unset, " ") + " from the host's rc.conf", Action: ActRun,
				Argv: append([]string{"sysrc", "-x"}, unset...), Undo: undo})
			undo = nil
		}
		if len(restore) > 0 {
			add(Step{Name: "restore " + strings.Join(restore, " ") + " in the host's rc.conf", Action: ActRun,
				Argv: append([]string{"sysrc"}, restore...), Undo: undo})
		}
	}
	for _, o := range others {
		if !inherited[o.Name] || (len(handOver) > 0 && o == others[0]) {
			continue // the heir's state is written below
		}
		old, err := sys.ReadFile(StatePath(o.Name))
		if err != nil {
			return nil, err
		}
		add(Step{Name: "hand the created files over to jail " + o.Name, Action: ActWrite, Path: StatePath(o.Name), Mode: "0644",
			Content: content(o.marshal()), Diff: UnifiedDiff(StatePath(o.Name), old, o.marshal()),
			Undo: []Step{{Action: ActWrite, Path: StatePath(o.Name), Mode: "0644", Content: content(old)}}})
	}
	if len(handOver) == 0 && len(others) > 0 && inherited[others[0].Name] {
		handOver = []Resource{} // write the heir's changed state
	}
	if handOver != nil {
		heir := others[0]
		old, err := sys.ReadFile(StatePath(heir.Name))
		if err != nil {
			return nil, err
		}
		for i := len(handOver) - 1; i >= 0; i-- {
			if !slices.Contains(heir.Resources, handOver[i]) {
				heir.Resources = append(heir.Resources, handOver[i])
			}
		}
		add(Step{Name: "hand the shared resources over to jail " + heir.Name, Action: ActWrite, Path: StatePath(heir.Name), Mode: "0644",
			Content: content(heir.marshal()), Diff: UnifiedDiff(StatePath(heir.Name), old, heir.marshal()),
			Undo: []Step{{Action: ActWrite, Path: StatePath(heir.Name), Mode: "0644", Content: content(old)}}})
	}
	stOld, _ := sys.ReadFile(StatePath(name))
	add(Step{Name: "forget the jail: remove " + StatePath(name), Action: ActRemove, Path: StatePath(name),
		Undo: []Step{{Action: ActWrite, Path: StatePath(name), Mode: "0644", Content: content(stOld)}}})
	if madeBackup {
		add(Step{Name: "remove the backups of this uninstall", Action: ActRemoveAll, Path: BackupDir(name)})
		add(Step{Name: "remove " + StateDir + "/backup if nothing else is in it", Action: ActRmdir, Path: StateDir + "/backup"})
	}
	// Directories last: removing a tree cannot be undone. Deepest first,
	// so a parent is only tried once what jailkit put in it is gone.
	var dirs []Resource
	for _, r := range st.Resources {
		if r.Kind == ResDir && (!r.Shared || last) {
			dirs = append(dirs, r)
		}
	}
	slices.SortStableFunc(dirs, func(a, b Resource) int {
		return strings.Count(b.Path, "/") - strings.Count(a.Path, "/")
	})
	for _, r := range st.Resources {
		if r.Kind == ResDataset {
			add(Step{Name: "clear file flags under " + r.Path, Action: ActRun, Argv: []string{"chflags", "-R", "0", r.Path}})
			add(Step{Name: "destroy ZFS dataset " + r.Name, Action: ActRun, Argv: []string{"zfs", "destroy", "-r", r.Name}})
		}
	}
	for _, r := range dirs {
		if _, err := sys.Lstat(r.Path); err != nil {
			continue
		}
		if r.Whole {
			add(Step{Name: "clear file flags under " + r.Path, Action: ActRun, Argv: []string{"chflags", "-R", "0", r.Path}})
			add(Step{Name: "remove " + r.Path, Action: ActRemoveAll, Path: r.Path})
		} else {
			add(Step{Name: "remove " + r.Path + " if nothing else is in it", Action: ActRmdir, Path: r.Path})
		}
	}
	return p, nil
}

// Uninstall takes the host lock, plans the uninstall and applies it.
func Uninstall(ctx context.Context, sys system.System, name string, opts UninstallOptions) (*Plan, error) {
	if opts.LockWait == 0 {
		opts.LockWait = 10 * time.Second
	}
	unlock, err := Lock(ctx, sys, opts.LockWait)
	if err != nil {
		return nil, err
	}
	defer unlock()
	p, err := PlanUninstall(ctx, sys, name)
	if err != nil {
		return nil, err
	}
	return p, Apply(ctx, sys, p, ApplyOptions{OnStep: opts.OnStep})
}

// checkResources refuses a state file that lists something jailkit never
// creates: uninstall removes what the file says, so a damaged or forged
// file must not be able to point it at the rest of the host.
func (st *State) checkResources() error {
	jails := path.Dir(path.Dir(st.Path))
	if !path.IsAbs(st.Path) || path.Clean(st.Path) != st.Path || path.Base(path.Dir(st.Path)) != "containers" ||
		path.Base(st.Path) != st.Name || jails == "/" {
		return fmt.Errorf("state file %s gives the jail root %q, which jailkit never uses; refusing to uninstall from it", StatePath(st.Name), st.Path)
	}
	under := func(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }
	for _, r := range st.Resources {
		p := r.Path
		if r.Kind == ResBridge {
			if !bridgeRE.MatchString(r.Name) || p != "" || !ifaceNameRE.MatchString(r.Value) {
				return fmt.Errorf("state file %s lists bridge %q on %q, which jailkit never creates; refusing to uninstall from it", StatePath(st.Name), r.Name, r.Value)
			}
			continue
		}
		ok := path.IsAbs(p) && path.Clean(p) == p
		if ok {
			switch r.Kind {
			case ResDir:
				ok = under(p, jails) || under(p, StateDir) || p == JailConfDir
				for _, d := range []string{jails, StateDir, JailConfDir} {
					// A parent made on a bare host; only ever removed
					// when empty.
					ok = ok || (strings.HasPrefix(d, p+"/") && !r.Whole)
				}
			case ResFile:
				ok = p == JailConfPath(st.Name)
			case ResLine:
				ok = p == "/etc/jail.conf"
			case ResDevfs:
				ok = p == "/etc/devfs.rules"
			case ResRCVar:
				ok = p == "/etc/rc.conf" && rcNameRE.MatchString(r.Name)
			case ResBackup:
				ok = under(p, BackupDir(st.Name))
			case ResDataset:
				ok = p == st.Path && datasetRE.MatchString(r.Name) && strings.HasSuffix(r.Name, "/"+st.Name)
			default:
				ok = false
			}
		}
		if !ok {
			return fmt.Errorf("state file %s lists %s %q, which jailkit never creates; refusing to uninstall from it", StatePath(st.Name), r.Kind, p)
		}
	}
	return nil
}

// inheritCreated passes "jailkit created this file" for r's file on to
// the first other jail that added a block to it, so the last one out
// removes the file instead of leaving it empty.
func inheritCreated(others []*State, r Resource, inherited map[string]bool) {
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
