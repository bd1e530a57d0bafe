package ops

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
	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

// zfsInstalled returns a fake host whose jails directory is on ZFS, with
// the dns jail installed (its root a dataset of its own).
func zfsInstalled(t testing.TB) *fakehost.Host {
	t.Helper()
	h, err := fakehost.New(t.TempDir(), fakehost.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := h.Config()
	cfg.Datasets = []fakehost.Dataset{{Name: "zroot/jails", Mountpoint: "/usr/local/jails"},
		{Name: "zroot/jails/containers", Mountpoint: "/usr/local/jails/containers"}}
	if err := h.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(h.Dir, "usr/local/jails/containers"), 0o755); err != nil {
		t.Fatal(err)
	}
	r, _ := catalog(t).Get("dns")
	spec := render.JailSpec{IPs: []string{"192.0.2.53"}}
	if _, err := install.Install(context.Background(), h, r, spec, install.Options{CheckTries: 1, Version: "test"}); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSnapshotRollback(t *testing.T) {
	ctx := context.Background()
	h := zfsInstalled(t)
	p, err := Snapshot(ctx, h, "dns", "before", testOpts(t))
	if err != nil || p.Changes() != 2 {
		t.Fatalf("snapshot: %v\n%s", err, p.Text())
	}
	if again, err := Snapshot(ctx, h, "dns", "before", testOpts(t)); err != nil || again.Changes() != 0 {
		t.Fatalf("a second snapshot: %v\n%s", err, again.Text())
	}
	taken := snapshot(t, h)
	// Nothing written since: nothing to roll back.
	if p, err := Rollback(ctx, h, "dns", "before", false, testOpts(t)); err != nil || p.Changes() != 0 {
		t.Fatalf("rollback of an unchanged root: %v\n%s", err, p.Text())
	}
	rc := "usr/local/jails/containers/dns/etc/rc.conf"
	writeFile(t, h, rc, "broken\n")
	if _, err := Snapshot(ctx, h, "dns", "later", testOpts(t)); err != nil {
		t.Fatal(err)
	}
	_, err = Rollback(ctx, h, "dns", "before", false, testOpts(t))
	if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "destroys the newer snapshots later") {
		t.Fatalf("want a refusal naming the newer snapshot, got %v", err)
	}
	p, err = Rollback(ctx, h, "dns", "before", true, testOpts(t))
	if err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if !strings.Contains(p.Text(), "run: zfs rollback -r zroot/jails/containers/dns@before") {
		t.Errorf("plan:\n%s", p.Text())
	}
	if got := services(t, h); got != "dns:named" {
		t.Errorf("after the rollback the jail runs %q", got)
	}
	now := snapshot(t, h)
	if now[rc] != taken[rc] {
		t.Errorf("rc.conf not rolled back: %q", now[rc])
	}
	if !strings.Contains(stateText(t, h, "dns"), `"rolled_back_to": "before"`) || strings.Contains(stateText(t, h, "dns"), "snapshot:later") {
		t.Errorf("state:\n%s", stateText(t, h, "dns"))
	}
	// Uninstall destroys the dataset with its snapshots.
	if _, err := install.Uninstall(ctx, h, "dns", install.UninstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(h.Dir, ".fakehost/zfs-snapshots")); !os.IsNotExist(err) {
		t.Errorf("snapshots outlived their dataset: %v", err)
	}
}

func TestSnapshotBadInput(t *testing.T) {
	ctx := context.Background()
	h := installed(t, "dns dns 192.0.2.53")
	if _, err := PlanSnapshot(ctx, h, "dns", "x"); !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "is not a ZFS dataset") {
		t.Errorf("a jail root on no dataset: %v", err)
	}
	z := zfsInstalled(t)
	for _, label := range []string{"-r", "a b", "x@y", ""} {
		if _, err := PlanSnapshot(ctx, z, "dns", label); !errors.Is(err, inputerr.ErrInput) {
			t.Errorf("label %q: %v", label, err)
		}
	}
	if _, err := PlanRollback(ctx, z, "dns", "nosuch", false, testOpts(t)); !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "has no snapshot nosuch") {
		t.Errorf("an unknown snapshot: %v", err)
	}
}

func TestSnapshotFaultInjection(t *testing.T) {
	faultEveryMutation(t, zfsInstalled, func(ctx context.Context, sys system.System, names []string, _ bool, opts Options) (*plan.Plan, error) {
		return Snapshot(ctx, sys, names[0], "before", opts)
	}, []string{"dns"}, false)
}

// TestRollbackFaultInjection fails every mutation of a rollback: up to
// the zfs rollback itself the host is back as it was; after it, the
// rollback stands (it cannot be undone) and the jail runs again.
func TestRollbackFaultInjection(t *testing.T) {
	ctx := context.Background()
	setup := func(t testing.TB) *fakehost.Host {
		h := zfsInstalled(t)
		if _, err := Snapshot(ctx, h, "dns", "before", testOpts(t)); err != nil {
			t.Fatal(err)
		}
		writeFile(t, h, "usr/local/jails/containers/dns/etc/motd", "changed\n")
		return h
	}
	probe := setup(t)
	fault, count := fakehost.FailNth(-1)
	probe.Fault = fault
	p, err := Rollback(ctx, probe, "dns", "before", false, testOpts(t))
	if err != nil {
		t.Fatal(err)
	}
	irreversible := 0
	for i, s := range p.Steps {
		if strings.HasPrefix(s.Name, "roll the jail root back") {
			irreversible = i + 1
		}
	}
	for n := 1; n <= count(); n++ {
		t.Run(fmt.Sprint("mutation ", n), func(t *testing.T) {
			h := setup(t)
			before := snapshot(t, h)
			h.Fault, _ = fakehost.FailNth(n)
			_, err := Rollback(ctx, h, "dns", "before", false, testOpts(t))
			var se *plan.StepError
			if !errors.As(err, &se) || len(se.NotUndone) > 0 {
				t.Fatalf("want a clean StepError, got %v", err)
			}
			h.Fault = nil
			if got := services(t, h); got != "dns:named" {
				t.Errorf("step %q: the jail runs %q", se.Step, got)
			}
			if se.Index > irreversible {
				return
			}
			if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
				t.Errorf("step %q: the host changed (-before +after):\n%s", se.Step, diff)
			}
		})
	}
}
