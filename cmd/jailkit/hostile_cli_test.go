package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileRecipes is a user recipe directory of templates that try to
// exhaust jailkit, and of files that collide.
var hostileRecipes = map[string]string{
	"huge.yaml":     "apiVersion: jailkit/v1\nname: huge\nsummary: a gigabyte\nfiles:\n  - {template: huge/t.tmpl, path: /usr/local/etc/huge}\n",
	"huge/t.tmpl":   `{{ repeat 1073741824 "x" }}`,
	"flood.yaml":    "apiVersion: jailkit/v1\nname: flood\nsummary: output without end\nfiles:\n  - {template: flood/t.tmpl, path: /usr/local/etc/flood}\n",
	"flood/t.tmpl":  `{{ range 100000000 }}0123456789abcdef{{ end }}`,
	"double.yaml":   "apiVersion: jailkit/v1\nname: double\nsummary: doubling\nfiles:\n  - {template: double/t.tmpl, path: /usr/local/etc/double}\n",
	"double/t.tmpl": `{{ $s := "xx" }}{{ range 64 }}{{ $s = print $s $s }}{{ end }}`,
	"clash.yaml":    "apiVersion: jailkit/v1\nname: clash\nsummary: a file and a directory\nfiles:\n  - {template: clash/t.tmpl, path: /etc/x}\n  - {template: clash/t.tmpl, path: /etc/x/y}\n",
	"clash/t.tmpl":  "x\n",
}

// TestHostileCLI: hostile recipes and values end with exit status 2, one
// clear error, no runtime crash, and nothing written into --out.
func TestHostileCLI(t *testing.T) {
	dir := t.TempDir()
	for name, content := range hostileRecipes {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	long := strings.Repeat("z", 100000)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"gigabyte template", []string{"render", "huge", "--ip", "192.0.2.5"}, "repeat would make 1.0 GiB"},
		{"endless output", []string{"render", "flood", "--ip", "192.0.2.5"}, "rendered file is larger than the limit of 16 MiB"},
		{"doubling", []string{"render", "double", "--ip", "192.0.2.5"}, "print would make 16.0 MiB"},
		{"file and directory", []string{"render", "clash", "--ip", "192.0.2.5"}, "/etc/x/y: lies under /etc/x"},
		{"host loopback", []string{"render", "dns", "--ip", "127.0.0.1"}, "is the host's own loopback address"},
		{"long value", []string{"render", "dns", "--ip", "192.0.2.5", "--set", "zone=" + long}, "value is 100000 bytes long"},
		{"unknown checks", []string{"check", "--from", dir, "--only", "NOPE,NOPE2"}, `"NOPE", "NOPE2": unknown checks`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"--no-color", "--recipes", dir}, tt.args...)
			if tt.args[0] == "render" {
				args = append(args, "--out", out)
			}
			var stdout, stderr bytes.Buffer
			if got := run(args, &stdout, &stderr); got != exitUsage {
				t.Fatalf("exit %d, want 2\n%s", got, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, stderr.String())
			}
			if strings.Contains(stderr.String(), "goroutine") || len(stderr.String()) > 2000 {
				t.Errorf("stderr is a crash or an echo (%d bytes)", stderr.Len())
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("wrote %s", out)
			}
		})
	}
}
