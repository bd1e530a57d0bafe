package plan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/jailkit/jailkit/engine/system"
)

func TestQuoteArgv(t *testing.T) {
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"sysrc", "jail_enable=YES"}, "sysrc jail_enable=YES"},
		{[]string{"jail", "-f", "/etc/jail.conf.d/dns.conf", "-c", "dns"}, "jail -f /etc/jail.conf.d/dns.conf -c dns"},
		// A pipe, a space, a quote or an empty argument would change what
		// sh runs if the line were pasted unquoted.
		{[]string{"echo", "em0|192.0.2.53/32"}, "echo 'em0|192.0.2.53/32'"},
		{[]string{"echo", "a b", ""}, "echo 'a b' ''"},
		{[]string{"echo", "it's"}, `echo 'it'\''s'`},
		{[]string{"echo", "$HOME", "`id`", "x;y"}, "echo '$HOME' '`id`' 'x;y'"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := QuoteArgv(tt.argv); got != tt.want {
				t.Errorf("QuoteArgv(%q) = %s, want %s", tt.argv, got, tt.want)
			}
		})
	}
}

// TestStepEnv checks that a step's environment reaches the text plan, the
// JSON plan and the command the executor runs.
func TestStepEnv(t *testing.T) {
	p := &Plan{Steps: []Step{{
		Name:   "patch the i386 base",
		Action: ActRun,
		Env:    []string{"UNAME_m=i386", "UNAME_p=i386"},
		Argv:   []string{"freebsd-update", "-b", "/j/base", "fetch"},
	}}}
	if text := p.Text(); !strings.Contains(text, "env: UNAME_m=i386 UNAME_p=i386\n") {
		t.Errorf("text plan lacks the env line:\n%s", text)
	}
	js, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"env": [`) || !strings.Contains(string(js), `"UNAME_m=i386"`) {
		t.Errorf("JSON plan lacks env:\n%s", js)
	}
	rec := system.NewRecorder(nil)
	if err := Apply(context.Background(), rec, p, ApplyOptions{CheckTries: 1}); err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls()
	if len(calls) != 1 || strings.Join(calls[0].Env, " ") != "UNAME_m=i386 UNAME_p=i386" {
		t.Errorf("recorded calls = %+v, want one run with the env", calls)
	}
}

// TestPrintable: what a plan prints of a file cannot drive a terminal.
func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain\tconfig\nline\n": "plain\tconfig\nline\n",
		"\x1b[2J":               `\x1b[2J`,
		"a\u009bb":              `a\x9bb`,
		"\u202eevil":            `\u202eevil`,
		"café \x00":             `café \x00`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestVerifyBigFile: a release's base.txz is some 200 MB, past what
// ReadFile takes; verify hashes it as a stream through the real System.
func TestVerifyBigFile(t *testing.T) {
	dir := t.TempDir()
	data := bytes.Repeat([]byte("jailkit "), (system.MaxReadSize+1<<20)/8)
	if err := os.WriteFile(filepath.Join(dir, "base.txz"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	sys, err := system.NewReal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	if _, err := sys.ReadFile("/base.txz"); err == nil {
		t.Fatal("ReadFile took a file past MaxReadSize; the test no longer shows what it is for")
	}
	sum := sha256.Sum256(data)
	p := &Plan{Steps: []Step{{Name: "verify base.txz", Action: ActVerify, Path: "/base.txz", SHA256: hex.EncodeToString(sum[:])}}}
	if err := Apply(context.Background(), sys, p, ApplyOptions{}); err != nil {
		t.Errorf("verify of a %d-byte file: %v", len(data), err)
	}
	p.Steps[0].SHA256 = strings.Repeat("0", 64)
	if err := Apply(context.Background(), sys, p, ApplyOptions{}); err == nil {
		t.Error("a wrong sum passed")
	}
}

// TestScrub: the shared package cache keeps its packages and directories
// and loses every link (pkg would append through one) and FIFO, and a
// link to a directory is removed, never followed.
func TestScrub(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	outside := filepath.Join(dir, "outside")
	os.MkdirAll(filepath.Join(cache, "All"), 0o755)
	os.MkdirAll(outside, 0o755)
	os.WriteFile(filepath.Join(cache, "All", "bind920-1.0.pkg"), []byte("pkg"), 0o644)
	os.WriteFile(filepath.Join(outside, "keep"), []byte("x"), 0o644)
	os.Symlink("/etc/passwd", filepath.Join(cache, "bind920.pkg"))
	os.Symlink(outside, filepath.Join(cache, "All", "out"))
	syscall.Mkfifo(filepath.Join(cache, "fifo"), 0o644)
	os.Symlink("../outside", filepath.Join(cache, "rel"))
	deep := filepath.Join(cache, "deep")
	for i := 0; i < 40; i++ {
		deep = filepath.Join(deep, "d")
	}
	os.MkdirAll(deep, 0o755)
	sys, err := system.NewReal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	p := &Plan{Steps: []Step{{Name: "scrub the cache", Action: ActScrub, Path: "/cache"}}}
	if err := Apply(context.Background(), sys, p, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	var left []string
	filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(cache, p)
		left = append(left, rel)
		return err
	})
	want := []string{".", "All", "All/bind920-1.0.pkg", "deep"}
	for d, i := "deep", 0; i < 31; i++ {
		d += "/d"
		want = append(want, d)
	}
	if !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
	if _, err := os.Stat(filepath.Join(outside, "keep")); err != nil {
		t.Errorf("scrub followed a link out: %v", err)
	}
}
