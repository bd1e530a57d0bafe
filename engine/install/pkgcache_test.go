package install

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/fakehost/fakepkg"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

// classroom installs n x11 jails on a fresh fake host (its own sshd off,
// so each jail's may take port 22) and returns the host.
func classroom(t *testing.T, n int, opts Options) *fakehost.Host {
	t.Helper()
	h := hostOf(t, func(c *fakehost.Config) { c.Listeners = c.Listeners[1:] })
	for i := 1; i <= n; i++ {
		spec := render.JailSpec{Name: fmt.Sprintf("pc%02d", i), IPs: []string{fmt.Sprintf("192.0.2.%d", 100+i)}}
		if _, err := Install(context.Background(), h, recipeNamed(t, "x11"), spec, opts); err != nil {
			t.Fatalf("install %s: %v", spec.Name, err)
		}
	}
	return h
}

// TestClassroomPkgFetches: a classroom of 20 x11 jails fetches each
// package once with the shared cache, and once per jail without it.
func TestClassroomPkgFetches(t *testing.T) {
	const n = 20
	noCache := testOpts()
	noCache.NoPkgCache = true
	before, beforeBytes := fetches(t, classroom(t, n, noCache))
	// As lab apply installs a classroom: every jail, the first too,
	// shares the cache.
	shared := testOpts()
	shared.SharePkgCache = true
	h := classroom(t, n, shared)
	after, afterBytes := fetches(t, h)
	t.Logf("classroom of %d x11 jails: %d package fetches, %d bytes without the shared cache; %d fetches, %d bytes with it",
		n, before, beforeBytes, after, afterBytes)
	pkgs, err := filepath.Glob(filepath.Join(h.Dir, "usr/local/jails/pkgcache/FreeBSD-14-amd64/*.pkg"))
	if err != nil || len(pkgs) == 0 {
		t.Fatalf("no package in the shared cache: %v", err)
	}
	if after != len(pkgs) || before != n*after || beforeBytes != n*afterBytes {
		t.Errorf("want each of the %d packages fetched once (%d times without the cache), got %d and %d", len(pkgs), n*len(pkgs), after, before)
	}
	st, err := h.State()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Mounts) != 0 {
		t.Errorf("the cache is still mounted after the installs: %v", st.Mounts)
	}
}

func fetches(t testing.TB, h *fakehost.Host) (int, int64) {
	t.Helper()
	log, err := os.ReadFile(filepath.Join(h.Dir, fakehost.PkgFetchLog))
	if os.IsNotExist(err) {
		return 0, 0
	}
	n, size, err := fakepkg.CountFetches(log)
	if err != nil {
		t.Fatal(err)
	}
	return n, size
}

// TestPkgCachePoisoned: a cached package another jail altered fails
// pkg's checksum and is fetched again; a link planted in the cache is
// removed before the next jail mounts it, so that jail's pkg never
// appends through it to a file of its own.
func TestPkgCachePoisoned(t *testing.T) {
	h := classroom(t, 1, sharedOpts())
	cache := filepath.Join(h.Dir, "usr/local/jails/pkgcache/FreeBSD-14-amd64")
	poisoned := filepath.Join(cache, "xauth-1.0.pkg")
	if err := os.WriteFile(poisoned, []byte("evil"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(cache, "planted.pkg")
	if err := os.Symlink("/etc/master.passwd", link); err != nil {
		t.Fatal(err)
	}
	n0, _ := fetches(t, h)
	spec := render.JailSpec{Name: "pc02", IPs: []string{"192.0.2.102"}}
	if _, err := Install(context.Background(), h, recipeNamed(t, "x11"), spec, testOpts()); err != nil {
		t.Fatal(err)
	}
	n1, _ := fetches(t, h)
	if n1 != n0+1 {
		t.Errorf("want the poisoned package fetched again (one fetch), got %d", n1-n0)
	}
	if data, _ := os.ReadFile(poisoned); strings.Contains(string(data), "evil") {
		t.Errorf("the poisoned package is still in the cache")
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Errorf("the planted link is still in the cache: %v", err)
	}
}

// TestPkgCacheLinkedMountPoint: in a jail an earlier install made, a
// /var/cache/pkg that is a link (which mount would follow on the host)
// keeps the jail on its own cache; a plain one gets the shared cache
// for the new packages.
func TestPkgCacheLinkedMountPoint(t *testing.T) {
	h := classroom(t, 1, sharedOpts())
	spec := render.JailSpec{Name: "pc01", IPs: []string{"192.0.2.101"}, Sets: []string{"apps=xclock"}}
	plans := map[bool]string{}
	for _, linked := range []bool{false, true} {
		if linked {
			dir := filepath.Join(h.Dir, "usr/local/jails/containers/pc01/var/cache/pkg")
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("/etc", dir); err != nil {
				t.Fatal(err)
			}
		}
		p, err := PlanInstall(context.Background(), system.NewDryRun(h), recipeNamed(t, "x11"), spec, testOpts())
		if err != nil {
			t.Fatal(err)
		}
		plans[linked] = p.Text()
	}
	if !strings.Contains(plans[false], "run: mount -t nullfs -o nosuid,noexec /usr/local/jails/pkgcache/FreeBSD-14-amd64 /usr/local/jails/containers/pc01/var/cache/pkg") {
		t.Errorf("a plain /var/cache/pkg: no shared cache:\n%s", plans[false])
	}
	if strings.Contains(plans[true], "mount -t nullfs") || !strings.Contains(plans[true], "is not a plain directory") {
		t.Errorf("a linked /var/cache/pkg gets the shared cache:\n%s", plans[true])
	}
}

// TestPkgCacheRerunFaultInjection fails each mutation of a re-install
// that adds a package through the shared cache (a mkdir, the scrub, the
// mount, pkg install, the unmount and what follows): the host is back
// as it was, the cache unmounted. A package fetched before the failure
// stays in the cache, as pkg leaves what it fetched; pkg checks it
// against the catalogue before any use.
func TestPkgCacheRerunFaultInjection(t *testing.T) {
	ctx := context.Background()
	spec := render.JailSpec{Name: "pc01", IPs: []string{"192.0.2.101"}, Sets: []string{"apps=xclock"}}
	probe := classroom(t, 1, sharedOpts())
	fault, count := fakehost.FailNth(-1)
	probe.Fault = fault
	if _, err := Install(ctx, probe, recipeNamed(t, "x11"), spec, testOpts()); err != nil {
		t.Fatal(err)
	}
	total := count()
	for n := 1; n <= total; n++ {
		h := classroom(t, 1, sharedOpts())
		before := cacheless(t, h)
		h.Fault, _ = fakehost.FailNth(n)
		_, err := Install(ctx, h, recipeNamed(t, "x11"), spec, testOpts())
		if err == nil || !strings.Contains(err.Error(), "injected failure") {
			t.Fatalf("mutation %d: want the injected failure, got %v", n, err)
		}
		h.Fault = nil
		if diff := cmp.Diff(before, cacheless(t, h)); diff != "" {
			t.Errorf("mutation %d: the host changed (-before +after):\n%s", n, diff)
		}
	}
}

// cacheless is the host's snapshot without the packages in the cache.
func cacheless(t *testing.T, h *fakehost.Host) map[string]string {
	t.Helper()
	s, err := h.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for k := range s {
		if strings.HasPrefix(k, "usr/local/jails/pkgcache/") && strings.HasSuffix(k, ".pkg") {
			delete(s, k)
		}
	}
	return s
}

// sharedOpts are the install options of a lab: the shared package cache
// from the first jail on.
func sharedOpts() Options {
	o := testOpts()
	o.SharePkgCache = true
	return o
}
