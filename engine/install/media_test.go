package install

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

func TestReleaseURL(t *testing.T) {
	for _, tc := range []struct{ arch, want string }{
		{"amd64", "https://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE/base.txz"},
		{"arm64", "https://download.freebsd.org/releases/arm64/aarch64/14.3-RELEASE/base.txz"},
		{"i386", "https://download.freebsd.org/releases/i386/i386/14.3-RELEASE/base.txz"},
	} {
		if got := ReleaseURL(DefaultMirror+"/", "14.3-RELEASE", tc.arch, "base.txz"); got != tc.want {
			t.Errorf("%s: %s", tc.arch, got)
		}
	}
	if got := mediaRelease("14.3-RELEASE-p2"); got != "14.3-RELEASE" {
		t.Errorf("mediaRelease: %s", got)
	}
}

// TestI386Jail: a 32-bit jail on an amd64 host uses the i386 release set.
func TestI386Jail(t *testing.T) {
	h := newFakeHost(t)
	p, err := PlanInstall(context.Background(), system.NewDryRun(h), dnsRecipe(t), render.JailSpec{IPs: []string{"192.0.2.53"}, Arch: "i386"}, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	text := p.Text()
	if !strings.Contains(text, "fetch -o /usr/local/jails/media/14.3-RELEASE-i386/base.txz https://download.freebsd.org/releases/i386/i386/14.3-RELEASE/base.txz") {
		t.Errorf("plan:\n%s", text)
	}
}

// TestDamagedMediaRefused: a cached base.txz whose sum is not the
// MANIFEST's stops the install; the cache is left for the admin to look at.
func TestDamagedMediaRefused(t *testing.T) {
	h := newFakeHost(t)
	media := filepath.Join(h.Dir, "usr/local/jails/media/14.3-RELEASE-amd64")
	os.MkdirAll(media, 0o755)
	os.WriteFile(filepath.Join(media, "MANIFEST"), fakehost.Manifest("14.3-RELEASE", "amd64"), 0o644)
	os.WriteFile(filepath.Join(media, "base.txz"), []byte("tampered"), 0o644)
	before := snapshot(t, h)
	_, err := Install(context.Background(), h, dnsRecipe(t), dnsSpec(), testOpts())
	var se *plan.StepError
	if !errors.As(err, &se) || se.Step != "verify base.txz against the MANIFEST" || !strings.Contains(err.Error(), "not genuine") {
		t.Fatalf("want the verify step to fail, got %v", err)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("host changed:\n%s", diff)
	}
}

// TestMediaCached: a second jail of the same release fetches nothing.
func TestMediaCached(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	if _, err := Install(ctx, h, dnsRecipe(t), dnsSpec(), testOpts()); err != nil {
		t.Fatal(err)
	}
	rec := system.NewRecorder(h)
	if _, err := Install(ctx, rec, dnsRecipe(t), render.JailSpec{Name: "ns2", IPs: []string{"192.0.2.54"}}, testOpts()); err != nil {
		t.Fatal(err)
	}
	for _, c := range rec.Commands() {
		if c[0] == "fetch" || (c[0] == "tar" && strings.Contains(strings.Join(c, " "), "templates")) {
			t.Errorf("the second jail ran %v", c)
		}
	}
}

func TestFetchSaysMissing(t *testing.T) {
	exit := func(stderr string) error {
		return &system.ExitError{Argv: []string{"fetch"}, Err: errors.New("exit status 1"), Stderr: stderr}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"http 404", exit("fetch: https://download.freebsd.org/releases/amd64/amd64/9.9-RELEASE/MANIFEST: Not Found\n"), true},
		{"http 410", exit("fetch: https://mirror/x/MANIFEST: Gone\n"), true},
		{"file url", exit("fetch: file:///srv/media/MANIFEST: No such file or directory\n"), true},
		{"network down", exit("fetch: https://mirror/x/MANIFEST: Connection refused\n"), false},
		{"server error", exit("fetch: https://mirror/x/MANIFEST: Internal Server Error\n"), false},
		{"the words in a Go error, not fetch's", errors.New("MANIFEST: Not Found"), false},
		{"wrapped", fmt.Errorf("fetch the MANIFEST: %w", exit("fetch: u: Not Found")), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fetchSaysMissing(tt.err); got != tt.want {
				t.Errorf("fetchSaysMissing(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
