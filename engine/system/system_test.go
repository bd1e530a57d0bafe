package system

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func newReal(t *testing.T) (*Real, string) {
	t.Helper()
	dir := t.TempDir()
	r, err := NewReal(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, dir
}

func TestRealRun(t *testing.T) {
	r, err := NewReal("/")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var progress bytes.Buffer
	out, err := r.Run(ctx, Cmd{Argv: []string{"echo", "a b", "$HOME;"}, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	// argv goes to the program as is: no shell expands or splits it.
	if string(out) != "a b $HOME;\n" || progress.String() != string(out) {
		t.Errorf("out %q progress %q", out, progress.String())
	}
	_, err = r.Run(ctx, Cmd{Argv: []string{"false"}})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Argv[0] != "false" {
		t.Errorf("false: %v", err)
	}
	if _, err := r.Run(ctx, Cmd{Argv: []string{"jailkit-no-such-command"}}); !errors.Is(err, ErrNoCommand) {
		t.Errorf("missing command: %v", err)
	}
	if _, err := r.Run(ctx, Cmd{}); err == nil {
		t.Error("empty argv ran")
	}
}

func TestRealUnderRootRunsNothing(t *testing.T) {
	r, _ := newReal(t)
	if _, err := r.Run(context.Background(), Cmd{Argv: []string{"true"}}); !errors.Is(err, ErrNoExec) {
		t.Errorf("a Real under --root ran a command: %v", err)
	}
	sub, err := r.OpenRoot("/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Run(context.Background(), Cmd{Argv: []string{"true"}}); !errors.Is(err, ErrNoExec) {
		t.Errorf("a jail root ran a command: %v", err)
	}
}

func TestRealWriteFile(t *testing.T) {
	r, dir := newReal(t)
	if err := r.MkdirAll("/etc", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile("/etc/a.conf", []byte("one\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile("/etc/a.conf", []byte("two\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := r.Lstat("/etc/a.conf")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v %v", fi, err)
	}
	if data, _ := r.ReadFile("/etc/a.conf"); string(data) != "two\n" {
		t.Errorf("content %q", data)
	}
	ents, _ := r.ReadDir("/etc")
	if len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
	if _, err := os.Stat(filepath.Join(dir, "etc/a.conf")); err != nil {
		t.Error(err)
	}
	if err := r.WriteFile("etc/relative", nil, 0o644); err == nil {
		t.Error("a relative path was accepted")
	}
	if err := r.RemoveAll("/"); err == nil {
		t.Error("RemoveAll of the root was accepted")
	}
}

// TestRealConfined: a symlink (or ..) that leads out of the root is
// refused for reads and writes, in the host root and in a jail root.
func TestRealConfined(t *testing.T) {
	r, dir := newReal(t)
	outside := t.TempDir()
	victim := filepath.Join(outside, "master.passwd")
	os.WriteFile(victim, []byte("secret\n"), 0o600)
	os.MkdirAll(filepath.Join(dir, "jail/etc"), 0o755)
	os.Symlink(victim, filepath.Join(dir, "jail/etc/resolv.conf"))
	os.Symlink(outside, filepath.Join(dir, "jail/namedb"))
	j, err := r.OpenRoot("/jail")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"read through a file link", func() error { _, err := j.ReadFile("/etc/resolv.conf"); return err }()},
		{"write into a linked dir", j.WriteFile("/namedb/named.conf", []byte("x"), 0o644)},
		{"mkdir through a linked dir", j.MkdirAll("/namedb/working", 0o755)},
		{"chmod through a file link", j.Chmod("/etc/resolv.conf", 0o666)},
	} {
		if tc.err == nil {
			t.Errorf("%s: allowed", tc.name)
		}
	}
	if data, _ := os.ReadFile(victim); string(data) != "secret\n" {
		t.Errorf("the file outside changed: %q", data)
	}
	if fi, _ := os.Stat(victim); fi.Mode().Perm() != 0o600 {
		t.Errorf("the mode outside changed: %v", fi.Mode())
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 1 {
		t.Errorf("files appeared outside: %v", ents)
	}
	// "/.." is "/" for a host path: the write stays in the jail root.
	if err := j.WriteFile("/../escaped", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "escaped")); err == nil {
		t.Error(".. led out of the jail root")
	}
	if _, err := os.Stat(filepath.Join(dir, "jail/escaped")); err != nil {
		t.Error(err)
	}
}

func TestTryLock(t *testing.T) {
	r, dir := newReal(t)
	os.MkdirAll(filepath.Join(dir, "var/run"), 0o755)
	unlock, _, err := r.TryLock("/var/run/jailkit.lock")
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := NewReal(dir)
	defer r2.Close()
	if _, holder, err := r2.TryLock("/var/run/jailkit.lock"); !errors.Is(err, ErrLocked) || holder != strings.TrimSpace(itoa(os.Getpid())) {
		t.Errorf("second lock: %v holder %q", err, holder)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	u2, _, err := r2.TryLock("/var/run/jailkit.lock")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	u2()
}

func itoa(n int) string {
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestSysctl(t *testing.T) {
	r, _ := newReal(t)
	v, err := r.Sysctl("kern.ostype")
	if runtime.GOOS == "freebsd" {
		if err != nil || v != "FreeBSD" {
			t.Errorf("kern.ostype = %q, %v", v, err)
		}
	} else if err == nil {
		t.Errorf("sysctl worked on %s: %q", runtime.GOOS, v)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	r, dir := newReal(t)
	os.WriteFile(filepath.Join(dir, "rc.conf"), []byte("x=1\n"), 0o644)
	d := NewDryRun(r)
	ctx := context.Background()
	if data, err := d.ReadFile("/rc.conf"); err != nil || string(data) != "x=1\n" {
		t.Errorf("reads should pass through: %q %v", data, err)
	}
	d.WriteFile("/rc.conf", []byte("changed"), 0o600)
	d.MkdirAll("/new/dir", 0o755)
	d.Remove("/rc.conf")
	d.RemoveAll("/rc.conf")
	d.Symlink("/etc", "/link")
	d.Rename("/rc.conf", "/moved")
	d.Chmod("/rc.conf", 0o777)
	d.Chown("/rc.conf", 1, 1)
	// A mutating command is recorded, not run ("false" would fail).
	if _, err := d.Run(ctx, Cmd{Argv: []string{"false"}, Mutates: true}); err != nil {
		t.Errorf("a dry run ran a mutating command: %v", err)
	}
	sub, err := d.OpenRoot("/does/not/exist")
	if err != nil {
		t.Fatalf("a dry run needs roots that a plan would create: %v", err)
	}
	sub.WriteFile("/etc/x", []byte("y"), 0o644)
	if data, _ := os.ReadFile(filepath.Join(dir, "rc.conf")); string(data) != "x=1\n" {
		t.Errorf("the file changed: %q", data)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("entries appeared: %v", ents)
	}
	skipped := d.Skipped()
	if len(skipped) != 10 || skipped[len(skipped)-1].Root != "/does/not/exist" {
		t.Errorf("skipped: %v", skipped)
	}
	for _, c := range skipped {
		if !c.IsMutation() {
			t.Errorf("%v is not a mutation", c)
		}
	}
}

func TestRecorder(t *testing.T) {
	r, _ := newReal(t)
	rec := NewRecorder(r)
	rec.MkdirAll("/jail/etc", 0o755)
	j, err := rec.OpenRoot("/jail")
	if err != nil {
		t.Fatal(err)
	}
	j.WriteFile("/etc/rc.conf", []byte("a"), 0o644)
	rec.ReadFile("/jail/etc/rc.conf")
	muts := rec.Mutations()
	if len(muts) != 2 || muts[1].Root != "/jail" || muts[1].Path != "/etc/rc.conf" || string(muts[1].Data) != "a" {
		t.Errorf("mutations: %v", muts)
	}
	if muts[0].Seq >= muts[1].Seq {
		t.Error("calls are not ordered")
	}
	if len(rec.Calls()) != 4 {
		t.Errorf("calls: %v", rec.Calls())
	}
	// Without a base it records and finds nothing.
	empty := NewRecorder(nil)
	if _, err := empty.ReadFile("/x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read: %v", err)
	}
	empty.Run(context.Background(), Cmd{Argv: []string{"jail", "-c", "x"}, Mutates: true})
	if cmds := empty.Commands(); len(cmds) != 1 || cmds[0][0] != "jail" {
		t.Errorf("commands: %v", cmds)
	}
}

// TestReadDirFIFO: a FIFO where a directory should be is refused at once,
// not waited on (a hostile snapshot or jail tree).
func TestReadDirFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "jailkit"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := NewReal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan error, 1)
	go func() { _, err := r.ReadDir("/jailkit"); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, syscall.ENOTDIR) {
			t.Errorf("ReadDir of a FIFO = %v, want ENOTDIR", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadDir waited on a FIFO")
	}
}

// TestRunOutputCapped: a command that prints past MaxOutputSize fails with
// ErrTooLarge and jailkit keeps at most MaxOutputSize of it.
func TestRunOutputCapped(t *testing.T) {
	r, err := NewReal("/")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out, err := r.Run(context.Background(), Cmd{Argv: []string{"head", "-c", strconv.Itoa(MaxOutputSize + 4096), "/dev/zero"}})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
	if len(out) > MaxOutputSize {
		t.Errorf("kept %d bytes, past the cap", len(out))
	}
}
