package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestIsTerminal: only a terminal is one (a pty opened the Linux way
// stands for it). /dev/null is a character
// device, which the old mode check took for a terminal.
func TestIsTerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	ctl, term, err := openPty()
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	defer term.Close()
	tests := []struct {
		name string
		w    io.Writer
		want bool
	}{
		{"/dev/null", null, false},
		{"pipe", w, false},
		{"file", file, false},
		{"buffer", &bytes.Buffer{}, false},
		{"pty", term, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isTerminal(tt.w); got != tt.want {
				t.Errorf("isTerminal(%s) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}
