package fakeupdate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/system"
)

// Host is what freebsd-update reads of the fake host it runs on.
type Host struct {
	Machine, OSRelease string
	Securelevel        int
}

// fail is a command that ran and exited 1 with msg on standard error.
func fail(argv []string, format string, args ...any) error {
	return &system.ExitError{Argv: argv, Err: errors.New("exit status 1"), Stderr: fmt.Sprintf(format, args...)}
}

// BasePatch is the fake host's stand-in for update.FreeBSD.org: the
// newest patch level it has for every release, a number. A test writes
// it; without it the newest is 2.
const BasePatch = ".fakehost/freebsd-update-patch"

// InstallShort makes install stop one patch level short of the newest
// and exit 0, as install_files does when it must be run again ("...
// run '$0 install' again to finish installing updates"). A test writes
// it.
const InstallShort = ".fakehost/freebsd-update-short"

// patchedFiles are the base files the fake patches touch: the version
// script and a mark in /usr/share/misc and in /etc, both of which real
// patches touch.
var patchedFiles = []string{"/bin/freebsd-version", "/usr/share/misc/patched", "/etc/patched"}

// freebsdUpdateRun is one freebsd-update invocation as the fake reads it.
type freebsdUpdateRun struct {
	argv             []string
	root, workdir    string
	running, machine string
	cmds             []string
}

// parseFreebsdUpdate reads the options jailkit gives
// (freebsd-update.sh, parse_cmdline; getopt.txt checked the words).
func parseFreebsdUpdate(cmd system.Cmd, machine string) freebsdUpdateRun {
	r := freebsdUpdateRun{argv: cmd.Argv, machine: machine}
	a := cmd.Argv
	for i := 1; i < len(a); i++ {
		switch a[i] {
		case "-b", "-d", "--currently-running", "-f", "-k", "-s", "-r", "-t", "-v", "-j":
			if i+1 < len(a) {
				switch a[i] {
				case "-b":
					r.root = a[i+1]
				case "-d":
					r.workdir = a[i+1]
				case "--currently-running":
					r.running = a[i+1]
				}
			}
			i++
		case "fetch", "install", "rollback", "upgrade", "cron", "IDS", "updatesready", "showconfig":
			r.cmds = append(r.cmds, a[i])
		}
	}
	for _, e := range cmd.Env {
		if v, ok := strings.CutPrefix(e, "UNAME_m="); ok {
			r.machine = v
		}
	}
	return r
}

// Run handles "freebsd-update -b ROOT [-d WORKDIR]
// --currently-running R --not-running-from-cron fetch install" and
// "... rollback" the way usr.sbin/freebsd-update/freebsd-update.sh does
// what jailkit relies on:
//   - the patches are those of `uname -m`, which UNAME_m in the
//     environment overrides (usr.bin/uname/uname.c, CHECK_ENV);
//   - the work directory must exist (fetchupgrade_check_params:
//     "Directory does not exist or is not writable");
//   - fetch with nothing newer than R's -pN prints "No updates needed to
//     update system to REL-pN." (fetch_run), and an install after it
//     "No updates are available to install." and exits 0 (install_run,
//     ISFETCHED);
//   - install refuses when kern.securelevel > 0 (install_check_params)
//     and keeps what it replaced for rollback in the work directory,
//     keyed by a hash of the base directory (BDHASH, the -rollback link);
//   - rollback puts that back, "No rollback directory found." when there
//     is none (rollback_run).
//
// The newest patch level is BasePatch; a patched base's
// /bin/freebsd-version says it (bin/freebsd-version/freebsd-version.sh.in
// keeps USERLAND_VERSION in the script).
func Run(files system.System, hostDir string, h Host, cmd system.Cmd) ([]byte, error) {
	r := parseFreebsdUpdate(cmd, h.Machine)
	if r.root == "" || len(r.cmds) == 0 {
		return nil, fail(r.argv, "usage: freebsd-update -b basedir ... fetch install")
	}
	if _, err := files.Lstat(path.Join(r.root, "bin")); err != nil {
		return nil, fail(r.argv, "freebsd-update: %s does not hold a FreeBSD base", r.root)
	}
	if r.workdir != "" {
		if fi, err := files.Lstat(r.workdir); err != nil || !fi.IsDir() {
			return nil, fail(r.argv, "freebsd-update: Directory does not exist or is not writable: %s", r.workdir)
		}
	}
	if r.running == "" {
		r.running = h.OSRelease
	}
	switch {
	case slices.Equal(r.cmds, []string{"rollback"}):
		return rollback(files, r)
	case slices.Equal(r.cmds, []string{"fetch"}):
		out, _ := fetch(files, hostDir, r)
		return out, nil
	case slices.Equal(r.cmds, []string{"fetch", "install"}):
	default:
		return nil, fail(r.argv, "fakehost: only fetch, fetch install and rollback are simulated")
	}
	out, newest := fetch(files, hostDir, r)
	if newest == "" {
		return append(out, "No updates are available to install.\n"...), nil
	}
	if h.Securelevel > 0 {
		return nil, fail(r.argv, "Updates cannot be installed when the system securelevel\nis greater than zero.")
	}
	if _, err := os.Stat(filepath.Join(hostDir, InstallShort)); err == nil {
		m := patchRE.FindStringSubmatch(newest)
		n, _ := strconv.Atoi(m[1])
		newest = fmt.Sprintf("%s-p%d", patchRE.ReplaceAllString(newest, ""), n-1)
	}
	if err := install(files, r, newest); err != nil {
		return nil, err
	}
	return append(out, "Installing updates... done.\n"...), nil
}

// patchRE finds a release's patch level.
var patchRE = regexp.MustCompile(`-p([0-9]+)$`)

// userlandRE finds the version a freebsd-version script keeps.
var userlandRE = regexp.MustCompile(`(?m)^USERLAND_VERSION="([^"]+)"`)

// fetch says what fetch prints, and the version it would update to (""
// when there is nothing newer). As fetch_inspect_system does, it looks at
// the base's files, not at what --currently-running claims: the base is
// at the level its /bin/freebsd-version says.
func fetch(files system.System, hostDir string, r freebsdUpdateRun) ([]byte, string) {
	newest := 2
	if data, err := os.ReadFile(filepath.Join(hostDir, BasePatch)); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			newest = n
		}
	}
	have := r.running
	if data, err := files.ReadFile(path.Join(r.root, "bin/freebsd-version")); err == nil {
		if m := userlandRE.FindSubmatch(data); m != nil {
			have = string(m[1])
		}
	}
	cur := 0
	if m := patchRE.FindStringSubmatch(have); m != nil {
		cur, _ = strconv.Atoi(m[1])
	}
	rel := patchRE.ReplaceAllString(r.running, "")
	target := fmt.Sprintf("%s-p%d", rel, newest)
	if cur >= newest {
		return []byte(fmt.Sprintf("\nNo updates needed to update system to %s-p%d.\n", rel, max(cur, newest))), ""
	}
	return []byte("\nThe following files will be updated as part of updating to " + target + ":\n/bin/freebsd-version\n"), target
}

// savedFile is a base file as it was before an install: Content nil
// when the install added it.
type savedFile struct {
	Content *string
	Mode    uint32
}

// rollbackRecord is where install keeps, for rollback, the files it
// replaced in the base root: their old content, nil when it added them.
func rollbackRecord(workdir, root string) string {
	if workdir == "" {
		workdir = "/var/db/freebsd-update"
	}
	// BDHASH=`echo ${BASEDIR} | sha256 -q`: echo adds the newline.
	sum := sha256.Sum256([]byte(root + "\n"))
	return path.Join(workdir, hex.EncodeToString(sum[:])+"-rollback")
}

// freebsdUpdateInstall patches the base to target for its machine.
func install(files system.System, r freebsdUpdateRun, target string) error {
	sub, err := files.OpenRoot(r.root)
	if err != nil {
		return err
	}
	old := map[string]savedFile{}
	for _, f := range patchedFiles {
		if data, err := sub.ReadFile(f); err == nil {
			fi, err := sub.Lstat(f)
			if err != nil {
				return err
			}
			s := string(data)
			old[f] = savedFile{Content: &s, Mode: uint32(fi.Mode().Perm())}
		} else {
			old[f] = savedFile{}
		}
	}
	// Only a work directory given with -d is modelled: the default one
	// keeps files the fake does not simulate either.
	if r.workdir != "" {
		data, _ := json.Marshal(old)
		if err := files.WriteFile(rollbackRecord(r.workdir, r.root), data, 0o600); err != nil {
			return err
		}
	}
	mark := []byte(strings.TrimPrefix(patchRE.FindString(target), "-") + " " + r.machine + "\n")
	version := []byte("#!/bin/sh\nUSERLAND_VERSION=\"" + target + "\"\n")
	for f, data := range map[string][]byte{"/usr/share/misc/patched": mark, "/etc/patched": mark, "/bin/freebsd-version": version} {
		mode := fs.FileMode(0o644)
		if f == "/bin/freebsd-version" {
			mode = 0o555
		}
		if err := sub.WriteFile(f, data, mode); err != nil {
			return err
		}
	}
	return nil
}

// freebsdUpdateRollback puts back what the last install replaced.
func rollback(files system.System, r freebsdUpdateRun) ([]byte, error) {
	rec := rollbackRecord(r.workdir, r.root)
	data, err := files.ReadFile(rec)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fail(r.argv, "No rollback directory found.")
	}
	if err != nil {
		return nil, err
	}
	var old map[string]savedFile
	if err := json.Unmarshal(data, &old); err != nil {
		return nil, err
	}
	sub, err := files.OpenRoot(r.root)
	if err != nil {
		return nil, err
	}
	for f, saved := range old {
		if saved.Content == nil {
			err = sub.Remove(f)
		} else {
			err = sub.WriteFile(f, []byte(*saved.Content), fs.FileMode(saved.Mode))
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return []byte("Uninstalling updates... done.\n"), files.Remove(rec)
}
