package system

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestEscapes(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("/etc", filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, linkErr := r.ReadFile("out/passwd")
	_, dotErr := r.Lstat("../x")
	_, missing := r.ReadFile("nosuch")
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"a symlink out of the root", linkErr, true},
		{"dot-dot", dotErr, true},
		{"wrapped", fmt.Errorf("write x: %w", linkErr), true},
		{"ErrEscapes", fmt.Errorf("x: %w", ErrEscapes), true},
		{"a missing file", missing, false},
		{"not exist", fs.ErrNotExist, false},
		{"same text, other error", errors.New("path escapes from parent"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escapes(tt.err); got != tt.want {
				t.Errorf("Escapes(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
