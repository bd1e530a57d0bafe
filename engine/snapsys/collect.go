package snapsys

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/ops"
	"github.com/jailkit/jailkit/engine/pkgcache"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// CollectState copies into the snapshot out, under files/, what the
// planning commands read beyond the checks' facts: every state file of
// /var/db/jailkit, each jail's jail.conf.d file, the files its install
// recorded (with their modes, for diff), its listening sockets
// (commands/jail-NAME.sockstat) and the /bin/freebsd-version of
// its base (for status). Secrets (hostcheck.Secret) are never copied, so diff
// from a snapshot sees them as missing; what cannot be read is skipped.
// It returns the number of files written.
//
// With updates, each running jail's own pkg is also asked which packages
// its repository has newer (ops.PendingUpdates, which fetches the
// repository catalogue into the jail), for update --dry-run --from.
func CollectState(ctx context.Context, sys system.System, out *os.Root, updates bool) (int, error) {
	sts, err := state.ListStates(sys)
	if err != nil {
		return 0, fmt.Errorf("collect the state files: %w", err)
	}
	n := 0
	var errs []error
	release, _ := sys.Sysctl("kern.osrelease")
	running, _, _ := ops.Running(ctx, sys)
	put := func(host string, data []byte, mode fs.FileMode) {
		if err := writeFile(out, "files"+path.Clean("/"+host), data, mode); err != nil {
			errs = append(errs, err)
			return
		}
		n++
	}
	for _, st := range sts {
		for _, p := range []string{state.StatePath(st.Name), state.JailConfPath(st.Name)} {
			if data, err := sys.ReadFile(p); err == nil {
				put(p, data, 0o644)
			}
		}
		// The jail's sockets, as status's post-check asks for them.
		argv := append(freebsd.SockstatListenArgv(strings.TrimSpace(release)), "-j", st.Name)
		if out2, err := sys.Run(ctx, system.Cmd{Argv: argv}); err == nil {
			if err := writeFile(out, jailSockstat(st.Name), out2, 0o644); err != nil {
				errs = append(errs, err)
			} else {
				n++
			}
		}
		if _, up := running[st.Name]; up && updates {
			if data, err := sys.Run(ctx, system.Cmd{Argv: ops.PendingArgv(st.Name)}); err == nil {
				if err := writeFile(out, jailPending(st.Name), data, 0o644); err != nil {
					errs = append(errs, err)
				}
			}
		}
		// The base's version, where status reads it (ops.Userland).
		base := st.Path
		if st.Thin {
			base = install.BaseDir(path.Dir(path.Dir(st.Path)), st.Release, st.Arch)
		}
		if bsys, err := sys.OpenRoot(base); err == nil {
			if data, err := bsys.ReadFile("/bin/freebsd-version"); err == nil {
				put(path.Join(base, "/bin/freebsd-version"), data, 0o555)
			}
		}
		jsys, err := sys.OpenRoot(st.Path)
		if err != nil {
			continue
		}
		// The package cache and its mount point, which update plans around.
		cache := pkgcache.Dir(path.Dir(path.Dir(st.Path)), st.Release, st.Arch)
		if fi, err := sys.Lstat(cache); err == nil && fi.IsDir() {
			errs = append(errs, mkdir(out, "files"+cache))
		}
		if fi, err := jsys.Lstat("/var/cache/pkg"); err == nil && fi.IsDir() {
			errs = append(errs, mkdir(out, "files"+path.Join(st.Path, "/var/cache/pkg")))
		}
		var names []string
		for _, f := range st.Files {
			if !f.Dir && !hostcheck.Secret(f.Path) {
				names = append(names, f.Path)
			}
		}
		for _, name := range names {
			data, err := jsys.ReadFile(name)
			if err != nil {
				continue
			}
			mode := fs.FileMode(0o644)
			if fi, err := jsys.Lstat(name); err == nil {
				mode = fi.Mode().Perm()
			}
			put(path.Join(st.Path, name), data, mode)
		}
	}
	return n, errors.Join(errs...)
}

// writeFile writes rel under out atomically with mode.
func writeFile(out *os.Root, rel string, data []byte, mode fs.FileMode) error {
	rel = strings.TrimPrefix(rel, "/")
	if err := out.MkdirAll(path.Dir(rel), 0o755); err != nil {
		return fmt.Errorf("write snapshot %s: %w", rel, err)
	}
	tmp := rel + ".tmp"
	if err := out.WriteFile(tmp, data, mode); err != nil {
		return fmt.Errorf("write snapshot %s: %w", rel, err)
	}
	if err := out.Chmod(tmp, mode); err != nil {
		return fmt.Errorf("write snapshot %s: %w", rel, err)
	}
	if err := out.Rename(tmp, rel); err != nil {
		return fmt.Errorf("write snapshot %s: %w", rel, err)
	}
	return nil
}

// jailSockstat is where a jail's sockstat output is in a snapshot.
func jailSockstat(name string) string { return "commands/jail-" + name + ".sockstat" }

// jailPending is where a jail's pending packages are in a snapshot.
func jailPending(name string) string { return "commands/jail-" + name + ".pkg-version" }

func mkdir(out *os.Root, rel string) error {
	if err := out.MkdirAll(strings.TrimPrefix(rel, "/"), 0o755); err != nil {
		return fmt.Errorf("write snapshot %s: %w", rel, err)
	}
	return nil
}
