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
