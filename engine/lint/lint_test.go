package lint

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/inputerr"
)

const recipeYAML = `apiVersion: jailkit/v1
name: app
summary: an app
params:
  - {name: port, type: port, default: 8080}
  - {name: peer, type: ip, required: true}
files:
  - {template: app/app.conf.tmpl, path: /usr/local/etc/app.conf}
`

func TestLintFile(t *testing.T) {
	tests := []struct {
		name, tmpl string
		want       []string // empty: clean
	}{
		{"clean", "listen {{ .Jail.IP }}:{{ .Params.port }} peer {{ .Params.peer }}\n", nil},
		{"an unknown param in a branch never taken with the sample values",
			"a\n{{ if false }}{{ .Params.nosuch }}{{ end }}\n",
			[]string{"/app/app.conf.tmpl:2: .Params.nosuch is not a parameter of this recipe"}},
		{"an unknown built-in", "{{ .Jail.Nope }}\n",
			[]string{"/app/app.conf.tmpl:1: .Jail.Nope is not a built-in value"}},
		{"every problem at once", "{{ .Params.a }}\n{{ .Params.b }}\n",
			[]string{"app.conf.tmpl:1: .Params.a", "app.conf.tmpl:2: .Params.b"}},
		{"a template that fails to render", "{{ fail \"no\" }}\n", []string{"/app/app.conf.tmpl:1: no"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "app.yaml")
			if err := os.WriteFile(file, []byte(recipeYAML), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "app", "app.conf.tmpl"), []byte(tt.tmpl), 0o644); err != nil {
				t.Fatal(err)
			}
			err := LintFile(file)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("LintFile: %v", err)
				}
				return
			}
			if !errors.Is(err, inputerr.ErrInput) {
				t.Fatalf("want an input error, got %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("lint error %q lacks %q", err, w)
				}
			}
		})
	}
}
