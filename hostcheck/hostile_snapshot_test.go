package hostcheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// copySnapshot copies testdata/snapshots/NAME into a fresh directory.
func copySnapshot(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("testdata", "snapshots", name)
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// replace removes the snapshot file rel and lets plant put something else
// there.
func replace(t *testing.T, dir, rel string, plant func(p string) error) {
	t.Helper()
	p := filepath.Join(dir, rel)
	os.Remove(p)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := plant(p); err != nil {
		t.Fatal(err)
	}
}

const jailWWW = "files/usr/local/jails/containers/www"

// TestHostileSnapshot: a snapshot from a host that is not trusted cannot
// hang the audit (a FIFO), make it read a huge file whole, or make a
// check pass on what it could not read (a jail's passwd that escapes or
// is missing). Each case finishes (the test would hang otherwise) and
// reports the file as not checked.
func TestHostileSnapshot(t *testing.T) {
	big := func(p string) error {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Truncate(1 << 30) // sparse: a gigabyte that costs no disk
	}
	fifo := func(p string) error { return syscall.Mkfifo(p, 0o644) }
	tests := []struct {
		name, file string
		plant      func(p string) error
		check      string // ID whose finding must be info "not checked"
		want       string
	}{
		{"fifo as host rc.conf", "files/etc/rc.conf", fifo, "JK-MAIL-010", "/etc/rc.conf: not a regular file (a FIFO)"},
		{"fifo in host rc.conf.d", "files/etc/rc.conf.d/sendmail", fifo, "JK-MAIL-010", "/etc/rc.conf.d/sendmail: not a regular file (a FIFO)"},
		{"gigabyte passwd", "files/etc/passwd", big, "JK-USERS-010", "file is too large: 1073741824 bytes"},
		{"fifo as a command output", "commands/sockstat.txt", fifo, "", ""},
		{"jail passwd escapes", jailWWW + "/etc/passwd", func(p string) error { return os.Symlink("/etc/passwd", p) },
			"JK-USERS-010", "jail www: not checked: /etc/passwd could not be read (a symlink or .. leads outside the root)"},
		{"jail passwd missing", jailWWW + "/etc/passwd", func(string) error { return nil },
			"JK-USERS-010", "jail www: not checked: /etc/passwd could not be read (not found)"},
		{"jail passwd is a fifo", jailWWW + "/etc/passwd", fifo,
			"JK-USERS-010", "jail www: not checked: /etc/passwd could not be read (not a regular file (a FIFO))"},
		{"jail rc.conf is a fifo", jailWWW + "/etc/rc.conf", fifo,
			"JK-SVC-020", "jail www: not checked: /etc/rc.conf could not be read (not a regular file (a FIFO))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copySnapshot(t, "clean")
			replace(t, dir, tt.file, tt.plant)
			snap, err := OpenSnapshot(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer snap.Close()
			f := Gather(context.Background(), snap, GatherOptions{})
			if tt.check == "" {
				return
			}
			r := Run(f, Options{Only: []string{tt.check}})
			found := false
			for _, fd := range r.Findings {
				if fd.Severity == Pass {
					t.Errorf("%s passed: %s", tt.check, fd.Found)
				}
				if fd.Severity == Info && strings.Contains(fd.Found, tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no info finding with %q in %s", tt.want, dump(r.Findings))
			}
		})
	}
}

// TestJailConfIncludeDepth: .include nested past the limit is reported as
// a jail.conf that could not be read whole, not dropped in silence.
func TestJailConfIncludeDepth(t *testing.T) {
	dir := copySnapshot(t, "clean")
	for i := range 12 {
		body := ".include \"/etc/inc" + string(rune('a'+i+1)) + ".conf\";\n"
		name := "files/etc/inc" + string(rune('a'+i)) + ".conf"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	jc := filepath.Join(dir, "files/etc/jail.conf")
	data, _ := os.ReadFile(jc)
	os.WriteFile(jc, append(data, []byte("\n.include \"/etc/inca.conf\";\n")...), 0o644)
	snap, err := OpenSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	f := Gather(context.Background(), snap, GatherOptions{})
	if why := f.Missing[FactJailConf]; !strings.Contains(why, "nests deeper than 8 levels") {
		t.Fatalf("jail.conf missing = %q, want the include depth", why)
	}
}
