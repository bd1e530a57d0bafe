package main

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update rewrites the generated files the tests compare (go test
// -update): the completion scripts in completions/ and the files the
// testscript scripts cmp against.
var update = flag.Bool("update", false, "rewrite the completion scripts and the scripts' expected files")

// TestMakeInstallMatchesPlist runs "make install DESTDIR=... PREFIX=..."
// of the top-level Makefile and checks that it writes exactly the files
// the port's pkg-plist lists, under PREFIX and nowhere else, with the
// binary executable. make is part of the test set-up (.ci/deps): a
// missing make fails the test rather than skipping it.
func TestMakeInstallMatchesPlist(t *testing.T) {
	want := plistFiles(t)
	// GNU make, and bmake for FreeBSD's make (the same make(1) lineage):
	// the Makefile must stay POSIX for both.
	runs := []struct{ make, prefix string }{
		{"make", "/usr/local"}, {"make", "/opt/jailkit"}, {"bmake", "/usr/local"},
	}
	for _, r := range runs {
		t.Run(r.make+r.prefix, func(t *testing.T) {
			mk, err := exec.LookPath(r.make)
			if err != nil {
				t.Fatalf("%s is needed to check make install against pkg-plist (.ci/deps installs it): %v", r.make, err)
			}
			got := makeInstall(t, mk, r.prefix)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("%s install and packaging/sysutils/jailkit/pkg-plist differ (-plist +installed):\n%s", r.make, d)
			}
		})
	}
}

// makeInstall runs "make install" into a new DESTDIR with prefix and
// returns the files it wrote, relative to the prefix, as pkg-plist names
// them.
func makeInstall(t *testing.T, mk, prefix string) []string {
	dest := t.TempDir()
	cmd := exec.Command(mk, "install", "DESTDIR="+dest, "PREFIX="+prefix, "BIN="+filepath.Join(t.TempDir(), "jailkit"),
		// The build cache the other tests filled serves a build
		// without -trimpath: no second full compile.
		"GOBUILDFLAGS=")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	var got []string
	err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(dest, prefix), p)
		if strings.HasPrefix(rel, "..") {
			t.Errorf("make install wrote %s, outside PREFIX", strings.TrimPrefix(p, dest))
		}
		// The ports framework gzips man pages when it stages them
		// (freebsd-ports Mk/bsd.stage.mk, compress-man).
		if strings.HasPrefix(rel, "share/man/") {
			rel += ".gz"
		}
		got = append(got, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dest, prefix, "bin/jailkit"))
	if err != nil || fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("bin/jailkit is not an executable: %v %v", fi, err)
	}
	sort.Strings(got)
	return got
}

// plistFiles reads pkg-plist with the substitutions the ports framework
// makes for a port with the DOCS and EXAMPLES options on.
func plistFiles(t *testing.T) []string {
	data, err := os.ReadFile("../../packaging/sysutils/jailkit/pkg-plist")
	if err != nil {
		t.Fatal(err)
	}
	r := strings.NewReplacer("%%PORTDOCS%%", "", "%%PORTEXAMPLES%%", "",
		"%%DOCSDIR%%", "share/doc/jailkit", "%%EXAMPLESDIR%%", "share/examples/jailkit")
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "@") {
			out = append(out, r.Replace(l))
		}
	}
	sort.Strings(out)
	return out
}

// TestCompletionFilesCurrent: the completion scripts make install copies
// are what "jailkit completion SHELL" prints (regenerate with
// go test ./cmd/jailkit -update).
func TestCompletionFilesCurrent(t *testing.T) {
	files := map[string]string{"bash": "jailkit.bash", "zsh": "_jailkit", "fish": "jailkit.fish"}
	for shell, file := range files {
		t.Run(shell, func(t *testing.T) {
			var out bytes.Buffer
			if code := run([]string{"completion", shell}, &out, &out); code != 0 {
				t.Fatalf("jailkit completion %s exited %d", shell, code)
			}
			p := filepath.Join("../../completions", file)
			if *update {
				if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, out.Bytes()) {
				t.Errorf("%s is not what jailkit completion %s prints; run go test ./cmd/jailkit -update", p, shell)
			}
		})
	}
}
