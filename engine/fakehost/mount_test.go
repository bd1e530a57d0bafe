package fakehost

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/system"
)

// TestMountPkgCache: the jail's pkg fetches into the host directory
// mounted on its /var/cache/pkg and takes an intact cached package from
// there; umount takes the mount away; find removes links only.
func TestMountPkgCache(t *testing.T) {
	h := startedJail(t, DefaultConfig())
	cache := "/cache"
	for _, d := range []string{"cache", "jails/dns/var/cache/pkg"} {
		if err := os.MkdirAll(filepath.Join(h.Dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	on := "/jails/dns/var/cache/pkg"
	h.mustRun(t, true, "jexec", "-l", "dns", "/usr/sbin/pkg", "bootstrap", "-y")
	h.mustRun(t, true, "mount", "-t", "nullfs", cache, on)
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"mount", "-t", "nullfs", cache, on}, "mounted on already"},
		{[]string{"mount", "-t", "tmpfs", cache, on}, "only mount -t nullfs"},
		{[]string{"mount", "-t", "nullfs", "/nowhere", on}, "/nowhere: No such file or directory"},
		{[]string{"umount", "/jails"}, "umount: /jails: unknown file system"},
	} {
		_, err := h.Run(context.Background(), system.Cmd{Argv: tc.argv, Mutates: true})
		if err == nil || !strings.Contains(err.Error()+errText(err), tc.want) {
			t.Errorf("%v: want %q, got %v", tc.argv, tc.want, err)
		}
	}
	h.mustRun(t, true, "jexec", "-l", "dns", "/usr/local/sbin/pkg", "install", "-y", "bind920")
	if _, err := os.Stat(filepath.Join(h.Dir, "cache/bind920-1.0.pkg")); err != nil {
		t.Fatalf("the package is not in the mounted cache: %v", err)
	}
	h.mustRun(t, true, "umount", on)
	if st, _ := h.State(); len(st.Mounts) != 0 {
		t.Errorf("still mounted: %v", st.Mounts)
	}
	log := h.read(t, PkgFetchLog)
	if !strings.HasPrefix(log, "dns bind920-1.0 ") || strings.Count(log, "\n") != 1 {
		t.Errorf("fetch log: %q", log)
	}
}

func errText(err error) string {
	var xe *system.ExitError
	if errors.As(err, &xe) {
		return xe.Stderr
	}
	return ""
}
