package ops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck"
)

// baseUpdatedKey records in Extra the last base update; the base a thin
// jail mounts is install.BaseKey.
const baseUpdatedKey = "base_updated"

// UpdateWorkdirs is where jailkit keeps freebsd-update's work
// directories, one a jail (and one for the shared bases of a release):
// the tag and lock state in a work directory is shared by every base
// patched through it (freebsd-update.sh keys only the per-base files by
// BDHASH). /var/db/freebsd-update is freebsd-update's own default, made
// by etc/mtree/BSD.var.dist.
const UpdateWorkdirs = "/var/db/freebsd-update"

// jailsDirOf returns the jails directory a jail was installed under.
func jailsDirOf(st *state.State) string { return path.Dir(path.Dir(st.Path)) }

// BaseOf returns the shared base a thin jail mounts: the generation its
// state records (install.RecordedBase), or its release's first one.
func BaseOf(st *state.State) string { return install.RecordedBase(st, jailsDirOf(st)) }

// nextBase returns the generation after the newest one there is of a
// release's shared base: templates/14.3-RELEASE-amd64.2, .3, ...
func nextBase(sys system.System, st *state.State) string {
	def := install.BaseDir(jailsDirOf(st), st.Release, st.Arch)
	g, _ := install.NewestBase(sys, def)
	return def + "." + strconv.Itoa(max(g, 1)+1)
}

// fetchTargetRE finds the version fetch would update to: "The following
// files will be updated as part of updating to REL-pN:" (freebsd-update.sh,
// fetch_create_manifest; the removed and added lists have the same
// ending).
var fetchTargetRE = regexp.MustCompile(`as part of updating to\s+(\S+):`)

// baseNews asks freebsd-update what it would install on the base at root,
// running version running, without installing it: fetch alone downloads
// into the work directory and prints "No updates needed to update system
// to REL-pN." when there is nothing (freebsd-update.sh, fetch_run). It
// returns the version fetch names ("newer" when it names none), "" when
// there is nothing new. fetch refuses a work directory that does not
// exist (fetchupgrade_check_params), so before the update makes the
// jail's own it asks through freebsd-update's default one, where the
// files of each base are kept apart anyway (BDHASH). known is false when
// freebsd-update cannot run here (a dry run off FreeBSD).
func baseNews(ctx context.Context, sys system.System, root, workdir, running, arch string) (target string, known bool, err error) {
	if _, err := sys.Lstat(workdir); err != nil {
		workdir = UpdateWorkdirs
	}
	out, err := sys.Run(ctx, system.Cmd{Argv: install.UpdateArgv(root, workdir, running, "fetch"), Env: install.UpdateEnv(arch)})
	switch {
	case errors.Is(err, system.ErrNoCommand) || errors.Is(err, system.ErrNoExec):
		return "", false, nil
	case err != nil:
		return "", true, fmt.Errorf("freebsd-update fetch for %s: %w", root, err)
	case bytes.Contains(out, []byte("No updates needed to update system to")):
		return "", true, nil
	}
	if m := fetchTargetRE.FindSubmatch(out); m != nil {
		return string(m[1]), true, nil
	}
	return "newer", true, nil
}

// basePatch is the patching of one base: its version now and the
// version freebsd-update names (or "newer"/"the newest patch level").
type basePatch struct {
	root, workdir, running, target, arch string
	known                                bool
}

// planBasePatch finds out whether the base at root has patches, and
// returns nil when it has none or freebsd-update cannot patch it (with a
// note saying why).
func planBasePatch(ctx context.Context, p *plan.Plan, sys system.System, st *state.State, root, workdir string) (*basePatch, error) {
	running, err := Userland(sys, st)
	if err != nil {
		p.Notes = append(p.Notes, "jail "+st.Name+": "+err.Error()+": its base is not patched")
		return nil, nil
	}
	if !install.Patchable(running) {
		p.Notes = append(p.Notes, "jail "+st.Name+": freebsd-update has no patches for "+running+": its base is not patched")
		return nil, nil
	}
	target, known, err := baseNews(ctx, sys, root, workdir, running, st.Arch)
	if err != nil {
		return nil, err
	}
	if known && target == "" {
		return nil, nil
	}
	if !known {
		// Planned elsewhere (a collected snapshot, another OS): a plan
		// must not show a base copy the host may not need.
		p.Notes = append(p.Notes, "freebsd-update could not run here: the base "+root+" is not checked for patches; jailkit update on the host patches it if it needs it")
		return nil, nil
	}
	return &basePatch{root: root, workdir: workdir, running: running, target: target, arch: st.Arch, known: known}, nil
}

// steps plans the work directory and freebsd-update fetch install on
// dir (the base itself, or its new copy). Rolled back, freebsd-update
// rollback puts back what install replaced (freebsd-update.sh,
// rollback_run: it needs no securelevel check).
func (b *basePatch) steps(p *plan.Plan, sys system.System, dir string) {
	if _, err := sys.Lstat(b.workdir); err != nil && !planned(p, b.workdir) {
		p.Steps = append(p.Steps, plan.Step{Name: "create the freebsd-update work directory " + b.workdir, Action: plan.ActMkdir, Path: b.workdir, Mode: "0700",
			Undo: []plan.Step{{Action: plan.ActRemoveAll, Path: b.workdir}}})
	}
	s, _ := install.UpdateStep(dir, b.workdir, b.running, b.arch)
	s.Name = "apply the security patches of " + b.running + " (to " + b.target + ") to " + dir
	s.Undo = []plan.Step{{Action: plan.ActRun, Env: install.UpdateEnv(b.arch), Argv: install.UpdateArgv(dir, b.workdir, b.running, "rollback")}}
	p.Steps = append(p.Steps, s)
	if !install.Patchable(b.target) {
		return
	}
	// install exits 0 when it must run again (install_files: "run ...
	// install again" after shared objects or the kernel), so a fetch as
	// if the base ran the target must find nothing left to install.
	p.Steps = append(p.Steps, plan.Step{Name: "check that " + dir + " is at " + b.target, Action: plan.ActCheck,
		Env: install.UpdateEnv(b.arch), Argv: install.UpdateArgv(dir, b.workdir, b.target, "fetch"), Refuse: "The following files will be "})
}

// planned says whether the plan already makes dir.
func planned(p *plan.Plan, dir string) bool {
	for _, s := range p.Steps {
		if s.Action == plan.ActMkdir && s.Path == dir {
			return true
		}
	}
	return false
}

// planNewBase plans a patched copy of the shared base old beside it:
// the directory, cp -Rp of every entry of old (bin/cp/cp.c: -R copies
// symlinks as links, -p keeps modes, owners, times and flags), then
// freebsd-update on the copy. Rolled back, the copy's schg flags are
// cleared and it is removed; the jails keep old.
func planNewBase(p *plan.Plan, sys system.System, b *basePatch, next string) error {
	mk := plan.Step{Name: "create the new shared base " + next, Action: plan.ActMkdir, Path: next, Mode: "0755",
		Undo: []plan.Step{{Action: plan.ActRemoveAll, Path: next}}}
	// From the verified release media when the cache has them: tar keeps
	// hard links (cp -Rp copies each link of /rescue's one crunched
	// binary as a file of its own, some 1.5 GB a generation), and the
	// copy is the release as shipped, patched from -p0 below.
	release := patchLevelRE.ReplaceAllString(b.running, "")
	media := path.Join(install.MediaDir(path.Dir(path.Dir(b.root)), release, b.arch), "base.txz")
	if _, err := sys.Lstat(media); err == nil {
		p.Steps = append(p.Steps, mk, plan.Step{Name: "extract base.txz of " + release + " into " + next, Action: plan.ActRun, Progress: true,
			Argv: []string{"tar", "-xf", media, "-C", next, "--unlink"},
			Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"chflags", "-R", "0", next}}}})
		fresh := *b
		fresh.running = release
		fresh.steps(p, sys, next)
		return nil
	}
	entries, err := sys.ReadDir(b.root)
	if err != nil {
		return fmt.Errorf("read the shared base %s: %w", b.root, err)
	}
	argv := []string{"cp", "-Rp"}
	for _, e := range entries {
		argv = append(argv, path.Join(b.root, e.Name()))
	}
	argv = append(argv, next)
	p.Notes = append(p.Notes, "the release media of "+release+" are not in the media cache: the new base is a copy of "+b.root+", without its hard links")
	p.Steps = append(p.Steps, mk,
		plan.Step{Name: "copy the shared base " + b.root + " to " + next, Action: plan.ActRun, Argv: argv, Progress: true,
			Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"chflags", "-R", "0", next}}}})
	b.steps(p, sys, next)
	return nil
}

// planSwitch moves a thin jail's read-only mounts from the shared base
// old to next in its jail.conf.d file, stopping the jail before and
// starting it after when it runs. Rolled back, the file is put back and
// the jail started on old again.
func planSwitch(p *plan.Plan, sys system.System, st *state.State, old, next string, up bool) error {
	conf := state.JailConfPath(st.Name)
	data, err := sys.ReadFile(conf)
	if err != nil {
		return err
	}
	from, to := `mount += "`+old+"/", `mount += "`+next+"/"
	if !bytes.Contains(data, []byte(from)) {
		return fmt.Errorf("%s mounts nothing from %s: jailkit does not move it", conf, old)
	}
	moved := bytes.ReplaceAll(data, []byte(from), []byte(to))
	if up {
		stopJail(p, st)
	}
	p.Steps = append(p.Steps, plan.Step{Name: "mount the base of jail " + st.Name + " from " + next, Action: plan.ActWrite, Path: conf, Mode: "0644",
		Content: plan.Content(moved), Diff: plan.UnifiedDiff(conf, data, moved),
		Undo: []plan.Step{{Action: plan.ActWrite, Path: conf, Mode: "0644", Content: plan.Content(data)}}})
	if up {
		startJail(p, st)
	}
	return nil
}

// checkSecurelevel refuses, before anything changes, a base update the
// host's kern.securelevel would stop: freebsd-update install refuses
// above 0 (install_check_params). It is the install's pre-flight check
// JK-HOST-090, and its finding goes in the plan's pre-flight list.
func checkSecurelevel(p *plan.Plan, sys system.System, names []string) error {
	if len(names) == 0 {
		return nil
	}
	f := &hostcheck.Facts{Missing: map[string]string{}, Sysctl: map[string]string{}}
	if v, err := sys.Sysctl("kern.securelevel"); err == nil {
		f.Sysctl["kern.securelevel"] = strings.TrimSpace(v)
	} else {
		f.Missing[hostcheck.FactSysctl] = err.Error()
	}
	var pl []hostcheck.Planned
	for _, n := range names {
		pl = append(pl, hostcheck.Planned{Name: n, NewBase: true})
	}
	rep := hostcheck.Run(f, hostcheck.Options{Planned: pl, Only: []string{"JK-HOST-090"}})
	var failed []string
	fix := ""
	for _, fd := range rep.Findings {
		p.Preflight = append(p.Preflight, plan.Finding{ID: fd.ID, Severity: string(fd.Severity), Found: fd.Found, Fix: fd.Fix})
		if fd.Severity == hostcheck.Fail {
			failed, fix = append(failed, fd.ID+" "+fd.Found), fd.Fix
		}
	}
	if len(failed) > 0 {
		return &inputerr.FieldError{Field: "pre-flight", Problem: strings.Join(failed, "; "), Hint: fix}
	}
	return nil
}
