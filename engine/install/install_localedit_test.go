package install

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/inputerr"
)

// TestLocalEditRefused: a re-install that would overwrite a file the
// jail's admin edited stops with the diff and changes nothing; --force
// overwrites it.
func TestLocalEditRefused(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	r := dnsRecipe(t)
	if _, err := Install(ctx, h, r, dnsSpec(), testOpts()); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(h.Dir, "usr/local/jails/containers/dns/usr/local/etc/namedb/named.conf")
	data, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, append(data, "// tuned by hand\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, h)
	_, err = Install(ctx, h, r, dnsSpec(), testOpts())
	var le *LocalEditsError
	if !errors.As(err, &le) || !errors.Is(err, inputerr.ErrInput) {
		t.Fatalf("want a LocalEditsError, got %v", err)
	}
	if !strings.Contains(err.Error(), "-// tuned by hand") || !strings.Contains(err.Error(), "--- /usr/local/etc/namedb/named.conf") {
		t.Errorf("the error does not show the diff:\n%v", err)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("a refused install changed the host:\n%s", diff)
	}
	opts := testOpts()
	opts.Force = true
	if _, err := Install(ctx, h, r, dnsSpec(), opts); err != nil {
		t.Fatal(err)
	}
	if got := readHost(t, h, "usr/local/jails/containers/dns/usr/local/etc/namedb/named.conf"); strings.Contains(got, "tuned by hand") {
		t.Errorf("--force kept the local edit")
	}
}
