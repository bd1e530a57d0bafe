package snapsys_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/ops"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/snapsys"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck"
)

func catalog(t *testing.T) *recipe.Catalog {
	t.Helper()
	c, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// installOpts share the package cache from the first jail, as a lab does,
// so the jail has a /var/cache/pkg the snapshot records.
var installOpts = install.Options{LockWait: 5 * time.Second, CheckTries: 1, Version: "test", SharePkgCache: true}

// collected installs a dns jail on a fake host, collects the host into
// a snapshot directory the way jailkit collect does, and opens it.
func collected(t *testing.T) (*fakehost.Host, system.System) {
	t.Helper()
	h, err := fakehost.New(t.TempDir(), fakehost.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r, err := catalog(t).Get("dns")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := install.Install(context.Background(), h, r, render.JailSpec{IPs: []string{"192.0.2.53"}}, installOpts); err != nil {
		t.Fatal(err)
	}
	// The base's version, which status reads, and a local edit, which
	// diff must see in the snapshot.
	base := filepath.Join(h.Dir, "usr/local/jails/templates/14.3-RELEASE-amd64/bin/freebsd-version")
	if err := os.WriteFile(base, []byte("#!/bin/sh\nUSERLAND_VERSION=\"14.3-RELEASE-p2\"\n"), 0o555); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(h.Dir, "usr/local/jails/containers/dns/usr/local/etc/namedb/named.conf")
	data, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, append(data, "// edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	return h, snapshotOf(t, h)
}

func snapshotOf(t *testing.T, h *fakehost.Host) system.System {
	t.Helper()
	dir := t.TempDir()
	out, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, _, err := hostcheck.Collect(context.Background(), &hostcheck.LiveSource{Sys: h}, out, hostcheck.GatherOptions{}); err != nil {
		t.Fatal(err)
	}
	if n, err := snapsys.CollectState(context.Background(), h, out, true); err != nil || n == 0 {
		t.Fatalf("collect the state: %d files, %v", n, err)
	}
	s, err := snapsys.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStatusAndDiffFromSnapshot: status and diff read the same state,
// jls, base version and drift from the snapshot as from the host.
func TestStatusAndDiffFromSnapshot(t *testing.T) {
	ctx := context.Background()
	h, snap := collected(t)
	opts := ops.StatusOptions{Recipes: catalog(t)}
	live, err := ops.Status(ctx, h, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ops.Status(ctx, snap, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].State != "running" || got[0].Listeners != "ok" || got[0].Userland != "14.3-RELEASE-p2" || len(got[0].Drift) != 1 {
		t.Fatalf("status from the snapshot: %+v", got)
	}
	if diff := cmp.Diff(live, got); diff != "" {
		t.Errorf("status (-host +snapshot):\n%s", diff)
	}
	d, err := ops.DiffJail(ctx, snap, catalog(t), "dns")
	if err != nil || len(d.Files) != 1 || !strings.Contains(d.Files[0].Diff, "// edited") {
		t.Errorf("diff from the snapshot: %+v, %v", d, err)
	}
}

// TestPlanInstallFromSnapshot: the pre-flight of an install planned
// against the snapshot refuses the address the host's jail has, as it
// does on the host, and a free address gets a plan.
func TestPlanInstallFromSnapshot(t *testing.T) {
	ctx := context.Background()
	_, snap := collected(t)
	r, err := catalog(t).Get("www")
	if err != nil {
		t.Fatal(err)
	}
	_, err = install.PlanInstall(ctx, system.NewDryRun(snap), r, render.JailSpec{IPs: []string{"192.0.2.53"}}, installOpts)
	if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "192.0.2.53") {
		t.Errorf("an address in use: want bad input naming it, got %v", err)
	}
	p, err := install.PlanInstall(ctx, system.NewDryRun(snap), r, render.JailSpec{IPs: []string{"192.0.2.80"}}, installOpts)
	if err != nil {
		t.Fatal(err)
	}
	if text := p.Text(); !strings.Contains(text, "pkg install -y apache24") || !strings.Contains(text, "FreeBSD 14.3-RELEASE amd64") {
		t.Errorf("plan:\n%s", text)
	}
}

// TestSnapshotReadOnly: nothing a snapshot is asked to change changes.
func TestSnapshotReadOnly(t *testing.T) {
	_, snap := collected(t)
	jail, err := snap.OpenRoot("/usr/local/jails/containers/dns")
	if err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"write":      snap.WriteFile("/etc/rc.conf", []byte("x"), 0o644),
		"mkdir":      snap.MkdirAll("/etc/x", 0o755),
		"remove":     snap.RemoveAll("/etc"),
		"jail write": jail.WriteFile("/etc/rc.conf", []byte("x"), 0o644),
		"jail chmod": jail.Chmod("/etc/rc.conf", 0o777),
		"mutating run": func() error {
			_, err := snap.Run(context.Background(), system.Cmd{Argv: []string{"jail", "-c", "x"}, Mutates: true})
			return err
		}(),
	} {
		if !errors.Is(err, snapsys.ErrReadOnly) {
			t.Errorf("%s: want ErrReadOnly, got %v", name, err)
		}
	}
	if _, err := snap.Run(context.Background(), system.Cmd{Argv: []string{"zfs", "list"}}); !errors.Is(err, system.ErrNoExec) {
		t.Errorf("a command collect did not run: want ErrNoExec, got %v", err)
	}
	if _, err := jail.Sysctl("kern.osrelease"); err == nil {
		t.Errorf("a jail root of the snapshot answered a sysctl")
	}
}

// TestPlanUpdateFromSnapshot: with the pending packages collected, the
// update planned against the snapshot is the one planned on the host.
func TestPlanUpdateFromSnapshot(t *testing.T) {
	ctx := context.Background()
	h, _ := collected(t)
	if err := os.WriteFile(filepath.Join(h.Dir, fakehost.PkgUpdates), []byte("bind920\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	snap := snapshotOf(t, h)
	opts := ops.Options{Recipes: catalog(t)}
	live, err := ops.PlanUpdate(ctx, system.NewDryRun(h), nil, true, "u1", opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ops.PlanUpdate(ctx, system.NewDryRun(snap), nil, true, "u1", opts)
	if err != nil {
		t.Fatal(err)
	}
	// freebsd-update cannot ask its servers from a snapshot: the plan
	// says so in a note and leaves the base alone; the rest is the same.
	const note = "note: freebsd-update could not run here"
	if !strings.Contains(got.Text(), note) {
		t.Errorf("the snapshot plan does not say the base was not checked:\n%s", got.Text())
	}
	var kept []string
	for _, l := range strings.SplitAfter(got.Text(), "\n") {
		if !strings.HasPrefix(l, note) {
			kept = append(kept, l)
		}
	}
	if live.Changes() == 0 || strings.Join(kept, "") != live.Text() {
		t.Errorf("update from the snapshot:\n%s\nfrom the host:\n%s", got.Text(), live.Text())
	}
}
