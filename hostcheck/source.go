package hostcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck/livefacts"
)

// Source is where facts come from: the live host or a snapshot. Paths are
// absolute host paths such as /etc/rc.conf.
type Source interface {
	// ReadFile reads a host file. A missing file is an error for which
	// errors.Is(err, fs.ErrNotExist) holds.
	ReadFile(name string) ([]byte, error)
	// Glob returns the host paths that match pattern, sorted. Only the
	// last element of pattern may hold wildcards.
	Glob(pattern string) ([]string, error)
	// ReadJailFile reads name (absolute inside the jail) under the jail
	// root dir, refusing any symlink or ".." that leads out of dir: a
	// jail's root user controls what is inside it.
	ReadJailFile(dir, name string) ([]byte, error)
	// Output returns the standard output of one of the commands listed
	// in Commands, by its name.
	Output(ctx context.Context, name string) ([]byte, error)
}

// CommandSpec is one command whose output is a fact.
type CommandSpec struct {
	Name string   // key used by Output
	File string   // file name under commands/ in a snapshot
	Argv []string // what runs on a live host ("" elements are filled in by the source)
}

// Commands lists every command the gatherer runs, in order. "sysctl" is
// not a command on a live host: the live source reads each name in
// SysctlNames through System.Sysctl and prints "name: value" lines.
var Commands = []CommandSpec{
	{"sockstat-json", "sockstat.json", []string{"sockstat", "--libxo", "json", "-46l"}},
	{"sockstat", "sockstat.txt", []string{"sockstat", "-46lw"}},
	{"jls-json", "jls.json", []string{"jls", "--libxo", "json", "-n"}},
	{"jls", "jls.txt", []string{"jls"}},
	{"sysctl", "sysctl.txt", nil},
	{"ifconfig", "ifconfig.txt", []string{"ifconfig", "-a"}},
	{"freebsd-version", "freebsd-version.txt", []string{"freebsd-version"}},
	{"kldstat", "kldstat.txt", []string{"kldstat"}},
	{"df", "df.txt", []string{"df", "-k", ""}},
}

// jailSockstat names the per-jail sockstat command for a JID.
func jailSockstat(jid int) CommandSpec {
	j := strconv.Itoa(jid)
	return CommandSpec{"sockstat-jail-" + j, "sockstat-jail-" + j + ".txt", []string{"sockstat", "-46lw", "-j", j}}
}

func commandSpec(name string) (CommandSpec, bool) {
	for _, c := range Commands {
		if c.Name == name {
			return c, true
		}
	}
	if rest, ok := strings.CutPrefix(name, "sockstat-jail-"); ok {
		if n, err := strconv.Atoi(rest); err == nil && n > 0 {
			return jailSockstat(n), true
		}
	}
	return CommandSpec{}, false
}

// SysctlNames are the sysctls the checks read.
var SysctlNames = []string{
	"kern.osrelease",
	"kern.securelevel",
	"kern.randompid",
	"security.bsd.see_other_uids",
	"security.bsd.see_other_gids",
	"security.bsd.see_jail_proc",
	"security.bsd.unprivileged_read_msgbuf",
	"security.bsd.unprivileged_proc_debug",
	"security.jail.set_hostname_allowed",
	"security.jail.socket_unixiproute_only",
	"security.jail.sysvipc_allowed",
	"security.jail.allow_raw_sockets",
	"security.jail.enforce_statfs",
	"security.jail.chflags_allowed",
	"security.jail.mount_allowed",
}

// LiveSource reads the running host through a system.System.
type LiveSource struct {
	Sys system.System
	// JailsDir is the directory whose free space is measured
	// (/usr/local/jails when empty).
	JailsDir string
}

// ReadFile reads through the System.
func (l *LiveSource) ReadFile(name string) ([]byte, error) { return l.Sys.ReadFile(name) }

// Glob lists the directory of pattern through the System.
func (l *LiveSource) Glob(pattern string) ([]string, error) {
	dir, base := path.Split(pattern)
	ents, err := l.Sys.ReadDir(path.Clean(dir))
	return matchFiles(dir, base, ents, err)
}

// matchFiles keeps the plain files of a directory listing whose names
// match base, as dir/name, sorted; a missing directory matches nothing.
func matchFiles(dir, base string, ents []fs.DirEntry, err error) ([]string, error) {
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		if ok, _ := path.Match(base, e.Name()); ok {
			out = append(out, path.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// ReadJailFile opens the jail root as a confined System and reads there.
func (l *LiveSource) ReadJailFile(dir, name string) ([]byte, error) {
	r, err := l.Sys.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return r.ReadFile(name)
}

// Output runs the named command, or composes the sysctl listing.
func (l *LiveSource) Output(ctx context.Context, name string) ([]byte, error) {
	spec, ok := commandSpec(name)
	if !ok {
		return nil, fmt.Errorf("unknown fact command %q", name)
	}
	if name == "sysctl" {
		var b strings.Builder
		for _, n := range SysctlNames {
			v, err := l.Sys.Sysctl(n)
			if err != nil {
				continue // an unknown sysctl on this release
			}
			fmt.Fprintf(&b, "%s: %s\n", n, strings.TrimSpace(v))
		}
		return []byte(b.String()), nil
	}
	// Interfaces, kernel files, free space and whether any jail runs come
	// from the kernel where it answers: no process.
	return livefacts.Output(ctx, l.Sys, name, spec.Argv, l.JailsDir)
}

// SnapshotFormat is the version written to and expected in snapshot.json.
const SnapshotFormat = 1

// SnapshotMeta is the content of a snapshot's snapshot.json.
type SnapshotMeta struct {
	Format   int    `json:"format"`
	Tool     string `json:"tool"`
	JailsDir string `json:"jails_dir,omitempty"`
}

// SnapshotSource reads a snapshot directory written by Collect. Every read
// goes through an os.Root, so a snapshot from an untrusted host cannot make
// the audit read files outside it.
type SnapshotSource struct {
	root *os.Root
	Meta SnapshotMeta
	// jails caches an os.Root per jail directory: resolving a long path
	// inside a Root costs a system call per element.
	jails map[string]*os.Root
}

// OpenSnapshot opens dir and checks its snapshot.json.
func OpenSnapshot(dir string) (*SnapshotSource, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", dir, err)
	}
	data, err := system.ReadRegular(root, "snapshot.json", system.MaxReadSize)
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("snapshot %s: no snapshot.json: %w", dir, ErrNotSnapshot)
	}
	var meta SnapshotMeta
	if err := json.Unmarshal(data, &meta); err != nil || meta.Format < 1 {
		root.Close()
		return nil, fmt.Errorf("snapshot %s: snapshot.json is not a jailkit snapshot header: %w", dir, ErrNotSnapshot)
	}
	if meta.Format > SnapshotFormat {
		root.Close()
		return nil, fmt.Errorf("snapshot %s: format %d is newer than this jailkit reads (%d): %w", dir, meta.Format, SnapshotFormat, ErrNotSnapshot)
	}
	return &SnapshotSource{root: root, Meta: meta}, nil
}

// ErrNotSnapshot says a directory is not a snapshot this jailkit can read.
var ErrNotSnapshot = errors.New("not a jailkit snapshot")

// Close releases the directory.
func (s *SnapshotSource) Close() error {
	for _, r := range s.jails {
		if r != nil {
			r.Close()
		}
	}
	s.jails = nil
	return s.root.Close()
}

func snapPath(name string) string { return "files/" + strings.TrimPrefix(path.Clean("/"+name), "/") }

// ReadFile reads files/NAME. Like every read of a snapshot it takes only
// a regular file of at most system.MaxReadSize bytes: a snapshot may come
// from a host that is not trusted, and a FIFO in it would hang the audit.
func (s *SnapshotSource) ReadFile(name string) ([]byte, error) {
	return system.ReadRegular(s.root, snapPath(name), system.MaxReadSize)
}

// Glob matches under files/.
func (s *SnapshotSource) Glob(pattern string) ([]string, error) {
	dir, base := path.Split(path.Clean("/" + pattern))
	ents, err := fs.ReadDir(s.root.FS(), strings.TrimSuffix(snapPath(dir), "/"))
	return matchFiles(dir, base, ents, err)
}

// ReadJailFile reads files/DIR/NAME.
func (s *SnapshotSource) ReadJailFile(dir, name string) ([]byte, error) {
	r, ok := s.jails[dir]
	if !ok {
		if s.jails == nil {
			s.jails = map[string]*os.Root{}
		}
		r, _ = s.root.OpenRoot(snapPath(dir))
		s.jails[dir] = r // nil too: a jail the snapshot has no files of
	}
	if r == nil {
		return nil, &fs.PathError{Op: "open", Path: path.Join(dir, name), Err: fs.ErrNotExist}
	}
	return system.ReadRegular(r, strings.TrimPrefix(path.Clean("/"+name), "/"), system.MaxReadSize)
}

// Output reads commands/FILE.
func (s *SnapshotSource) Output(_ context.Context, name string) ([]byte, error) {
	spec, ok := commandSpec(name)
	if !ok {
		return nil, fmt.Errorf("unknown fact command %q", name)
	}
	return system.ReadRegular(s.root, "commands/"+spec.File, system.MaxReadSize)
}
