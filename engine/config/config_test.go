package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/inputerr"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, text string
		want       Config
		errs       []string // each error's text, in order
	}{
		{"empty", "", Config{}, nil},
		{"comments", "# a comment\n\n   # indented\n", Config{}, nil},
		{"all keys", "jails_dir = /jails\nrelease = 14.3-RELEASE\nbridge=bridge1\ninterface = \"em0\"\nrecipes = /a\nrecipes = /b\n",
			Config{JailsDir: "/jails", Release: "14.3-RELEASE", Bridge: "bridge1", Interface: "em0", RecipeDirs: []string{"/a", "/b"}}, nil},
		{"unknown key", "jails_dir = /j\njail_dir = /x\n", Config{}, []string{"f:2: unknown key \"jail_dir\""}},
		{"no equals", "jails_dir /x\n", Config{}, []string{"f:1: \"jails_dir /x\" is not key = value"}},
		{"repeated", "bridge = bridge0\nbridge = bridge1\n", Config{}, []string{"f:2: bridge is set again (first on line 1)"}},
		{"relative dir", "jails_dir = jails\n", Config{}, []string{"f:1: jails_dir: \"jails\" is not an absolute"}},
		{"bad release", "release = 14.3\n", Config{}, []string{"f:1: release: \"14.3\" is not a FreeBSD release name"}},
		{"bad bridge", "bridge = br;0\n", Config{}, []string{"f:1: bridge: \"br;0\" is not an interface name"}},
		{"empty value", "bridge =\n", Config{}, []string{"f:1: bridge has no value"}},
		{"trailing comment", "bridge = bridge0 # x\n", Config{}, []string{"f:1: bridge: \"bridge0 # x\": quote the whole value"}},
		{"unbalanced quote", "bridge = \"bridge0\n", Config{}, []string{"f:1: bridge: unbalanced double quote"}},
		{"every error", "x = 1\ny = 2\n", Config{}, []string{"f:1: unknown key \"x\"", "f:2: unknown key \"y\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("f", []byte(tt.text))
			if len(tt.errs) == 0 {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if d := cmp.Diff(tt.want, got); d != "" {
					t.Errorf("Parse (-want +got):\n%s", d)
				}
				return
			}
			var list inputerr.ErrorList
			if !errors.As(err, &list) || len(list) != len(tt.errs) {
				t.Fatalf("Parse = %v, want %d errors", err, len(tt.errs))
			}
			for i, e := range list {
				if !strings.HasPrefix(e.Error(), tt.errs[i]) {
					t.Errorf("error %d = %q, want it to start with %q", i, e, tt.errs[i])
				}
				if !errors.Is(e, inputerr.ErrInput) {
					t.Errorf("error %d is not bad input", i)
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nosuch.conf")
	if c, err := Load(missing, false); err != nil || c.JailsDir != "" {
		t.Errorf("Load of a missing default file = %+v, %v; want empty and no error", c, err)
	}
	if _, err := Load(missing, true); !errors.Is(err, inputerr.ErrInput) {
		t.Errorf("Load of a missing named file = %v, want bad input", err)
	}
	p := filepath.Join(dir, "jailkit.conf")
	if err := os.WriteFile(p, []byte("jails_dir = /j\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(p, true); err != nil || c.JailsDir != "/j" {
		t.Errorf("Load = %+v, %v", c, err)
	}
}

// FuzzParse: any text either parses into values that are valid on their
// own or fails with bad-input errors that each name a line.
func FuzzParse(f *testing.F) {
	f.Add("jails_dir = /jails\nrelease = 14.3-RELEASE\n")
	f.Add("bridge = \"bridge0\"\n# c\nrecipes = /a\n")
	f.Add("x\n=\n\"\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse("f", []byte(text))
		if err != nil {
			var list inputerr.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %v is not a list", err)
			}
			for _, e := range list {
				if !errors.Is(e, inputerr.ErrInput) || !strings.HasPrefix(e.Error(), "f:") {
					t.Fatalf("error %q is not bad input at a place in f", e)
				}
			}
			return
		}
		for _, d := range append([]string{c.JailsDir}, c.RecipeDirs...) {
			if d != "" && (d[0] != '/' || strings.ContainsAny(d, " \t\n\"")) {
				t.Fatalf("accepted directory %q", d)
			}
		}
		if strings.ContainsAny(c.Bridge+c.Interface, " ;\"/") {
			t.Fatalf("accepted interface %q %q", c.Bridge, c.Interface)
		}
	})
}
