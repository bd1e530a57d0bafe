package hostcheck

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// fakeSys is a small system.System for tests: files from a map, commands
// answered from a map keyed by the joined argv, sysctls from a map. It
// records every command so tests can see what a live gather runs.
type fakeSys struct {
	files   map[string]string
	outputs map[string]string
	sysctls map[string]string
	ran     []string
	root    string // set on a System returned by OpenRoot
}

var _ system.System = (*fakeSys)(nil)

func (f *fakeSys) full(name string) string { return path.Join(f.root, path.Clean("/"+name)) }

func (f *fakeSys) Run(_ context.Context, cmd system.Cmd) ([]byte, error) {
	key := strings.Join(cmd.Argv, " ")
	f.ran = append(f.ran, key)
	if out, ok := f.outputs[key]; ok {
		return []byte(out), nil
	}
	return nil, fmt.Errorf("%s: exit status 1", key)
}

func (f *fakeSys) Sysctl(name string) (string, error) {
	if v, ok := f.sysctls[name]; ok {
		return v, nil
	}
	return "", errors.New("unknown oid")
}

func (f *fakeSys) ReadFile(name string) ([]byte, error) {
	if v, ok := f.files[f.full(name)]; ok {
		return []byte(v), nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

type fakeEntry struct{ name string }

func (e fakeEntry) Name() string               { return e.name }
func (e fakeEntry) IsDir() bool                { return false }
func (e fakeEntry) Type() fs.FileMode          { return 0 }
func (e fakeEntry) Info() (fs.FileInfo, error) { return nil, errors.New("no info") }

func (f *fakeSys) ReadDir(name string) ([]fs.DirEntry, error) {
	dir := f.full(name) + "/"
	var out []fs.DirEntry
	for p := range f.files {
		if rest, ok := strings.CutPrefix(p, dir); ok && !strings.Contains(rest, "/") {
			out = append(out, fakeEntry{rest})
		}
	}
	if out == nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

func (f *fakeSys) OpenRoot(dir string) (system.System, error) {
	return &fakeSys{files: f.files, outputs: f.outputs, sysctls: f.sysctls, root: f.full(dir)}, nil
}

var errReadOnly = errors.New("fakeSys is read-only")

func (f *fakeSys) Lstat(string) (fs.FileInfo, error)           { return nil, errReadOnly }
func (f *fakeSys) Readlink(string) (string, error)             { return "", errReadOnly }
func (f *fakeSys) WriteFile(string, []byte, fs.FileMode) error { return errReadOnly }
func (f *fakeSys) MkdirAll(string, fs.FileMode) error          { return errReadOnly }
func (f *fakeSys) Remove(string) error                         { return errReadOnly }
func (f *fakeSys) RemoveAll(string) error                      { return errReadOnly }
func (f *fakeSys) Rename(string, string) error                 { return errReadOnly }
func (f *fakeSys) Symlink(string, string) error                { return errReadOnly }
func (f *fakeSys) Chown(string, int, int) error                { return errReadOnly }
func (f *fakeSys) Chmod(string, fs.FileMode) error             { return errReadOnly }

// The fake has no kernel to ask: the live source falls back to the
// commands, whose outputs the tests give.
func (f *fakeSys) SysctlUint32(string) (uint32, error)        { return 0, system.ErrNoKernelInfo }
func (f *fakeSys) Interfaces() ([]system.NetInterface, error) { return nil, system.ErrNoKernelInfo }
func (f *fakeSys) KldFiles() ([]string, error)                { return nil, system.ErrNoKernelInfo }
func (f *fakeSys) Statfs(string) (system.FSInfo, error) {
	return system.FSInfo{}, system.ErrNoKernelInfo
}
func (f *fakeSys) HasJails() (bool, error) { return false, system.ErrNoKernelInfo }

// fakeFromSnapshot loads a test snapshot into a fakeSys, so the live
// source can be compared with the snapshot source on the same host.
func fakeFromSnapshot(t *testing.T, name string) *fakeSys {
	t.Helper()
	dir := filepath.Join("testdata", "snapshots", name)
	f := &fakeSys{files: map[string]string{}, outputs: map[string]string{}, sysctls: map[string]string{}}
	err := filepath.WalkDir(filepath.Join(dir, "files"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(filepath.Join(dir, "files"), p)
		f.files["/"+filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Commands {
		data, err := os.ReadFile(filepath.Join(dir, "commands", c.File))
		if err != nil {
			continue
		}
		if c.Name == "sysctl" {
			f.sysctls = freebsd.ParseSysctl(data)
			continue
		}
		argv := append([]string(nil), c.Argv...)
		for i := range argv {
			if argv[i] == "" {
				argv[i] = freebsd.DefaultJailsDir
			}
		}
		f.outputs[strings.Join(argv, " ")] = string(data)
	}
	// A secret a careless gatherer might pick up.
	f.files["/etc/master.passwd"] = "root:$6$secret:0:0::0:0:Charlie:/root:/bin/sh\n"
	return f
}

// TestLiveMatchesSnapshot: the live source over a System and the snapshot
// source over the same host give the same facts and the same report.
func TestLiveMatchesSnapshot(t *testing.T) {
	for _, name := range []string{"sample", "clean"} {
		t.Run(name, func(t *testing.T) {
			sys := fakeFromSnapshot(t, name)
			live := Gather(context.Background(), &LiveSource{Sys: sys}, GatherOptions{})
			snap := snapshotFacts(t, name)
			if !reflect.DeepEqual(live.Sockets, snap.Sockets) || !reflect.DeepEqual(live.Jails, snap.Jails) ||
				!reflect.DeepEqual(live.Configured, snap.Configured) || !reflect.DeepEqual(live.JailFiles, snap.JailFiles) {
				t.Errorf("live facts differ:\nlive %s\nsnap %s", live, snap)
			}
			for _, k := range SysctlNames {
				if live.Sysctl[k] != snap.Sysctl[k] {
					t.Errorf("sysctl %s: %q vs %q", k, live.Sysctl[k], snap.Sysctl[k])
				}
			}
			lr, sr := Run(live, Options{}), Run(snap, Options{})
			if !reflect.DeepEqual(lr, sr) {
				a, _ := lr.JSON()
				b, _ := sr.JSON()
				t.Errorf("reports differ:\n%s\n%s", a, b)
			}
			// The snapshot has no kern.osrelease, so freebsd-version gave
			// the release; it is 14, so sockstat's text ran without a JSON
			// attempt; every command is an argv, never a shell line.
			want := []string{"freebsd-version", "sockstat -46lw", "jls --libxo json -n"}
			if len(sys.ran) < 3 || !reflect.DeepEqual(sys.ran[:3], want) {
				t.Errorf("ran %q", sys.ran)
			}
			for _, r := range sys.ran {
				if strings.ContainsAny(r, "|;&$`") {
					t.Errorf("shell syntax in %q", r)
				}
			}
		})
	}
}

// TestSockstatJSONPreferred: on 15 the libxo output is used.
func TestSockstatJSONPreferred(t *testing.T) {
	sys := fakeFromSnapshot(t, "clean")
	sys.sysctls["kern.osrelease"] = "15.0-RELEASE"
	sys.outputs["sockstat --libxo json -46l"] = `{"sockstat": {"socket": [{"user": "root", "command": "sshd", "pid": 1, "fd": 3, "proto": "tcp4", "local": {"address": "*", "port": 22}, "foreign": {"address": "*", "port": 0}}]}}`
	f := Gather(context.Background(), &LiveSource{Sys: sys}, GatherOptions{})
	if len(f.Sockets) != 1 || f.Sockets[0].Command != "sshd" || !f.Sockets[0].Local.Wildcard {
		t.Errorf("%+v", f.Sockets)
	}
	// A 14 sockstat that prints usage instead of JSON falls back to text.
	sys.outputs["sockstat --libxo json -46l"] = "usage: sockstat [-46CcfIiLlnqSsUuvw]"
	f = Gather(context.Background(), &LiveSource{Sys: sys}, GatherOptions{})
	if len(f.Sockets) != 8 {
		t.Errorf("fallback gave %d sockets", len(f.Sockets))
	}
	// On 14 the JSON is not even asked for: one process, not two.
	sys.sysctls["kern.osrelease"] = "14.3-RELEASE"
	sys.ran = nil
	f = Gather(context.Background(), &LiveSource{Sys: sys}, GatherOptions{})
	if len(f.Sockets) != 8 || slices.Contains(sys.ran, "sockstat --libxo json -46l") || slices.Contains(sys.ran, "freebsd-version") {
		t.Errorf("on 14: %d sockets, ran %q", len(f.Sockets), sys.ran)
	}
}

// TestCollectRoundTrip: collect writes a snapshot that check --from reads
// back to the same report, without secrets.
func TestCollectRoundTrip(t *testing.T) {
	sys := fakeFromSnapshot(t, "sample")
	sys.files["/usr/local/jails/containers/dns/usr/local/etc/namedb/named.conf"] += "key \"rndc\" { algorithm hmac-sha256; secret \"c2VjcmV0\"; };\n"
	dir := t.TempDir()
	out, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	facts, n, err := Collect(context.Background(), &LiveSource{Sys: sys}, out, GatherOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n < 15 {
		t.Errorf("wrote %d entries", n)
	}
	snap, err := OpenSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	again := Gather(context.Background(), snap, GatherOptions{})
	if a, b := Run(facts, Options{}), Run(again, Options{}); !reflect.DeepEqual(a, b) {
		t.Error("the collected snapshot audits differently from the live host")
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
			data, _ := os.ReadFile(p)
			if strings.Contains(string(data), "$6$") || strings.Contains(string(data), "c2VjcmV0") {
				t.Errorf("%s holds a secret", rel)
			}
		}
		return nil
	})
	for _, want := range []string{"snapshot.json", "commands/sockstat.txt", "commands/jls.json", "commands/sysctl.txt",
		"files/etc/rc.conf", "files/etc/jail.conf.d/www.conf", "files/etc/defaults/devfs.rules",
		"files/usr/local/jails/containers/www/etc/passwd", "files/usr/local/jails/containers/dns/usr/local/etc/namedb/named.conf"} {
		if !slices.Contains(files, want) {
			t.Errorf("snapshot lacks %s; has %v", want, files)
		}
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".tmp") || strings.Contains(f, "master.passwd") {
			t.Errorf("snapshot has %s", f)
		}
	}
}

func TestSecret(t *testing.T) {
	for name, want := range map[string]bool{
		"/etc/master.passwd": true, "/etc/spwd.db": true, "/etc/ssh/ssh_host_ed25519_key": true,
		"/etc/ssh/ssh_host_ed25519_key.pub": false, "/usr/local/etc/namedb/rndc.key": true,
		"/root/.ssh/id_ed25519": true, "/usr/local/etc/ssl/private/x": true, "/etc/ssl/cert.key": true,
		"/etc/passwd": false, "/etc/rc.conf": false, "/usr/local/etc/namedb/named.conf": false,
	} {
		if Secret(name) != want {
			t.Errorf("Secret(%s) = %v", name, !want)
		}
	}
	r := &recorder{src: &LiveSource{Sys: &fakeSys{files: map[string]string{"/etc/master.passwd": "x"}}}}
	if _, err := r.ReadFile("/etc/master.passwd"); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("recorder read a secret: %v", err)
	}
}

// TestSnapshotConfinement: a symlink in a snapshot (which may come from an
// untrusted host) cannot make the audit read outside the snapshot.
func TestSnapshotConfinement(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("alice:*:1001:1001::/:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "snapshot.json"), []byte(`{"format": 1}`), 0o644))
	must(os.MkdirAll(filepath.Join(dir, "files/etc"), 0o755))
	must(os.MkdirAll(filepath.Join(dir, "files/j/x/etc"), 0o755))
	must(os.Symlink(outside, filepath.Join(dir, "files/etc/passwd")))
	must(os.Symlink(outside, filepath.Join(dir, "files/j/x/etc/passwd")))
	s, err := OpenSnapshot(dir)
	must(err)
	defer s.Close()
	if _, err := s.ReadFile("/etc/passwd"); err == nil {
		t.Error("followed a symlink out of the snapshot")
	}
	if _, err := s.ReadJailFile("/j/x", "/etc/passwd"); err == nil {
		t.Error("followed a symlink out of a jail in the snapshot")
	}
	if _, err := s.ReadFile("/../../etc/hostname"); err == nil {
		t.Error("read outside with ..")
	}
}

func TestOpenSnapshotErrors(t *testing.T) {
	for name, meta := range map[string]string{"none": "", "garbage": "{", "zero": `{"format": 0}`, "future": `{"format": 99}`} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if meta != "" {
				os.WriteFile(filepath.Join(dir, "snapshot.json"), []byte(meta), 0o644)
			}
			if _, err := OpenSnapshot(dir); !errors.Is(err, ErrNotSnapshot) {
				t.Errorf("err = %v", err)
			}
		})
	}
	if _, err := OpenSnapshot(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("no error for a missing directory")
	}
}

// TestAmbiguousJailSockets: a jail with two addresses binds * as *, so
// sockstat -j tells whose it is.
func TestAmbiguousJailSockets(t *testing.T) {
	sys := fakeFromSnapshot(t, "clean")
	sys.outputs["jls --libxo json -n"] = `{"jail-information": {"jail": [{"jid": 3, "name": "multi", "path": "/j/multi", "ip4.addr": ["192.168.1.90", "192.168.1.91"], "enforce_statfs": 2, "securelevel": 2}]}}`
	sys.outputs["sockstat -46lw"] += "www      httpd       4000 3   tcp4   *:80                  *:*\n"
	sys.outputs["sockstat -46lw -j 3"] = "USER COMMAND PID FD PROTO LOCAL FOREIGN\nwww      httpd       4000 3   tcp4   *:80                  *:*\n"
	f := Gather(context.Background(), &LiveSource{Sys: sys}, GatherOptions{})
	if len(f.JailSockets[3]) != 1 {
		t.Fatalf("jail sockets %v (ran %q)", f.JailSockets, sys.ran)
	}
	r := Run(f, Options{Only: []string{"JK-NET-010"}})
	if len(r.Findings) != 1 || r.Findings[0].Severity != Pass {
		t.Errorf("%s", dump(r.Findings))
	}
}

// TestSysctlReadsText: System.Sysctl decodes by the OID's kind, so the
// live source writes its value as sysctl -n prints it.
func TestSysctlReadsText(t *testing.T) {
	sys := fakeFromSnapshot(t, "clean")
	sys.sysctls["kern.securelevel"] = "-1"
	f := Gather(context.Background(), &LiveSource{Sys: sys}, GatherOptions{})
	if f.Sysctl["kern.securelevel"] != "-1" {
		t.Errorf("kern.securelevel = %q", f.Sysctl["kern.securelevel"])
	}
}

// TestDfFallsBack: on a host without a jails directory yet, df measures
// the directory it will be created in.
func TestDfFallsBack(t *testing.T) {
	sys := fakeFromSnapshot(t, "clean")
	out := sys.outputs["df -k /usr/local/jails"]
	delete(sys.outputs, "df -k /usr/local/jails")
	sys.outputs["df -k /usr/local"] = out
	f := Gather(context.Background(), &LiveSource{Sys: sys}, GatherOptions{})
	if f.FreeKB != 38800000 {
		t.Errorf("free %d; ran %q", f.FreeKB, sys.ran)
	}
	delete(sys.outputs, "df -k /usr/local")
	sys.ran = nil
	f = Gather(context.Background(), &LiveSource{Sys: sys}, GatherOptions{})
	if f.Have(FactDiskSpace) || !slices.Contains(sys.ran, "df -k /") {
		t.Errorf("no df at all: have=%v ran %q", f.Have(FactDiskSpace), sys.ran)
	}
}

// TestDNSRoles: zones are read only from a jail that runs named.
func TestDNSRoles(t *testing.T) {
	sys := fakeFromSnapshot(t, "sample")
	f := Gather(context.Background(), &LiveSource{Sys: sys}, GatherOptions{})
	if got := f.JailFiles["dns"].DNSRoles; !reflect.DeepEqual(got, []string{"primary"}) {
		t.Errorf("dns roles %v", got)
	}
	sys.files["/usr/local/jails/containers/dns/usr/local/etc/namedb/named.conf"] += "zone \"other\" { type slave; masters { 192.0.2.1; }; };\n// type secondary; in a comment\n"
	f = Gather(context.Background(), &LiveSource{Sys: sys}, GatherOptions{})
	if got := f.JailFiles["dns"].DNSRoles; !reflect.DeepEqual(got, []string{"primary", "secondary"}) {
		t.Errorf("dns roles %v", got)
	}
	delete(sys.files, "/usr/local/jails/containers/dns/etc/rc.conf")
	f = Gather(context.Background(), &LiveSource{Sys: sys}, GatherOptions{})
	if got := f.JailFiles["dns"].DNSRoles; len(got) != 0 {
		t.Errorf("roles of a jail without named_enable: %v", got)
	}
}
