//go:build unix

package snapsys_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/jailkit/jailkit/engine/snapsys"
	"github.com/jailkit/jailkit/engine/system"
)

// TestHostileSnapshot: a snapshot from a host that is not trusted cannot
// make jailkit read outside it, wait on a FIFO or read a huge file, in
// the host's files, a jail root or the command outputs.
func TestHostileSnapshot(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(t.TempDir(), "secret")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"files/etc", "files/jail/etc", "commands"} {
		must(os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	must(os.WriteFile(filepath.Join(dir, "snapshot.json"), []byte(`{"format": 1}`), 0o644))
	must(os.WriteFile(secret, []byte("outside"), 0o644))
	must(syscall.Mkfifo(filepath.Join(dir, "files/etc/rc.conf"), 0o644))
	must(syscall.Mkfifo(filepath.Join(dir, "commands/jls.json"), 0o644))
	must(os.Symlink(secret, filepath.Join(dir, "files/etc/passwd")))
	must(os.Symlink("../../../../..", filepath.Join(dir, "files/jail/etc/up")))
	big, err := os.Create(filepath.Join(dir, "files/etc/big"))
	must(err)
	must(big.Truncate(system.MaxReadSize + 1))
	must(big.Close())
	s, err := snapsys.Open(dir)
	must(err)
	jail, err := s.OpenRoot("/jail")
	must(err)
	for name, read := range map[string]func() ([]byte, error){
		"fifo": func() ([]byte, error) { return s.ReadFile("/etc/rc.conf") },
		"fifo command": func() ([]byte, error) {
			return s.Run(context.Background(), system.Cmd{Argv: []string{"jls", "--libxo", "json", "-n"}})
		},
		"link out":    func() ([]byte, error) { return s.ReadFile("/etc/passwd") },
		"too large":   func() ([]byte, error) { return s.ReadFile("/etc/big") },
		"jail ..":     func() ([]byte, error) { return jail.ReadFile("/etc/up/etc/passwd") },
		"jail escape": func() ([]byte, error) { return jail.ReadFile("/../etc/big") },
	} {
		if data, err := read(); err == nil {
			t.Errorf("%s: read %q", name, data)
		}
	}
	if _, err := s.ReadFile("/etc/rc.conf"); !errors.Is(err, system.ErrNotRegular) {
		t.Errorf("a FIFO: want ErrNotRegular, got %v", err)
	}
}
