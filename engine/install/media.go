package install

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// DefaultMirror is where release media come from unless --mirror says
// otherwise.
const DefaultMirror = "https://download.freebsd.org"

// machine returns the mirror's machine and machine_arch directory names.
func machine(arch string) (string, string) {
	switch arch {
	case "arm64", "aarch64":
		return "arm64", "aarch64"
	}
	return arch, arch
}

// ReleaseURL returns the URL of a file of a release on a mirror.
func ReleaseURL(mirror, release, arch, file string) string {
	m, ma := machine(arch)
	return strings.TrimRight(mirror, "/") + "/releases/" + m + "/" + ma + "/" + release + "/" + file
}

// MediaDir is the cache of a release's sets on the host.
func MediaDir(jailsDir, release, arch string) string {
	return path.Join(jailsDir, "media", release+"-"+arch)
}

// BaseDir is the shared, read-only base of thin jails of a release.
func BaseDir(jailsDir, release, arch string) string {
	return path.Join(jailsDir, "templates", release+"-"+arch)
}

// patchRE matches a release's patch level.
var patchRE = regexp.MustCompile(`-p[0-9]+$`)

// mediaRelease drops a patch level: 14.3-RELEASE-p2 comes from the
// 14.3-RELEASE media.
func mediaRelease(r string) string { return patchRE.ReplaceAllString(r, "") }

// fetchSaysMissing says whether fetch(1) failed because the file is not
// on the mirror. fetch exits 1 whatever went wrong (usr.bin/fetch/fetch.c)
// and tells why only in its diagnostic, "URL: REASON", where REASON is
// libfetch's text: HTTP 404 and 410 read "Not Found" and "Gone"
// (lib/libfetch/http.errors), a missing file:// path reads strerror(ENOENT).
func fetchSaysMissing(err error) bool {
	var xe *system.ExitError
	if !errors.As(err, &xe) {
		return false
	}
	for _, reason := range []string{": Not Found", ": Gone", ": No such file or directory"} {
		if strings.Contains(xe.Stderr, reason) {
			return true
		}
	}
	return false
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

// releaseFiles says where a release's MANIFEST and base.txz come from
// and where they are cached on the host.
type releaseFiles struct {
	dir, manifest, base  string
	manifestURL, baseURL string
}

// releaseFiles returns the media of the jail's release and architecture.
func (p *planner) releaseFiles() releaseFiles {
	j := p.v.Jail
	dir := MediaDir(p.opts.JailsDir, j.Release, j.Arch)
	return releaseFiles{dir: dir, manifest: dir + "/MANIFEST", base: dir + "/base.txz",
		manifestURL: ReleaseURL(p.opts.Mirror, j.Release, j.Arch, "MANIFEST"), baseURL: ReleaseURL(p.opts.Mirror, j.Release, j.Arch, "base.txz")}
}

// planMedia fetches and verifies base.txz and makes the jail root.
func (p *planner) planMedia() error {
	if p.rootExists {
		return nil
	}
	rf := p.releaseFiles()
	manifest, cached, err := p.readManifest(rf)
	if err != nil {
		return err
	}
	sum := ""
	if manifest != nil {
		if sum, err = baseSum(manifest, rf.manifestURL); err != nil {
			return err
		}
	}
	p.planFetch(rf, manifest, cached, sum)
	if !p.opts.Thick {
		p.planSharedBase(rf.base)
	}
	p.planRoot()
	p.planExtract(rf.base)
	return nil
}

// readManifest reads the MANIFEST now: from the cache, or fetched to
// memory (a read-only command), so an unknown release is refused before
// anything changes. cached says it came from the cache; the MANIFEST is
// nil when fetch cannot run here (not installed, or a System that runs
// no commands).
func (p *planner) readManifest(rf releaseFiles) (manifest []byte, cached bool, err error) {
	j := p.v.Jail
	if data, err := p.sys.ReadFile(rf.manifest); err == nil {
		return data, true, nil
	}
	out, err := p.sys.Run(p.ctx, system.Cmd{Argv: []string{"fetch", "-o", "-", rf.manifestURL}})
	switch {
	case err == nil:
		return out, false, nil
	case errors.Is(err, system.ErrNoCommand) || errors.Is(err, system.ErrNoExec):
		p.plan.Notes = append(p.plan.Notes, "the release MANIFEST could not be fetched here ("+err.Error()+"); the sum is checked when the install runs")
		return nil, false, nil
	case fetchSaysMissing(err):
		return nil, false, &inputerr.FieldError{Field: "--release", Problem: fmt.Sprintf("FreeBSD %s for %s is not on %s (%s)", j.Release, j.Arch, p.opts.Mirror, rf.manifestURL),
			Hint: "use a release the mirror has, such as " + render.DefaultRelease + ", or give --mirror"}
	default:
		return nil, false, fmt.Errorf("fetch the %s MANIFEST: %w", j.Release, err)
	}
}

// baseSum returns the SHA-256 the MANIFEST gives for base.txz.
func baseSum(manifest []byte, manifestURL string) (string, error) {
	m, err := freebsd.ParseManifest(manifest)
	if err != nil {
		return "", fmt.Errorf("%s: %w", manifestURL, err)
	}
	e, ok := m["base.txz"]
	if !ok {
		return "", fmt.Errorf("%s lists no base.txz", manifestURL)
	}
	return e.SHA256, nil
}

// planFetch fills the media cache with what it lacks of the MANIFEST and
// base.txz, and verifies base.txz against sum ("" leaves the sum to be
// read from the saved MANIFEST when the install runs).
func (p *planner) planFetch(rf releaseFiles, manifest []byte, cached bool, sum string) {
	j := p.v.Jail
	p.mkdir("create the media cache for "+j.Release+" "+j.Arch, rf.dir, 0o755, true, true)
	if !cached {
		if manifest != nil {
			p.add(plan.Step{Name: "save the " + j.Release + " MANIFEST", Action: plan.ActWrite, Path: rf.manifest, Mode: "0644",
				Content: plan.Content(manifest), Undo: []plan.Step{{Action: plan.ActRemove, Path: rf.manifest}}})
		} else {
			p.add(plan.Step{Name: "fetch the " + j.Release + " MANIFEST", Action: plan.ActRun, Argv: []string{"fetch", "-o", rf.manifest, rf.manifestURL},
				Undo: []plan.Step{{Action: plan.ActRemove, Path: rf.manifest}}})
		}
	}
	if !cached || !p.exists(rf.base) {
		p.add(plan.Step{Name: "fetch base.txz of " + j.Release + " " + j.Arch, Action: plan.ActRun, Argv: []string{"fetch", "-o", rf.base, rf.baseURL},
			Progress: true, Undo: []plan.Step{{Action: plan.ActRemove, Path: rf.base}}})
	}
	p.add(plan.Step{Name: "verify base.txz against the MANIFEST", Action: plan.ActVerify, Path: rf.base, SHA256: sum, Target: rf.manifest})
}

// planSharedBase extracts the base thin jails share, unless an earlier
// install did.
func (p *planner) planSharedBase(basePath string) {
	base := p.thinBase()
	if p.mkdir("create the shared base for thin jails", base, 0o755, true, true) {
		p.add(plan.Step{Name: "extract base.txz into the shared base", Action: plan.ActRun,
			Argv: []string{"tar", "-xf", basePath, "-C", base, "--unlink"}, Progress: true,
			Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"chflags", "-R", "0", base}}}})
		p.update(base)
	}
}

// planRoot makes the jail root: a ZFS dataset when its parent is one, a
// directory otherwise.
func (p *planner) planRoot() {
	j := p.v.Jail
	ds := p.zfsParent(path.Dir(j.Path))
	if ds == "" {
		p.mkdir("create the jail root", j.Path, 0o755, true, false)
		return
	}
	// The containers directory is a dataset: each jail root is a
	// child dataset, so it can be snapshotted, sent and destroyed
	// on its own.
	name := ds + "/" + j.Name
	p.add(plan.Step{Name: "create the jail root as ZFS dataset " + name, Action: plan.ActRun, Argv: []string{"zfs", "create", name},
		Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"zfs", "destroy", "-r", name}}}})
	p.made[j.Path] = true
	p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResDataset, Name: name, Path: j.Path})
}

// planExtract puts the jail's files in its root and makes the mount
// points. A thick jail gets all of base.txz, patched in place. A thin
// jail copies its own etc, var, root, tmp and dev from the shared base,
// which freebsd-update patched just after extracting it: taken from
// base.txz they would be the release as shipped (-p0), and a later
// freebsd-update -b of the jail root would have to merge /etc while
// jailkit's files are in it. cp -Rp keeps modes, owners, flags and
// symlinks (bin/cp/cp.c: -R copies links as links, -p sets the rest).
func (p *planner) planExtract(basePath string) {
	j := p.v.Jail
	argv := []string{"tar", "-xf", basePath, "-C", j.Path, "--unlink"}
	what := "extract base.txz into the jail root"
	if !p.opts.Thick {
		base := p.thinBase()
		argv = []string{"cp", "-Rp"}
		for _, own := range thinOwn {
			argv = append(argv, path.Join(base, own))
		}
		argv = append(argv, j.Path)
		what = "copy the jail's own etc, var, root, tmp and dev from the patched shared base"
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
	if p.st.Ports {
		dirs = append(dirs, PortsDir)
	}
	if len(dirs) > 0 {
		p.add(plan.Step{Name: "create the mount points in the jail root", Action: plan.ActMkdir, Root: j.Path, Paths: dirs, Mode: "0755"})
	}
}

// zfsParent returns the ZFS dataset mounted exactly at dir, or "" when
// there is none (or no ZFS). Only an exact match counts: creating
// datasets on the way would mount them over directories that may hold
// other jails.
func (p *planner) zfsParent(dir string) string {
	// statfs(2) names the dataset mounted at dir (f_mntfromname of a
	// "zfs" f_fstypename, sys/sys/mount.h; OpenZFS's FreeBSD zfs_vfsops.c
	// sets it with vfs_mountedfrom(vfsp, osname)) without starting
	// zfs(8); a dir that does not exist has nothing mounted on it.
	info, err := p.sys.Statfs(dir)
	switch {
	case err == nil:
		if info.Type == "zfs" && info.On == dir && state.ValidDataset(info.From) {
			return info.From
		}
		return ""
	case errors.Is(err, fs.ErrNotExist):
		return ""
	}
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
	if s, ok := UpdateStep(root, "", p.v.Jail.Release, p.v.Jail.Arch); ok {
		p.add(s)
	}
}

// Patchable says whether freebsd-update has patches for a release: it
// knows RELEASE, BETA and RC builds only (freebsd-update.sh,
// fetchupgrade_check_params refuses any other RELNUM).
func Patchable(release string) bool {
	return strings.Contains(release, "-RELEASE") || strings.Contains(release, "-BETA") || strings.Contains(release, "-RC")
}

// UpdateEnv is the environment freebsd-update needs to patch a base of
// arch from the host. freebsd-update takes the machine from uname -m,
// which UNAME_m overrides (usr.bin/uname/uname.c), so an i386 base on an
// amd64 host would get amd64 files without it; it pages its file lists
// through $PAGER (less by default).
func UpdateEnv(arch string) []string {
	m, ma := machine(arch)
	return []string{"PAGER=cat", "UNAME_m=" + m, "UNAME_p=" + ma}
}

// UpdateArgv is freebsd-update's argv for base root at release running
// (with its -pN: fetch_tagsanity refuses to go backwards from it), with
// its files in workdir ("" for the default /var/db/freebsd-update), then
// cmds. --not-running-from-cron lets fetch run without a terminal
// (freebsd-update.sh, cmd_fetch).
func UpdateArgv(root, workdir, running string, cmds ...string) []string {
	argv := []string{"freebsd-update", "-b", root}
	if workdir != "" {
		argv = append(argv, "-d", workdir)
	}
	argv = append(argv, "--currently-running", running, "--not-running-from-cron")
	return append(argv, cmds...)
}

// UpdateStep returns the step that applies the security patches of
// running to the base at root, and false when freebsd-update has none
// for that release.
func UpdateStep(root, workdir, running, arch string) (plan.Step, bool) {
	if !Patchable(running) {
		return plan.Step{}, false
	}
	return plan.Step{Name: "apply the security patches of " + running + " to " + root, Action: plan.ActRun, Progress: true,
		Env: UpdateEnv(arch), Argv: UpdateArgv(root, workdir, running, "fetch", "install")}, true
}
