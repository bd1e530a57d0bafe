package pkgcache

import (
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/system"
)

// InJail is where a jail's pkg keeps the packages it fetched
// (PKG_CACHEDIR, /var/cache/pkg by default: freebsd/pkg libpkg/pkg_config.c).
const InJail = "/var/cache/pkg"

// Dir is the host's package cache shared by the jails of one
// package ABI (FreeBSD:MAJOR:ARCH, the ABI a jail's pkg derives from its
// release and architecture): packages of one ABI serve every jail of it,
// and the file names carry each package's checksum
// (libpkg/repo/binary/fetch.c, pkg_repo_binary_get_cached_name), so
// repositories of one ABI (quarterly, latest) do not collide.
func Dir(jailsDir, release, arch string) string {
	major, _, _ := strings.Cut(release, ".")
	return path.Join(jailsDir, "pkgcache", "FreeBSD-"+major+"-"+arch)
}

// Mount is the shared package cache of one jail's pkg step: Before
// goes before the step (scrub the cache, mount it on the jail's
// /var/cache/pkg), After right after it (unmount). The cache is mounted
// only while jailkit's own pkg runs, so no jail can write another's
// packages afterwards. While it is mounted the jail's other processes
// can write into it; that is safe because pkg checks every cached file's
// size and SHA-256 against the repository catalogue before it uses it,
// and fetches it again on a mismatch (freebsd/pkg
// libpkg/repo/binary/fetch.c, pkg_repo_binary_try_fetch: stat size
// against pkgsize, then pkg_checksum_validate_file against pkg->sum;
// libpkg/pkg_checksum.c). What the checksum cannot stop is a link a jail
// plants there: pkg opens a partial cache file O_APPEND to resume a
// fetch (libpkg/fetch.c, pkg_fetch_file), and a symbolic link would
// make the next jail's pkg append to a file of its own. So the cache is
// scrubbed of everything but regular files and directories before each
// mount (which also drops pkg's own name-version.pkg convenience links,
// re-made on the next fetch).
type Mount struct {
	Before []plan.Step
	After  plan.Step
}

// Plan returns the steps that share the host's package cache
// with the jail rooted at jailPath for one pkg step. mkCache says a step
// of the plan creates the cache directory before (so it is not scrubbed,
// being empty). ok is false when the jail's /var/cache/pkg is there but
// not a real directory (a link a process in the jail could have made):
// mount(8) would follow it on the host (sbin/mount_nullfs/mount_nullfs.c
// resolves the mount point with realpath), so the jail keeps its own
// cache.
func Plan(sys system.System, cache, jailPath string, newRoot bool) (pc Mount, ok bool) {
	on := path.Join(jailPath, InJail)
	if !newRoot {
		mk, safe := mountPointState(sys, jailPath)
		if !safe {
			return Mount{}, false
		}
		if mk != "" {
			pc.Before = append(pc.Before, plan.Step{Name: "create " + InJail + " in the jail", Action: plan.ActMkdir, Root: jailPath, Path: InJail, Mode: "0755",
				Undo: []plan.Step{{Action: plan.ActRemoveAll, Root: jailPath, Path: mk}}})
		}
	} else {
		pc.Before = append(pc.Before, plan.Step{Name: "create " + InJail + " in the jail", Action: plan.ActMkdir, Root: jailPath, Path: InJail, Mode: "0755"})
	}
	pc.Before = append(pc.Before,
		plan.Step{Name: "remove links from the shared package cache " + cache, Action: plan.ActScrub, Path: cache},
		plan.Step{Name: "mount the shared package cache on the jail's " + InJail, Action: plan.ActRun,
			Argv: mountArgv(cache, on), Undo: []plan.Step{{Action: plan.ActRun, Argv: umountArgv(on)}}})
	pc.After = plan.Step{Name: "unmount the shared package cache from the jail", Action: plan.ActRun,
		Argv: umountArgv(on), Undo: []plan.Step{{Action: plan.ActRun, Argv: mountArgv(cache, on)}}}
	return pc, true
}

// mountPointState walks /var, /var/cache and /var/cache/pkg in the jail
// root without following links: safe is false when one is not a
// directory; mk is the first level missing ("" when all are there).
func mountPointState(sys system.System, jailPath string) (mk string, safe bool) {
	root, err := sys.OpenRoot(jailPath)
	if err != nil {
		return "", false
	}
	for _, d := range []string{"/var", "/var/cache", InJail} {
		fi, err := root.Lstat(d)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return d, true
		case err != nil:
			return "", false
		case fi.Mode()&fs.ModeType != fs.ModeDir:
			return "", false
		}
	}
	return "", true
}

// mountArgv nullfs-mounts the host directory from on the host path on
// (sbin/mount/mount.c getopt "adF:fLlno:prt:uvw"; -t nullfs runs
// mount_nullfs with the two operands).
// nosuid and noexec: a setuid file one jail left in the cache must not
// run as root in the next (sbin/mount/mount.c passes -o to
// mount_nullfs, which takes the generic options).
func mountArgv(from, on string) []string {
	return []string{"mount", "-t", "nullfs", "-o", "nosuid,noexec", from, on}
}

// umountArgv unmounts the mount on (sbin/umount/umount.c getopt
// "AaF:fh:nt:v").
func umountArgv(on string) []string { return []string{"umount", on} }

// For is Plan for a jail an earlier install made (the
// update of its packages): it also creates the cache directory when the
// host has none yet, rolled back to as it was.
func For(sys system.System, jailsDir, release, arch, jailPath string) (pc Mount, ok bool) {
	cache := Dir(jailsDir, release, arch)
	pc, ok = Plan(sys, cache, jailPath, false)
	if !ok {
		return pc, false
	}
	first := ""
	for d := cache; d != "/" && d != "."; d = path.Dir(d) {
		if _, err := sys.Lstat(d); err == nil {
			break
		}
		first = d
	}
	if first != "" {
		mk := plan.Step{Name: "create the shared package cache " + cache, Action: plan.ActMkdir, Path: cache, Mode: "0755",
			Undo: []plan.Step{{Action: plan.ActRemoveAll, Path: first}}}
		pc.Before = append([]plan.Step{mk}, pc.Before...)
	}
	return pc, true
}
