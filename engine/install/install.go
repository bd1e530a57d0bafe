package install

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/jailkit/jailkit/engine/inputerr"
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
}

// Defaults fills in what the caller left empty.
func (o *Options) Defaults() {
	if o.Mirror == "" {
		o.Mirror = DefaultMirror
	}
	if o.JailsDir == "" {
		o.JailsDir = render.DefaultJailsDir
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

	vnet         *plan.VNet // the jail's epair and bridge; nil for a shared-IP jail
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
	p := &planner{ctx: ctx, sys: sys, opts: opts, sets: spec.Sets, made: map[string]bool{}}
	if spec.JailsDir == "" {
		spec.JailsDir = opts.JailsDir
	}
	if err := checkMirror(opts.Mirror); err != nil {
		return nil, err
	}
	p.facts = hostcheck.Gather(ctx, &hostcheck.LiveSource{Sys: sys, JailsDir: opts.JailsDir}, hostcheck.GatherOptions{JailsDir: opts.JailsDir})
	notes := []string{}
	hostRelease := mediaRelease(p.facts.Release)
	if spec.Release == "" {
		if hostRelease != "" {
			spec.Release = hostRelease
		} else {
			notes = append(notes, "the host's release could not be read; using "+render.DefaultRelease+" (give --release)")
		}
	}
	spec.Release = mediaRelease(spec.Release)
	hostArch, err := sys.Sysctl("hw.machine_arch")
	hostArch = strings.TrimSpace(hostArch)
	if hostArch == "aarch64" {
		hostArch = "arm64"
	}
	if spec.Arch == "" {
		if err == nil && hostArch != "" {
			spec.Arch = hostArch
		} else {
			notes = append(notes, "the host's architecture could not be read; using "+render.DefaultArch+" (give --arch)")
		}
	}
	v, err := render.NewValues(r, spec)
	if err != nil {
		return nil, err
	}
	p.v = v
	j := &v.Jail
	if err := p.checkRelease(hostRelease, hostArch); err != nil {
		return nil, err
	}
	if p.old, err = state.ReadState(sys, j.Name); err != nil {
		return nil, err
	}
	if err := p.checkName(); err != nil {
		return nil, err
	}
	if err := p.pickInterface(&notes); err != nil {
		return nil, err
	}
	if err := p.planVNet(&notes); err != nil {
		return nil, err
	}
	notes = append(notes, p.fillResolvers()...)
	findings, err := preflight(p.facts, v, opts.Force)
	if err != nil {
		return nil, err
	}
	notes = append(notes, preflightNote(findings)...)
	var unread []string
	for fact, why := range p.facts.Missing {
		switch fact {
		case hostcheck.FactSockets, hostcheck.FactJails, hostcheck.FactInterfaces:
			unread = append(unread, fmt.Sprintf("%s could not be read (%s): pre-flight checks that need it did not run", fact, why))
		}
	}
	slices.Sort(unread) // a map's order would make the plan differ run to run
	notes = append(notes, unread...)

	files, err := render.Render(v)
	if err != nil {
		return nil, err
	}
	p.plan = &plan.Plan{Command: "install", Jail: j.Name, Recipe: r.Name, Release: j.Release, Arch: j.Arch,
		Address: append(append([]string{}, j.IP4s...), j.IP6s...), Interface: j.Interface, Thin: !opts.Thick,
		Preflight: findings, Notes: notes, VNet: p.vnet}
	if p.old != nil {
		p.plan.Thin = p.old.Thin
	}
	p.st = p.newState()
	for _, jl := range p.facts.Jails {
		if jl.Name == j.Name {
			p.jailRunning = true
		}
	}
	_, err = sys.Lstat(j.Path)
	p.rootExists = err == nil

	if err := p.planMedia(); err != nil {
		return nil, err
	}
	p.planHostConfig()
	if err := p.planFiles(files, true); err != nil {
		return nil, err
	}
	p.planStart()
	if err := p.planFiles(files, false); err != nil {
		return nil, err
	}
	if err := p.planStale(files); err != nil {
		return nil, err
	}
	p.planServices()
	p.planPostCheck()
	if err := p.planState(files); err != nil {
		return nil, err
	}
	return p.plan, nil
}

// checkMirror accepts an http, https, ftp or file URL: it is handed to
// fetch(1) as an argument, so it must not look like an option.
func checkMirror(m string) error {
	u, err := url.Parse(m)
	bad := err != nil || u.Host == "" && u.Scheme != "file" || strings.ContainsFunc(m, func(r rune) bool { return r <= ' ' || r == 0x7f })
	switch {
	case bad:
	case u.Scheme == "http", u.Scheme == "https", u.Scheme == "ftp", u.Scheme == "file":
		return nil
	}
	return &inputerr.FieldError{Field: "--mirror", Problem: fmt.Sprintf("%q is not an http, https, ftp or file URL", m),
		Hint: "give a mirror such as " + DefaultMirror}
}

// checkRelease refuses a jail the host cannot run.
func (p *planner) checkRelease(hostRelease, hostArch string) error {
	j := p.v.Jail
	if hostRelease != "" {
		_, hmaj, hmin := hostcheck.ParseRelease([]byte(hostRelease))
		_, jmaj, jmin := hostcheck.ParseRelease([]byte(j.Release))
		if jmaj > hmaj || (jmaj == hmaj && jmin > hmin) {
			return &inputerr.FieldError{Field: "--release", Problem: fmt.Sprintf("%s is newer than the host's %s; a jail runs on the host's kernel", j.Release, hostRelease),
				Hint: "use --release " + hostRelease + " or an older release"}
		}
	}
	if hostArch != "" && j.Arch != hostArch && !(hostArch == "amd64" && j.Arch == "i386") {
		return &inputerr.FieldError{Field: "--arch", Problem: fmt.Sprintf("a %s host cannot run a %s jail", hostArch, j.Arch),
			Hint: "use --arch " + hostArch + " (or i386 on an amd64 host)"}
	}
	return nil
}

// checkName refuses a name that belongs to a jail jailkit did not make,
// or to a jailkit jail of another recipe.
func (p *planner) checkName() error {
	j := p.v.Jail
	if p.old != nil {
		if p.old.Recipe != p.v.Recipe.Name {
			return &inputerr.FieldError{Field: "--name", Problem: fmt.Sprintf("jail %s is already installed from the %s recipe", j.Name, p.old.Recipe),
				Hint: fmt.Sprintf("choose another --name, or run jailkit uninstall %s first", j.Name)}
		}
		return nil
	}
	taken := func(where string) error {
		return &inputerr.FieldError{Field: "--name", Problem: fmt.Sprintf("jail name %s is already taken (%s)", j.Name, where),
			Hint: "choose another --name; jailkit never takes over a jail it did not create"}
	}
	for _, jl := range p.facts.Jails {
		if jl.Name == j.Name {
			return taken("a running jail has it")
		}
	}
	for _, jl := range p.facts.Configured {
		if jl.Name == j.Name {
			return taken("configured in " + jl.Source)
		}
	}
	if p.exists(state.JailConfPath(j.Name)) {
		return taken(state.JailConfPath(j.Name) + " exists")
	}
	if p.exists(j.Path) {
		return taken(j.Path + " exists")
	}
	return nil
}

// pickInterface chooses the host interface for the jail's addresses: the
// one given, else the one whose subnet holds the address, else the first
// that is up and not a loopback.
func (p *planner) pickInterface(notes *[]string) error {
	j := &p.v.Jail
	if p.old != nil && j.Interface == "" {
		j.Interface = p.old.Interface
	}
	_, haveIfaces := p.facts.Missing[hostcheck.FactInterfaces]
	haveIfaces = !haveIfaces
	if j.Interface != "" {
		if !haveIfaces {
			return nil
		}
		for _, ifc := range p.facts.Interfaces {
			if ifc.Name == j.Interface {
				return nil
			}
		}
		hint := "use one of the host's interfaces (ifconfig -l)"
		if strings.HasPrefix(j.Interface, "lo") {
			hint = fmt.Sprintf("create it first: sysrc cloned_interfaces+=%s && service netif cloneup", j.Interface)
		}
		return &inputerr.FieldError{Field: "--interface", Problem: fmt.Sprintf("the host has no interface %s", j.Interface), Hint: hint}
	}
	if a, err := netip.ParseAddr(j.IP()); err == nil {
		for _, ifc := range p.facts.Interfaces {
			for _, pr := range ifc.Prefixes {
				if pr.Bits() < pr.Addr().BitLen() && pr.Masked().Contains(a) {
					j.Interface = ifc.Name
					return nil
				}
			}
		}
	}
	for _, ifc := range p.facts.Interfaces {
		if ifc.Up && !ifc.Loopback && len(ifc.Prefixes) > 0 {
			j.Interface = ifc.Name
			*notes = append(*notes, fmt.Sprintf("no host subnet holds %s; using interface %s (give --interface)", j.IP(), ifc.Name))
			return nil
		}
	}
	j.Interface = "em0"
	*notes = append(*notes, "the host's interfaces could not be read; using em0 (give --interface)")
	return nil
}

// fillResolvers copies the host's name servers into an empty resolvers
// parameter so pkg can resolve names inside the jail. Loopback servers
// (a local_unbound on the host) do not answer inside a jail and are left
// out.
func (p *planner) fillResolvers() []string {
	cur, _ := p.v.Params["resolvers"].([]any)
	if len(cur) > 0 {
		return nil
	}
	data, err := p.sys.ReadFile("/etc/resolv.conf")
	if err != nil {
		return []string{"the host's /etc/resolv.conf could not be read: give --set resolvers=ADDR so pkg works in the jail"}
	}
	var servers []any
	for _, ns := range ParseResolvConf(data) {
		if a, err := netip.ParseAddr(ns); err == nil && !a.IsLoopback() && !a.IsUnspecified() {
			servers = append(servers, a.String())
		}
	}
	if len(servers) == 0 {
		return []string{"the host's /etc/resolv.conf names no usable name server: give --set resolvers=ADDR so pkg works in the jail"}
	}
	p.v.Params["resolvers"] = servers
	return nil
}

// ParseResolvConf returns the nameserver addresses of a resolv.conf.
func ParseResolvConf(data []byte) []string {
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			out = append(out, f[1])
		}
	}
	return out
}

func (p *planner) newState() *state.State {
	j := p.v.Jail
	st := &state.State{Format: 1, Name: j.Name, Recipe: p.v.Recipe.Name, RecipeVersion: p.v.Recipe.Version,
		JailkitVersion: p.opts.Version, Hostname: j.Hostname, IP4: nonNilStrings(j.IP4s), IP6: nonNilStrings(j.IP6s),
		Interface: j.Interface, Release: j.Release, Arch: j.Arch, Thin: !p.opts.Thick, Path: j.Path,
		Conf: state.JailConfPath(j.Name), Params: p.v.Params, DevfsRuleset: 4,
		Packages: nonNilStrings(p.v.Packages()), Services: nonNilStrings(p.v.Services()), VNet: p.vnet}
	if p.old != nil {
		st.Thin = p.old.Thin
		st.Resources = append(st.Resources, p.old.Resources...)
		st.DevfsRuleset = p.old.DevfsRuleset
		if p.old.JailkitVersion != "" && p.opts.Version == "" {
			st.JailkitVersion = p.old.JailkitVersion
		}
	}
	if st.Resources == nil {
		st.Resources = []state.Resource{}
	}
	return st
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string{}, s...)
}

// mkdir plans a host directory and records which levels it creates.
// whole says the new directory's tree is jailkit's alone.
func (p *planner) mkdir(name, p2 string, mode fs.FileMode, whole, shared bool) bool {
	if p.exists(p2) {
		return false
	}
	first := p2
	var levels []string
	for d := p2; d != "/" && d != "."; d = path.Dir(d) {
		if p.exists(d) {
			break
		}
		first = d
		levels = append([]string{d}, levels...)
	}
	p.add(plan.Step{Name: name, Action: plan.ActMkdir, Path: p2, Mode: plan.ModeString(mode),
		Undo: []plan.Step{{Action: plan.ActRemoveAll, Path: first}}})
	for _, l := range levels {
		p.made[l] = true
		// A parent made on the way (/usr/local/jails, /var/db/jailkit)
		// serves every jail: it is shared whatever the new directory is.
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResDir, Path: l, Whole: whole && l == p2, Shared: shared || l != p2})
	}
	return true
}

// planMedia fetches and verifies base.txz and makes the jail root.
func (p *planner) planMedia() error {
	j := p.v.Jail
	if p.rootExists {
		return nil
	}
	jd := p.opts.JailsDir
	media := MediaDir(jd, j.Release, j.Arch)
	manifestPath, basePath := media+"/MANIFEST", media+"/base.txz"
	manifestURL, baseURL := ReleaseURL(p.opts.Mirror, j.Release, j.Arch, "MANIFEST"), ReleaseURL(p.opts.Mirror, j.Release, j.Arch, "base.txz")

	// The MANIFEST is read now: from the cache, or fetched to memory (a
	// read-only command), so an unknown release is refused before
	// anything changes.
	manifest, cached := []byte(nil), false
	if data, err := p.sys.ReadFile(manifestPath); err == nil {
		manifest, cached = data, true
	} else {
		out, err := p.sys.Run(p.ctx, system.Cmd{Argv: []string{"fetch", "-o", "-", manifestURL}})
		switch {
		case err == nil:
			manifest = out
		case errors.Is(err, system.ErrNoCommand) || errors.Is(err, system.ErrNoExec):
			p.plan.Notes = append(p.plan.Notes, "the release MANIFEST could not be fetched here ("+err.Error()+"); the sum is checked when the install runs")
		case fetchSaysMissing(err):
			return &inputerr.FieldError{Field: "--release", Problem: fmt.Sprintf("FreeBSD %s for %s is not on %s (%s)", j.Release, j.Arch, p.opts.Mirror, manifestURL),
				Hint: "use a release the mirror has, such as " + render.DefaultRelease + ", or give --mirror"}
		default:
			return fmt.Errorf("fetch the %s MANIFEST: %w", j.Release, err)
		}
	}
	sum := ""
	if manifest != nil {
		m, err := freebsd.ParseManifest(manifest)
		if err != nil {
			return fmt.Errorf("%s: %w", manifestURL, err)
		}
		e, ok := m["base.txz"]
		if !ok {
			return fmt.Errorf("%s lists no base.txz", manifestURL)
		}
		sum = e.SHA256
	}
	p.mkdir("create the media cache for "+j.Release+" "+j.Arch, media, 0o755, true, true)
	if !cached {
		if manifest != nil {
			p.add(plan.Step{Name: "save the " + j.Release + " MANIFEST", Action: plan.ActWrite, Path: manifestPath, Mode: "0644",
				Content: plan.Content(manifest), Undo: []plan.Step{{Action: plan.ActRemove, Path: manifestPath}}})
		} else {
			p.add(plan.Step{Name: "fetch the " + j.Release + " MANIFEST", Action: plan.ActRun, Argv: []string{"fetch", "-o", manifestPath, manifestURL},
				Undo: []plan.Step{{Action: plan.ActRemove, Path: manifestPath}}})
		}
	}
	baseCached := false
	if cached && p.exists(basePath) {
		baseCached = true
	}
	if !baseCached {
		p.add(plan.Step{Name: "fetch base.txz of " + j.Release + " " + j.Arch, Action: plan.ActRun, Argv: []string{"fetch", "-o", basePath, baseURL},
			Progress: true, Undo: []plan.Step{{Action: plan.ActRemove, Path: basePath}}})
	}
	p.add(plan.Step{Name: "verify base.txz against the MANIFEST", Action: plan.ActVerify, Path: basePath, SHA256: sum, Target: manifestPath})

	if !p.opts.Thick {
		base := BaseDir(jd, j.Release, j.Arch)
		if p.mkdir("create the shared base for thin jails", base, 0o755, true, true) {
			p.add(plan.Step{Name: "extract base.txz into the shared base", Action: plan.ActRun,
				Argv: []string{"tar", "-xf", basePath, "-C", base, "--unlink"}, Progress: true,
				Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"chflags", "-R", "0", base}}}})
			p.update(base)
		}
	}
	if ds := p.zfsParent(path.Dir(j.Path)); ds != "" {
		// The containers directory is a dataset: each jail root is a
		// child dataset, so it can be snapshotted, sent and destroyed
		// on its own.
		name := ds + "/" + j.Name
		p.add(plan.Step{Name: "create the jail root as ZFS dataset " + name, Action: plan.ActRun, Argv: []string{"zfs", "create", name},
			Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"zfs", "destroy", "-r", name}}}})
		p.made[j.Path] = true
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResDataset, Name: name, Path: j.Path})
	} else {
		p.mkdir("create the jail root", j.Path, 0o755, true, false)
	}
	argv := []string{"tar", "-xf", basePath, "-C", j.Path, "--unlink"}
	what := "extract base.txz into the jail root"
	if !p.opts.Thick {
		argv = append(argv, thinOwn...)
		what = "extract the jail's own etc, var, root, tmp and dev"
	}
	p.add(plan.Step{Name: what, Action: plan.ActRun, Argv: argv, Progress: p.opts.Thick,
		Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"chflags", "-R", "0", j.Path}}}})
	if p.opts.Thick {
		p.update(j.Path)
	}
	var dirs []string
	if !p.opts.Thick {
		dirs = append(dirs, thinMounts...)
		dirs = append(dirs, "/usr/local")
	}
	for _, m := range p.v.Recipe.Host.Mounts {
		dirs = append(dirs, m.Path)
	}
	if len(dirs) > 0 {
		p.add(plan.Step{Name: "create the mount points in the jail root", Action: plan.ActMkdir, Root: j.Path, Paths: dirs, Mode: "0755"})
	}
	return nil
}

// zfsParent returns the ZFS dataset mounted exactly at dir, or "" when
// there is none (or no ZFS). Only an exact match counts: creating
// datasets on the way would mount them over directories that may hold
// other jails.
func (p *planner) zfsParent(dir string) string {
	out, err := p.sys.Run(p.ctx, system.Cmd{Argv: []string{"zfs", "list", "-H", "-o", "name,mountpoint"}})
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, mnt, ok := strings.Cut(line, "\t")
		if ok && strings.TrimSpace(mnt) == dir && state.ValidDataset(name) {
			return name
		}
	}
	return ""
}

// update applies the release's security patches to a freshly extracted
// base: base.txz is the release as shipped (-p0). freebsd-update knows
// RELEASE (and BETA/RC) builds only.
func (p *planner) update(root string) {
	r := p.v.Jail.Release
	if !strings.Contains(r, "-RELEASE") && !strings.Contains(r, "-BETA") && !strings.Contains(r, "-RC") {
		return
	}
	p.add(plan.Step{Name: "apply the security patches of " + r + " to " + root, Action: plan.ActRun, Progress: true,
		Argv: []string{"freebsd-update", "-b", root, "--currently-running", r, "--not-running-from-cron", "fetch", "install"}})
}

// sendmailOff are the host rc.conf settings that stop every sendmail
// daemon rc.sendmail would start.
var sendmailOff = []recipe.RCVar{
	{Name: "sendmail_enable", Value: "NONE"},
	{Name: "sendmail_submit_enable", Value: "NO"},
	{Name: "sendmail_outbound_enable", Value: "NO"},
	{Name: "sendmail_msp_queue_enable", Value: "NO"},
}

// sendmailRunning reports whether the host's sockets show sendmail.
func (p *planner) sendmailRunning() bool {
	for _, s := range p.facts.Sockets {
		if s.Command == "sendmail" {
			return true
		}
	}
	return false
}

// planHostConfig writes /etc/jail.conf.d/NAME.conf, the .include line,
// the devfs ruleset and the host's rc.conf settings.
func (p *planner) planHostConfig() {
	j := p.v.Jail
	rs := p.st.DevfsRuleset
	var devfsNew string
	switch {
	case len(p.v.Recipe.Host.DevfsUnhide) > 0 && (p.old == nil || p.old.DevfsRuleset == 4 || p.old.DevfsRuleset == 0):
		rs = p.freeRuleset()
		devfsNew = devfsBlock(j.Name, rs, p.v.Recipe.Host.DevfsUnhide, p.vnet != nil)
	case p.vnet != nil && p.old == nil:
		// devfsrules_jail_vnet: devfsrules_jail plus pf.
		rs = 5
	}
	p.st.DevfsRuleset = rs
	base := ""
	if p.st.Thin {
		base = BaseDir(p.opts.JailsDir, j.Release, j.Arch)
	}
	conf := renderJailConf(jailConfInput{v: p.v, iface: j.Interface, devfsRuleset: rs, base: base, vnet: p.vnet})

	// Backups go first so every later edit has one.
	backup := func(file string) {
		if !p.backupDir {
			p.mkdir("create the backup directory", state.BackupDir(j.Name), 0o700, true, false)
			p.backupDir = true
		}
		target := state.BackupPath(j.Name, file)
		p.add(plan.Step{Name: "back up " + file, Action: plan.ActBackup, Path: file, Target: target,
			Undo: []plan.Step{{Action: plan.ActRemove, Path: target}}})
		if !slices.ContainsFunc(p.st.Resources, func(r state.Resource) bool { return r.Kind == state.ResBackup && r.Path == target }) {
			p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResBackup, Path: target})
		}
	}

	confDirMade := p.mkdir("create "+state.JailConfDir, state.JailConfDir, 0o755, false, true)
	_ = confDirMade
	old, err := p.sys.ReadFile(state.JailConfPath(j.Name))
	switch {
	case err != nil:
		p.add(plan.Step{Name: "write " + state.JailConfPath(j.Name), Action: plan.ActWrite, Path: state.JailConfPath(j.Name), Mode: "0644",
			Content: plan.Content(conf), Undo: []plan.Step{{Action: plan.ActRemove, Path: state.JailConfPath(j.Name)}}})
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResFile, Path: state.JailConfPath(j.Name)})
	case !bytes.Equal(old, conf):
		undo := []plan.Step{{Action: plan.ActWrite, Path: state.JailConfPath(j.Name), Mode: "0644", Content: plan.Content(old)}}
		p.add(plan.Step{Name: "rewrite " + state.JailConfPath(j.Name), Action: plan.ActWrite, Path: state.JailConfPath(j.Name), Mode: "0644",
			Content: plan.Content(conf), Diff: plan.UnifiedDiff(state.JailConfPath(j.Name), old, conf), Undo: undo})
		if p.jailRunning {
			p.restarted = true
		}
	}

	// The .include line in /etc/jail.conf: added, never rewritten.
	jc, err := p.sys.ReadFile("/etc/jail.conf")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		line := IncludeLine + "\n"
		p.add(plan.Step{Name: "create /etc/jail.conf with the .include line", Action: plan.ActWrite, Path: "/etc/jail.conf", Mode: "0644",
			Content: plan.Content([]byte(line)), Undo: []plan.Step{{Action: plan.ActRemove, Path: "/etc/jail.conf"}}})
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResLine, Path: "/etc/jail.conf", Text: line, Created: true, Shared: true})
	case err == nil && !HasInclude(jc):
		backup("/etc/jail.conf")
		line := IncludeLine + "\n"
		next := appendText(jc, line)
		p.add(plan.Step{Name: "add the .include line to /etc/jail.conf", Action: plan.ActWrite, Path: "/etc/jail.conf", Mode: "0644",
			Content: plan.Content(next), Diff: plan.UnifiedDiff("/etc/jail.conf", jc, next),
			Undo: []plan.Step{{Action: plan.ActWrite, Path: "/etc/jail.conf", Mode: "0644", Content: plan.Content(jc)}}})
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResLine, Path: "/etc/jail.conf", Text: line, Shared: true})
	}

	if devfsNew != "" {
		rules, err := p.sys.ReadFile("/etc/devfs.rules")
		existed := err == nil
		if existed {
			backup("/etc/devfs.rules")
		}
		next := appendText(rules, devfsNew)
		undo := []plan.Step{{Action: plan.ActRemove, Path: "/etc/devfs.rules"}}
		if existed {
			undo = []plan.Step{{Action: plan.ActWrite, Path: "/etc/devfs.rules", Mode: "0644", Content: plan.Content(rules)}}
		}
		undo = append(undo, plan.Step{Action: plan.ActRun, Argv: []string{"service", "devfs", "restart"}})
		s := plan.Step{Name: fmt.Sprintf("add devfs ruleset %d to /etc/devfs.rules", rs), Action: plan.ActWrite, Path: "/etc/devfs.rules",
			Mode: "0644", Content: plan.Content(next), Undo: undo}
		if existed {
			s.Diff = plan.UnifiedDiff("/etc/devfs.rules", rules, next)
		}
		p.add(s)
		p.add(plan.Step{Name: "load the devfs rules", Action: plan.ActRun, Argv: []string{"service", "devfs", "restart"}})
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResDevfs, Path: "/etc/devfs.rules", Text: devfsNew, Created: !existed})
	}

	// rc.conf on the host: jail_enable and what the recipe needs, in one
	// sysrc call.
	rcData, _ := p.sys.ReadFile("/etc/rc.conf")
	rc := hostcheck.NewRCConf()
	rc.Parse("/etc/rc.conf", rcData)
	want := []recipe.RCVar{{Name: "jail_enable", Value: "YES"}}
	want = append(want, p.v.Recipe.Host.RCConf...)
	bridgeVars := p.bridgeVars(func(name string) (string, bool) {
		v, ok := rc.Lookup(name)
		return v.Value, ok
	})
	want = append(want, bridgeVars...)
	if p.v.Recipe.Host.SendmailOff {
		// A mail jail takes port 25 on its address; the host's sendmail
		// must be fully off. "NO" alone still runs the submit queue on
		// 127.0.0.1:25, so the four settings rc.sendmail reads are set.
		want = append(want, sendmailOff...)
	}
	var set, unset, restore []string
	for _, w := range want {
		cur, had := rc.Lookup(w.Name)
		if had && cur.Value == w.Value {
			continue
		}
		if had && strings.EqualFold(cur.Value, w.Value) {
			continue
		}
		set = append(set, w.Name+"="+w.Value)
		if had {
			restore = append(restore, w.Name+"="+cur.Value)
		} else {
			unset = append(unset, w.Name)
		}
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResRCVar, Path: "/etc/rc.conf", Name: w.Name, Value: w.Value,
			Old: cur.Value, HadOld: had, Shared: w.Name == "jail_enable" || slices.Contains(bridgeVars, w)})
	}
	if len(set) > 0 {
		if rcData != nil {
			backup("/etc/rc.conf")
		}
		var undo []plan.Step
		if len(unset) > 0 {
			undo = append(undo, plan.Step{Action: plan.ActRun, Argv: append([]string{"sysrc", "-x"}, unset...)})
		}
		if len(restore) > 0 {
			undo = append(undo, plan.Step{Action: plan.ActRun, Argv: append([]string{"sysrc"}, restore...)})
		}
		p.add(plan.Step{Name: "set " + strings.Join(set, " ") + " in the host's rc.conf", Action: plan.ActRun,
			Argv: append([]string{"sysrc"}, set...), Undo: undo})
	}
	p.planBridgeNow()
	if p.v.Recipe.Host.SendmailOff && p.sendmailRunning() {
		p.add(plan.Step{Name: "stop the host's sendmail", Action: plan.ActRun, Argv: []string{"service", "sendmail", "onestop"},
			Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"service", "sendmail", "onestart"}}}})
	}
	for _, m := range p.v.Recipe.Host.KernelModules {
		if slices.Contains(p.facts.Modules, m) {
			continue
		}
		p.add(plan.Step{Name: "load kernel module " + m, Action: plan.ActRun, Argv: []string{"kldload", "-n", m},
			Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"kldunload", m}}}})
	}
}

// freeRuleset returns a devfs ruleset number no file uses: 10 or above,
// never 5 (devfsrules_jail_vnet) or anything below.
func (p *planner) freeRuleset() int {
	n := 9
	if p.facts.Devfs != nil {
		for _, s := range p.facts.Devfs.Sets {
			if s.Number > n {
				n = s.Number
			}
		}
	}
	return n + 1
}

// planFiles writes the jail's files: with base set, the common base (rc.conf,
// resolv.conf: they must be there before pkg runs); otherwise the
// recipe's own directories and files, written after the packages so the
// users they belong to exist.
func (p *planner) planFiles(files []render.File, base bool) error {
	j := p.v.Jail
	var jsys system.System
	if p.rootExists {
		var err error
		if jsys, err = p.sys.OpenRoot(j.Path); err != nil {
			return fmt.Errorf("open the jail root %s: %w", j.Path, err)
		}
	}
	isBase := func(f render.File) bool {
		// rc.conf.d files are read by the jail's rc when it starts: a
		// VNET jail's netif and routing must be there before it starts,
		// or pkg finds no network.
		return !f.Dir && (f.Path == "/etc/rc.conf" || f.Path == "/etc/resolv.conf" || f.Path == "/etc/fstab" ||
			strings.HasPrefix(f.Path, "/usr/local/etc/syslog.d/") || strings.HasPrefix(f.Path, "/etc/rc.conf.d/"))
	}
	for _, f := range files {
		if isBase(f) != base {
			continue
		}
		mode := plan.ModeString(f.Mode)
		if f.Dir {
			// Undone only when empty: rollback has removed what later
			// steps put in it by then.
			undo := []plan.Step{{Action: plan.ActRmdir, Root: j.Path, Path: f.Path}}
			name := "create " + f.Path + " in the jail"
			if jsys != nil {
				fi, err := jsys.Lstat(f.Path)
				switch {
				case err == nil && fi.IsDir() && fi.Mode().Perm() == f.Mode.Perm():
					continue
				case err == nil && fi.IsDir():
					// There already: only its mode changes, and back.
					name = "set the mode of " + f.Path + " in the jail"
					undo = []plan.Step{{Action: plan.ActMkdir, Root: j.Path, Path: f.Path, Mode: plan.ModeString(fi.Mode())}}
				case err != nil && !errors.Is(err, fs.ErrNotExist):
					return jailPathError(j, f.Path, err)
				}
			}
			p.add(plan.Step{Name: name, Action: plan.ActMkdir, Root: j.Path, Path: f.Path, Mode: mode,
				Owner: f.Owner, Group: f.Group, Undo: undo})
			continue
		}
		var old []byte
		existed := false
		if jsys != nil {
			data, err := jsys.ReadFile(f.Path)
			switch {
			case err == nil:
				old, existed = data, true
				fi, serr := jsys.Lstat(f.Path)
				if bytes.Equal(data, f.Content) && serr == nil && fi.Mode().Perm() == f.Mode.Perm() {
					continue
				}
			case errors.Is(err, fs.ErrNotExist):
			default:
				return jailPathError(j, f.Path, err)
			}
		}
		s := plan.Step{Name: "write " + f.Path + " in the jail", Action: plan.ActWrite, Root: j.Path, Path: f.Path, Mode: mode,
			Owner: f.Owner, Group: f.Group, Content: plan.Content(f.Content)}
		if existed {
			s.Name = "rewrite " + f.Path + " in the jail"
			s.Diff = plan.UnifiedDiff(f.Path, old, f.Content)
			s.Undo = []plan.Step{{Action: plan.ActWrite, Root: j.Path, Path: f.Path, Mode: mode, Owner: f.Owner, Group: f.Group, Content: plan.Content(old)}}
		} else {
			s.Undo = []plan.Step{{Action: plan.ActRemove, Root: j.Path, Path: f.Path}}
		}
		if p.rootExists {
			p.changed = true
			if p.vnet != nil && p.jailRunning && strings.HasPrefix(f.Path, "/etc/rc.conf.d/") {
				// A VNET jail's rc reads its netif and routing only
				// when the jail starts: a new address needs a restart.
				p.restarted = true
			}
		}
		p.add(s)
	}
	return nil
}

// planStale removes files an earlier install wrote that the recipe no
// longer renders with these values (a loghost that was unset, say), but
// only while they still hold what jailkit wrote: a file the jail's admin
// changed since is left alone.
func (p *planner) planStale(files []render.File) error {
	if p.old == nil || !p.rootExists {
		return nil
	}
	j := p.v.Jail
	now := map[string]bool{}
	for _, f := range files {
		now[f.Path] = true
	}
	jsys, err := p.sys.OpenRoot(j.Path)
	if err != nil {
		return fmt.Errorf("open the jail root %s: %w", j.Path, err)
	}
	for _, rec := range p.old.Files {
		if rec.Dir || now[rec.Path] || recipe.CheckJailPath(rec.Path) != nil {
			continue
		}
		data, err := jsys.ReadFile(rec.Path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return jailPathError(j, rec.Path, err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != rec.SHA256 {
			p.plan.Notes = append(p.plan.Notes, fmt.Sprintf("%s in the jail is no longer rendered but was changed since jailkit wrote it; left as it is", rec.Path))
			continue
		}
		p.add(plan.Step{Name: "remove " + rec.Path + " from the jail (no longer rendered)", Action: plan.ActRemove, Root: j.Path, Path: rec.Path,
			Undo: []plan.Step{{Action: plan.ActWrite, Root: j.Path, Path: rec.Path, Mode: rec.Mode, Owner: rec.Owner, Group: rec.Group, Content: plan.Content(data)}}})
		p.changed = true
	}
	return nil
}

// jailPathError explains a path inside the jail that cannot be used,
// typically a symlink its root user planted that leads outside.
func jailPathError(j render.Jail, p string, err error) error {
	if system.Escapes(err) {
		return fmt.Errorf("%s in jail %s: %w (%v)", p, j.Name, system.ErrEscapes, err)
	}
	return fmt.Errorf("%s in jail %s: %w", p, j.Name, err)
}

// planStart starts the jail and installs the packages.
func (p *planner) planStart() {
	j := p.v.Jail
	conf := state.JailConfPath(j.Name)
	switch {
	case !p.jailRunning:
		p.add(plan.Step{Name: "start jail " + j.Name, Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-c", j.Name},
			Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-r", j.Name}}}})
		p.jailStarted = true
	case p.restarted:
		restart := plan.Step{Name: "restart jail " + j.Name + " with its new parameters", Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-rc", j.Name}}
		restart.UndoAfter = []plan.Step{{Action: plan.ActRun, Argv: restart.Argv}}
		for _, svc := range p.v.Services() {
			restart.UndoAfter = append(restart.UndoAfter, plan.Step{Action: plan.ActRun, Argv: []string{"service", "-j", j.Name, svc, "restart"}})
		}
		p.add(restart)
		p.jailStarted = true
	}
	pkgs := p.v.Packages()
	if p.old != nil && p.rootExists {
		var missing []string
		for _, pk := range pkgs {
			if !slices.Contains(p.old.Packages, pk) {
				missing = append(missing, pk)
			}
		}
		pkgs = missing
		if len(pkgs) > 0 {
			p.add(plan.Step{Name: "install " + strings.Join(pkgs, " ") + " in the jail", Action: plan.ActRun,
				Argv: append([]string{"pkg", "-j", j.Name, "install", "-y"}, pkgs...), Progress: true,
				Undo: []plan.Step{{Action: plan.ActRun, Argv: append([]string{"pkg", "-j", j.Name, "delete", "-y"}, pkgs...)}}})
			p.changed = true
		}
		return
	}
	if len(pkgs) == 0 {
		return
	}
	p.add(plan.Step{Name: "bootstrap pkg in the jail", Action: plan.ActRun, Argv: []string{"jexec", "-l", j.Name, "/usr/sbin/pkg", "bootstrap", "-y"}, Progress: true})
	p.add(plan.Step{Name: "install " + strings.Join(pkgs, " ") + " in the jail", Action: plan.ActRun,
		Argv: append([]string{"pkg", "-j", j.Name, "install", "-y"}, pkgs...), Progress: true})
}

// planServices starts the recipe's services, or restarts them when their
// files changed.
func (p *planner) planServices() {
	j := p.v.Jail
	for _, svc := range p.v.Services() {
		switch {
		case p.jailStarted && !p.restarted && !p.rootExists:
			// A new jail: the service was not installed when the jail
			// started, so nothing runs it yet.
			p.add(plan.Step{Name: "start " + svc + " in the jail", Action: plan.ActRun, Argv: []string{"service", "-j", j.Name, svc, "start"},
				Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"service", "-j", j.Name, svc, "stop"}}}})
		case p.jailStarted || p.restarted || p.changed:
			// A jail that existed and is (re)started ran its rc.d
			// scripts already; restart works whether the service runs.
			// Rolled back, the service is restarted once its files are
			// as they were.
			restart := plan.Step{Name: "restart " + svc + " in the jail", Action: plan.ActRun, Argv: []string{"service", "-j", j.Name, svc, "restart"}}
			restart.UndoAfter = []plan.Step{{Action: plan.ActRun, Argv: restart.Argv}}
			p.add(restart)
		}
	}
}

// planPostCheck looks at the jail's sockets: each port of the recipe must
// listen on the jail's address, and none on "*".
func (p *planner) planPostCheck() {
	ports := Planned(p.v).Ports
	if len(ports) == 0 {
		return
	}
	j := p.v.Jail
	var want []string
	expect := &plan.Listeners{}
	for _, pt := range ports {
		want = append(want, pt.String())
		expect.Ports = append(expect.Ports, plan.Port{Proto: pt.Proto, Port: pt.Port})
	}
	addrs := append(append([]string{}, j.IP4s...), j.IP6s...)
	expect.Addrs = addrs
	argv := []string{"sockstat", "-46l", "-j", j.Name}
	if p.vnet != nil {
		// The jail's sockets are in its own network stack, which the
		// host's sockstat does not see: look from inside.
		argv = []string{"jexec", j.Name, "sockstat", "-46l"}
	}
	p.add(plan.Step{Name: fmt.Sprintf("check that %s listens on %s only", strings.Join(want, ", "), strings.Join(addrs, ", ")),
		Action: plan.ActCheck, Argv: argv, Expect: expect})
}

// planState writes the state file when it differs from what is there.
func (p *planner) planState(files []render.File) error {
	for _, f := range files {
		rec := state.FileRecord{Path: f.Path, Dir: f.Dir, Mode: plan.ModeString(f.Mode), Owner: f.Owner, Group: f.Group}
		if !f.Dir {
			sum := sha256.Sum256(f.Content)
			rec.SHA256 = hex.EncodeToString(sum[:])
		}
		p.st.Files = append(p.st.Files, rec)
	}
	p.st.Sets = nonNilStrings(p.sets)
	data := p.st.Marshal()
	old, err := p.sys.ReadFile(state.StatePath(p.v.Jail.Name))
	if err == nil && bytes.Equal(old, data) {
		return nil
	}
	s := plan.Step{Name: "record the jail in " + state.StatePath(p.v.Jail.Name), Action: plan.ActWrite, Path: state.StatePath(p.v.Jail.Name), Mode: "0644",
		Content: plan.Content(data), Undo: []plan.Step{{Action: plan.ActRemove, Path: state.StatePath(p.v.Jail.Name)}}}
	if err == nil {
		s.Diff = plan.UnifiedDiff(state.StatePath(p.v.Jail.Name), old, data)
		s.Undo = []plan.Step{{Action: plan.ActWrite, Path: state.StatePath(p.v.Jail.Name), Mode: "0644", Content: plan.Content(old)}}
	} else if !p.exists(state.StateDir) {
		p.mkdir("create "+state.StateDir, state.StateDir, 0o700, false, true)
	}
	p.add(s)
	return nil
}

// Install takes the host lock, plans the install and applies it. The
// plan is returned even when applying it failed, for the report.
func Install(ctx context.Context, sys system.System, r *recipe.Recipe, spec render.JailSpec, opts Options) (*plan.Plan, error) {
	opts.Defaults()
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
