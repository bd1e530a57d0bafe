package lab

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck"
)

// Status of one jail after Apply or Destroy.
const (
	Installed = "installed" // the jail was new and is now installed
	Updated   = "updated"   // the jail was there and some of it changed
	Unchanged = "unchanged" // the jail already was as planned
	Failed    = "failed"    // its install failed and was rolled back
	Skipped   = "skipped"   // not tried: a name server of the lab failed
	Removed   = "removed"   // destroy removed it
	Absent    = "absent"    // destroy found no jail of that name
)

// ApplyOptions tune Apply and Destroy.
type ApplyOptions struct {
	// Install is passed to every jail's install; its OnStep is replaced.
	Install install.Options
	// Jobs bounds how many jails install at the same time (1 when 0).
	Jobs int
	// OnEvent reports progress, one call at a time.
	OnEvent func(Event)
}

// Event is one piece of progress of a lab run.
type Event struct {
	Jail  string
	Index int // 1-based position of the jail in the run
	Total int
	// Step and Steps say where the jail's install is; StepName is "" for
	// the start and end events.
	Step, Steps int
	StepName    string
	// Status is set on the jail's last event.
	Status string
	Err    error
}

// JailResult is how one jail of a lab run ended.
type JailResult struct {
	Name    string
	Recipe  string
	Status  string
	Changes int
	Err     error
}

// Result is the outcome of a lab run, one entry per jail in run order.
type Result struct {
	Jails []JailResult
}

// Failed lists the jails that failed, in run order.
func (r *Result) Failed() []string {
	var out []string
	for _, j := range r.Jails {
		if j.Status == Failed {
			out = append(out, j.Name)
		}
	}
	return out
}

// Count returns how many jails ended with status.
func (r *Result) Count(status string) int {
	n := 0
	for _, j := range r.Jails {
		if j.Status == status {
			n++
		}
	}
	return n
}

// Error says which jails of a lab failed; each was rolled back and the
// others were left as they ended.
type Error struct {
	Failed  []string
	Skipped []string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%d jail(s) failed and were rolled back: %v", len(e.Failed), e.Failed)
	if len(e.Skipped) > 0 {
		msg += fmt.Sprintf("; %d not tried because a name server failed: %v", len(e.Skipped), e.Skipped)
	}
	return msg
}

// labRun serializes progress reports of parallel installs.
type labRun struct {
	mu   sync.Mutex
	opts ApplyOptions

	specs   []Spec
	pending []bool  // the jail has something to change
	res     *Result // each goroutine writes its own jail's entry
	// sharedReady says a jail has set up what every jail shares (the
	// .include line, jail_enable, the media): later ones may run together.
	sharedReady bool
}

func (r *labRun) event(e Event) {
	if r.opts.OnEvent == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opts.OnEvent(e)
}

// Apply installs every jail of the lab on the host sys, holding the
// host lock for the whole run. Before anything changes it runs the
// install pre-flight checks once for the whole lab (one gathering of the
// host's facts, every lab jail planned in it: addresses, listeners,
// modules, sendmail) and then plans every jail against the host as it is
// (names, interfaces, releases); any refusal stops the run with nothing
// changed. Then it installs the name servers, then the
// other jails, each re-planned just before it runs. Up to Jobs jails run at
// once; a jail whose recipe changes host-wide configuration (devfs rules,
// the host's rc.conf, kernel modules, mounts) runs alone, as does the
// first jail to change anything, which fetches the release and sets up
// jail.conf. A failed jail is rolled back by its own install and leaves
// the others alone; when a name server fails, the jails that would resolve
// through it are skipped. Running Apply again changes only what
// differs.
func Apply(ctx context.Context, sys system.System, l *Lab, opts ApplyOptions) (*Result, error) {
	opts.Install.Defaults()
	if opts.Jobs < 1 {
		opts.Jobs = 1
	}
	// Jails installed side by side do not share the package cache: pkg
	// resumes a short cached file by appending to it and unlinks one of
	// the wrong size (freebsd/pkg libpkg/fetch.c, pkg_fetch_file;
	// libpkg/repo/binary/fetch.c, pkg_repo_binary_try_fetch), so two
	// jails fetching one package at once would break each other.
	opts.Install.NoPkgCache = opts.Install.NoPkgCache || opts.Jobs > 1
	unlock, err := plan.Lock(ctx, sys, opts.Install.LockWait)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// The pre-flight and every jail's plan read the same unchanged host:
	// its sockstat, jls and MANIFESTs run once for all of them. The
	// installs go to sys itself: a post-install check repeats sockstat
	// until the daemon listens, and must see each new answer.
	planSys := system.NewMemo(sys)
	specs := l.Specs()
	if err := labPreflight(ctx, planSys, l, opts.Install); err != nil {
		return nil, err
	}
	pending, err := l.planAll(ctx, planSys, specs, opts)
	if err != nil {
		return nil, err
	}
	run := &labRun{opts: opts, specs: specs, pending: pending,
		res: &Result{Jails: make([]JailResult, len(specs))}}
	for i, s := range specs {
		run.res.Jails[i] = JailResult{Name: s.Jail.Name, Recipe: s.Recipe.Name}
	}
	// Nothing has changed yet, so the first jail that changes anything
	// may set up what all jails share.
	run.sharedReady = !slices.Contains(pending, true)
	nsFailed := run.stage(ctx, sys, StageNameServers, false)
	run.stage(ctx, sys, StageServices, nsFailed)
	res := run.res
	if failed := res.Failed(); len(failed) > 0 {
		var skipped []string
		for _, j := range res.Jails {
			if j.Status == Skipped {
				skipped = append(skipped, j.Name)
			}
		}
		return res, &Error{Failed: failed, Skipped: skipped}
	}
	return res, nil
}

// planAll plans every jail against the host as it is, nothing applied: a
// name already taken or an interface the host lacks stops the lab before
// anything changes. It says which jails have something to change.
func (l *Lab) planAll(ctx context.Context, sys system.System, specs []Spec, opts ApplyOptions) ([]bool, error) {
	var errs inputerr.ErrorList
	pending := make([]bool, len(specs))
	for i, s := range specs {
		p, err := install.PlanInstall(ctx, system.NewDryRun(sys), s.Recipe, s.Spec, s.installOpts(opts.Install))
		if err != nil {
			if !errors.Is(err, inputerr.ErrInput) {
				return nil, fmt.Errorf("plan jail %s: %w", s.Jail.Name, err)
			}
			errs = append(errs, &inputerr.PosError{File: l.Source, Line: s.Jail.Line, Msg: fmt.Sprintf("jail %s: %s", s.Jail.Name, oneLineErr(err))})
			continue
		}
		pending[i] = p.Changes() > 0
	}
	return pending, errs.Err()
}

// stage installs the jails of one stage, opts.Jobs at a time. A jail that
// sets up what all jails share, or touches the host, runs alone. With skip
// set (a name server failed) every jail of the stage is skipped. It says
// whether a jail of the stage failed.
func (r *labRun) stage(ctx context.Context, sys system.System, stage int, skip bool) bool {
	sem := make(chan struct{}, r.opts.Jobs)
	var wg sync.WaitGroup
	failed := false
	for i, s := range r.specs {
		if s.Stage != stage {
			continue
		}
		if skip {
			r.res.Jails[i].Status = Skipped
			r.event(Event{Jail: s.Jail.Name, Index: i + 1, Total: len(r.specs), Status: Skipped})
			continue
		}
		alone := !r.sharedReady && r.pending[i] || touchesHost(s.Recipe)
		if alone {
			wg.Wait()
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r.res.Jails[i] = r.install(ctx, sys, s, i, len(r.specs))
		}()
		if alone {
			wg.Wait()
			if r.res.Jails[i].Status != Failed {
				r.sharedReady = true
			}
		}
	}
	wg.Wait()
	for i, s := range r.specs {
		if s.Stage == stage && r.res.Jails[i].Status == Failed {
			failed = true
		}
	}
	return failed
}

// touchesHost says whether a recipe changes configuration all jails of
// the host share, so its install must not overlap another.
func touchesHost(r *recipe.Recipe) bool {
	h := r.Host
	return len(h.DevfsUnhide) > 0 || len(h.RCConf) > 0 || len(h.KernelModules) > 0 || len(h.Mounts) > 0
}

// install plans and applies one jail; Apply rolls the jail back itself
// when a step fails.
func (r *labRun) install(ctx context.Context, sys system.System, s Spec, i, total int) JailResult {
	out := JailResult{Name: s.Jail.Name, Recipe: s.Recipe.Name}
	r.event(Event{Jail: s.Jail.Name, Index: i + 1, Total: total})
	finish := func(status string, err error) JailResult {
		out.Status, out.Err = status, err
		r.event(Event{Jail: s.Jail.Name, Index: i + 1, Total: total, Status: status, Err: err})
		return out
	}
	old, err := state.ReadState(sys, s.Jail.Name)
	if err != nil {
		return finish(Failed, err)
	}
	p, err := install.PlanInstall(ctx, sys, s.Recipe, s.Spec, s.installOpts(r.opts.Install))
	if err != nil {
		return finish(Failed, err)
	}
	out.Changes = p.Changes()
	if out.Changes == 0 {
		return finish(Unchanged, nil)
	}
	err = plan.Apply(ctx, sys, p, plan.ApplyOptions{Progress: r.opts.Install.Progress, CheckTries: r.opts.Install.CheckTries,
		CheckDelay: r.opts.Install.CheckDelay, OnStep: func(k, n int, st *plan.Step) {
			r.event(Event{Jail: s.Jail.Name, Index: i + 1, Total: total, Step: k, Steps: n, StepName: st.Name})
		}})
	if err != nil {
		return finish(Failed, err)
	}
	if old == nil {
		return finish(Installed, nil)
	}
	return finish(Updated, nil)
}

// Destroy uninstalls the lab's jails in the reverse of install order,
// one at a time under the host lock: the services first, the name servers
// last. A jail jailkit does not know is reported absent; a jail of the
// same name that was installed from another recipe is left alone and
// reported as a failure. A failed uninstall is rolled back and the run
// goes on with the other jails.
func Destroy(ctx context.Context, sys system.System, l *Lab, opts ApplyOptions) (*Result, error) {
	opts.Install.Defaults()
	unlock, err := plan.Lock(ctx, sys, opts.Install.LockWait)
	if err != nil {
		return nil, err
	}
	defer unlock()
	specs := l.Specs()
	slices.Reverse(specs)
	run := &labRun{opts: opts}
	res := &Result{}
	for i, s := range specs {
		out := JailResult{Name: s.Jail.Name, Recipe: s.Recipe.Name}
		run.event(Event{Jail: s.Jail.Name, Index: i + 1, Total: len(specs)})
		st, err := state.ReadState(sys, s.Jail.Name)
		switch {
		case err != nil:
			out.Status, out.Err = Failed, err
		case st == nil:
			out.Status = Absent
		case st.Recipe != s.Recipe.Name:
			out.Status, out.Err = Failed, fmt.Errorf("jail %s was installed from recipe %s, not %s as the lab says; left alone (remove it with jailkit uninstall %s)", s.Jail.Name, st.Recipe, s.Recipe.Name, s.Jail.Name)
		default:
			p, err := install.PlanUninstall(ctx, sys, s.Jail.Name)
			if err == nil {
				out.Changes = p.Changes()
				err = plan.Apply(ctx, sys, p, plan.ApplyOptions{OnStep: func(k, n int, step *plan.Step) {
					run.event(Event{Jail: s.Jail.Name, Index: i + 1, Total: len(specs), Step: k, Steps: n, StepName: step.Name})
				}})
			}
			if err != nil {
				out.Status, out.Err = Failed, err
			} else {
				out.Status = Removed
			}
		}
		run.event(Event{Jail: s.Jail.Name, Index: i + 1, Total: len(specs), Status: out.Status, Err: out.Err})
		res.Jails = append(res.Jails, out)
	}
	if failed := res.Failed(); len(failed) > 0 {
		return res, &Error{Failed: failed}
	}
	return res, nil
}

// oneLineErr flattens an ErrorList into one line for a per-jail message.
func oneLineErr(err error) string {
	var list inputerr.ErrorList
	if errors.As(err, &list) {
		msgs := make([]string, len(list))
		for i, e := range list {
			msgs[i] = e.Error()
		}
		return strings.Join(msgs, "; ")
	}
	return err.Error()
}

// labPreflight runs the checks install runs before it changes anything,
// once for every jail of the lab against one gathering of the host's
// facts, and refuses with every failure at once unless opts.Force.
func labPreflight(ctx context.Context, sys system.System, l *Lab, opts install.Options) error {
	vs, err := l.Values()
	if err != nil {
		return err
	}
	planned := make([]hostcheck.Planned, len(vs))
	for i, v := range vs {
		planned[i] = install.Planned(v)
		// As install's own pre-flight judges it: a jail root not there
		// yet gets base files, which securelevel may forbid.
		_, statErr := sys.Lstat(v.Jail.Path)
		planned[i].NewBase = statErr != nil
	}
	facts := hostcheck.Gather(ctx, &hostcheck.LiveSource{Sys: system.NewDryRun(sys), JailsDir: opts.JailsDir}, hostcheck.GatherOptions{JailsDir: opts.JailsDir})
	rep := hostcheck.Run(facts, hostcheck.Options{Planned: planned, Only: install.PreflightChecks})
	var failed []plan.Finding
	for _, fd := range rep.Findings {
		if fd.Severity == hostcheck.Fail {
			failed = append(failed, plan.Finding{ID: fd.ID, Severity: string(fd.Severity), Found: fd.Found, Fix: fd.Fix})
		}
	}
	if len(failed) > 0 && !opts.Force {
		return fmt.Errorf("lab %s: %w", labName(l), install.PreflightError(failed))
	}
	return nil
}

func labName(l *Lab) string {
	if l.Name != "" {
		return l.Name
	}
	return l.Source
}

// installOpts gives one lab jail its install options, the shared package
// cache on from the first jail: in a VNET lab only
// the jails whose recipe gives them their own stack (dhcp with vnet=true)
// join the bridge; the others stay shared-IP jails on network.interface.
func (s Spec) installOpts(o install.Options) install.Options {
	if !s.vnet() {
		o.Bridge = ""
	}
	// A lab installs many jails: the first one's packages serve the
	// rest through the shared package cache.
	o.SharePkgCache = true
	return o
}

// vnet reports whether the jail installs as a VNET jail: the recipe
// requires it, or offers it and the last vnet= setting is true.
func (s Spec) vnet() bool {
	switch s.Recipe.Host.VNet {
	case "required":
		return true
	case "optional":
		on := false
		for _, kv := range s.Spec.Sets {
			if v, ok := strings.CutPrefix(kv, "vnet="); ok {
				on = v == "true"
			}
		}
		return on
	}
	return false
}
