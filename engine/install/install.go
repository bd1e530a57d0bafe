package install

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// Options are the install flags beyond the jail's values.
type Options struct {
	// Thick makes a full copy of the base instead of sharing it.
	Thick bool
	// Force installs even when a pre-flight check fails.
	Force bool
	// Mirror is the FreeBSD mirror (DefaultMirror when empty).
	Mirror string
	// JailsDir is where media, templates and containers live.
	JailsDir string
	// Version is jailkit's version, recorded in the state file.
	Version string
	// Progress receives the output of long commands (fetch, pkg).
	Progress io.Writer
	// LockWait is how long to wait for another run's lock.
	LockWait time.Duration
	// CheckTries is how often the post-check looks for the service's
	// sockets (a daemon may bind a moment after it forked); 5 when 0.
	CheckTries int
	// CheckDelay is the pause between post-check tries; 1s when 0.
	CheckDelay time.Duration
	// OnStep is passed to Apply.
	OnStep func(i, total int, s *plan.Step)
	// Bridge is the host bridge a VNET jail's epair joins: the one an
	// earlier install recorded, else DefaultBridge, when empty.
	Bridge string
	// Ports mounts the host's ports tree read-only in the jail; an
	// earlier install's choice is kept.
	Ports bool
	// NoPkgCache keeps the jail's packages out of the host's shared
	// package cache (PkgCache): each jail fetches its own, as before.
	NoPkgCache bool
	// SharePkgCache mounts the shared package cache even for the first
	// jail of a host: a lab of many jails of one ABI sets it, so the
	// first jail's packages serve the others.
	SharePkgCache bool
}

// Defaults fills in what the caller left empty.
func (o *Options) Defaults() {
	if o.Mirror == "" {
		o.Mirror = DefaultMirror
	}
	if o.JailsDir == "" {
		o.JailsDir = freebsd.DefaultJailsDir
	}
	if o.LockWait == 0 {
		o.LockWait = 10 * time.Second
	}
	if o.CheckTries == 0 {
		o.CheckTries = 5
	}
	if o.CheckDelay == 0 {
		o.CheckDelay = time.Second
	}
}

// planner builds an install plan.
type planner struct {
	ctx   context.Context
	sys   system.System
	opts  Options
	v     *render.Values
	facts *hostcheck.Facts
	old   *state.State // the jail's state from an earlier install, or nil
	st    *state.State // the state this install records
	plan  *plan.Plan

	rootExists  bool // the jail root is already there
	jailRunning bool
	jailStarted bool // a step starts (or restarts) the jail
	restarted   bool
	changed     bool // a file the service reads changes
	backupDir   bool // a step made the backup directory
	sets        []string
	made        map[string]bool // directories an earlier step creates
	edits       []string        // diffs of files edited in the jail that the install would overwrite

	vnet         *plan.VNet // the jail's epair and bridge; nil for a shared-IP jail
	loopback     string     // the jail's primary loopback address (host.loopback), or ""
	bridgeExists bool       // the host has the VNET jail's bridge already
}

// add appends a step.
func (p *planner) add(s plan.Step) { p.plan.Steps = append(p.plan.Steps, s) }

// exists reports whether a host path exists (a symlink counts).
func (p *planner) exists(name string) bool {
	if p.made[name] {
		return true
	}
	_, err := p.sys.Lstat(name)
	return err == nil
}

// PlanInstall works out what installing recipe r with spec needs on the
// host sys: it reads facts (through sys, so a DryRun works), runs the
// pre-flight checks and returns the ordered steps. It changes nothing.
// Errors caused by the input (a bad value, a name or address taken, an
// unknown release, a refused pre-flight) wrap ErrInput.
func PlanInstall(ctx context.Context, sys system.System, r *recipe.Recipe, spec render.JailSpec, opts Options) (*plan.Plan, error) {
	opts.Defaults()
	if err := checkGrants(r, spec); err != nil {
		return nil, err
	}
	p := &planner{ctx: ctx, sys: sys, opts: opts, sets: spec.Sets, made: map[string]bool{}}
	if spec.JailsDir == "" {
		spec.JailsDir = opts.JailsDir
	}
	if err := checkMirror(opts.Mirror); err != nil {
		return nil, err
	}
	p.facts = hostcheck.Gather(ctx, &hostcheck.LiveSource{Sys: sys, JailsDir: opts.JailsDir}, hostcheck.GatherOptions{JailsDir: opts.JailsDir})
	notes := []string{}
	hostRelease, hostArch := p.hostPlatform(&spec, &notes)
	v, err := render.NewValues(r, spec)
	if err != nil {
		return nil, err
	}
	p.v = v
	findings, err := p.checkJail(hostRelease, hostArch, &notes)
	if err != nil {
		return nil, err
	}
	files, err := render.Render(v)
	if err != nil {
		return nil, err
	}
	p.newPlan(r.Name, findings, notes)
	if err := p.planSteps(files); err != nil {
		return nil, err
	}
	if len(p.edits) > 0 {
		return nil, &LocalEditsError{Jail: p.v.Jail.Name, Diffs: p.edits}
	}
	return p.plan, nil
}

// hostPlatform fills an empty release and architecture in spec with the
// host's and returns the host's, each "" when it could not be read.
func (p *planner) hostPlatform(spec *render.JailSpec, notes *[]string) (hostRelease, hostArch string) {
	hostRelease = mediaRelease(p.facts.Release)
	if spec.Release == "" {
		if hostRelease != "" {
			spec.Release = hostRelease
		} else {
			*notes = append(*notes, "the host's release could not be read; using "+render.DefaultRelease+" (give --release)")
		}
	}
	spec.Release = mediaRelease(spec.Release)
	hostArch, err := p.sys.Sysctl("hw.machine_arch")
	hostArch = strings.TrimSpace(hostArch)
	if hostArch == "aarch64" {
		hostArch = "arm64"
	}
	if spec.Arch == "" {
		if err == nil && hostArch != "" {
			spec.Arch = hostArch
		} else {
			*notes = append(*notes, "the host's architecture could not be read; using "+render.DefaultArch+" (give --arch)")
		}
	}
	return hostRelease, hostArch
}

// checkJail refuses a jail the host cannot take, settles its interface,
// network stack and resolvers, and returns the pre-flight findings.
func (p *planner) checkJail(hostRelease, hostArch string, notes *[]string) ([]plan.Finding, error) {
	if err := p.checkRelease(hostRelease, hostArch); err != nil {
		return nil, err
	}
	var err error
	if p.old, err = state.ReadState(p.sys, p.v.Jail.Name); err != nil {
		return nil, err
	}
	if err := p.checkName(); err != nil {
		return nil, err
	}
	if err := p.checkMountSources(); err != nil {
		return nil, err
	}
	if err := p.pickInterface(notes); err != nil {
		return nil, err
	}
	if err := p.checkAddrs(); err != nil {
		return nil, err
	}
	if err := p.planVNet(notes); err != nil {
		return nil, err
	}
	if err := p.pickLoopback(notes); err != nil {
		return nil, err
	}
	*notes = append(*notes, p.fillResolvers()...)
	pl := Planned(p.v)
	// A new jail root gets base files, some with schg (var/empty).
	_, statErr := p.sys.Lstat(p.v.Jail.Path)
	pl.NewBase = statErr != nil
	findings, err := preflight(p.facts, p.v, pl, p.opts.Force)
	if err != nil {
		return nil, err
	}
	*notes = append(*notes, preflightNote(findings)...)
	*notes = append(*notes, p.unreadFacts()...)
	return findings, nil
}

// unreadFacts notes the facts the pre-flight checks need that could not
// be read, so a clean pre-flight is not mistaken for a checked one.
func (p *planner) unreadFacts() []string {
	var unread []string
	for fact, why := range p.facts.Missing {
		switch fact {
		case hostcheck.FactSockets, hostcheck.FactJails, hostcheck.FactInterfaces:
			unread = append(unread, fmt.Sprintf("%s could not be read (%s): pre-flight checks that need it did not run", fact, why))
		}
	}
	slices.Sort(unread) // a map's order would make the plan differ run to run
	return unread
}

// newPlan starts the plan and the state it records, and looks at what of
// the jail is on the host already.
func (p *planner) newPlan(recipeName string, findings []plan.Finding, notes []string) {
	j := &p.v.Jail
	p.plan = &plan.Plan{Command: "install", Jail: j.Name, Recipe: recipeName, Release: j.Release, Arch: j.Arch,
		Address: append(append([]string{}, j.IP4s...), j.IP6s...), Interface: j.Interface, Thin: !p.opts.Thick,
		Preflight: findings, Notes: notes, VNet: p.vnet,
		HostNeeds: p.v.Recipe.HostNeeds(), Grants: p.v.Recipe.Capabilities}
	if r := p.v.Recipe; r.User {
		p.plan.RecipeSource = r.Source
		if r.Overrides != "" {
			p.plan.Notes = append(p.plan.Notes, fmt.Sprintf("the user recipe %s overrides the built-in recipe %s", r.Source, r.Name))
		}
	}
	if p.old != nil {
		p.plan.Thin = p.old.Thin
	}
	p.st = p.newState()
	for _, jl := range p.facts.Jails {
		if jl.Name == j.Name {
			p.jailRunning = true
		}
	}
	_, err := p.sys.Lstat(j.Path)
	p.rootExists = err == nil
}

// planSteps plans the install in the order it runs: the base files go in
// before the jail starts and pkg runs, the recipe's files after, once the
// packages have made their users.
func (p *planner) planSteps(files []render.File) error {
	if err := p.planMedia(); err != nil {
		return err
	}
	if err := p.planPorts(); err != nil {
		return err
	}
	p.planHostConfig()
	if err := p.planFiles(files, true); err != nil {
		return err
	}
	p.planStart()
	if err := p.planFiles(files, false); err != nil {
		return err
	}
	if err := p.planStale(files); err != nil {
		return err
	}
	p.planServices()
	p.planPostCheck()
	return p.planState(files)
}

// Install takes the host lock, plans the install and applies it. The
// plan is returned even when applying it failed, for the report.
func Install(ctx context.Context, sys system.System, r *recipe.Recipe, spec render.JailSpec, opts Options) (*plan.Plan, error) {
	opts.Defaults()
	// Refused before the lock is taken, so a refusal leaves nothing,
	// not even the lock file.
	if err := checkGrants(r, spec); err != nil {
		return nil, err
	}
	unlock, err := plan.Lock(ctx, sys, opts.LockWait)
	if err != nil {
		return nil, err
	}
	defer unlock()
	p, err := PlanInstall(ctx, sys, r, spec, opts)
	if err != nil {
		return nil, err
	}
	return p, plan.Apply(ctx, sys, p, plan.ApplyOptions{Progress: opts.Progress, CheckTries: opts.CheckTries, CheckDelay: opts.CheckDelay, OnStep: opts.OnStep})
}

// checkGrants refuses a recipe that weakens its jail unless the user
// granted every capability it declares; the refusal says what each one
// would allow.
func checkGrants(r *recipe.Recipe, spec render.JailSpec) error {
	grants, err := recipe.ParseGrants("--grant", spec.Grants)
	if err != nil {
		return err
	}
	return r.CheckGrants(grants)
}
