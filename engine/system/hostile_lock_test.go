//go:build unix

package system

import (
	"errors"
	"os"
	"testing"
)

// TestLockDir: a second lock on one directory is refused while the first
// is held, and taken once it is released; no file is left in the
// directory.
func TestLockDir(t *testing.T) {
	dir := t.TempDir()
	unlock, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockDir(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second LockDir = %v, want ErrLocked", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock, err = LockDir(dir)
	if err != nil {
		t.Fatalf("LockDir after unlock = %v", err)
	}
	unlock()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left %v", ents)
	}
}
