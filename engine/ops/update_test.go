package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/system"
)

func TestUpdatePackages(t *testing.T) {
	ctx := context.Background()
	h := installed(t, "dns dns 192.0.2.53", "www www 192.0.2.80", "www idle 192.0.2.81")
	writeFile(t, h, fakehost.PkgUpdates, "bind920\napache24\n")
	if _, err := Stop(ctx, h, []string{"idle"}, false, testOpts(t)); err != nil {
		t.Fatal(err)
	}
	rec := system.NewRecorder(h)
	p, err := Update(ctx, rec, nil, true, "u1", testOpts(t))
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	// No shared cache for running jails: one could swap its mount point
	// for a link between the plan and the mount.
	want := []string{
		"jexec -l dns /usr/local/sbin/pkg upgrade -y",
		"service -j dns named restart",
		"jexec -l www /usr/local/sbin/pkg upgrade -y",
		"service -j www apache24 restart",
	}
	if diff := cmp.Diff(want, mutatingRuns(rec)); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "jail idle is not running") {
		t.Errorf("notes: %v", p.Notes)
	}
	if !strings.Contains(stateText(t, h, "dns"), `"updated": "u1: bind920-1.0"`) {
		t.Errorf("the state file does not record the update")
	}
	if s := statusOf(t, h, "dns")["dns"]; len(s.Updates) != 0 {
		t.Errorf("still pending after the update: %v", s.Updates)
	}
	again, err := Update(ctx, h, nil, true, "u2", testOpts(t))
	if err != nil || again.Changes() != 0 {
		t.Fatalf("a second update: %v\n%s", err, again.Text())
	}
}

// TestUpdateZFSFaultInjection: with the jail root on ZFS the update
// snapshots it first, and a failure anywhere rolls the root back: the
// host is as it was at every mutation.
func TestUpdateZFSFaultInjection(t *testing.T) {
	setup := func(t testing.TB) *fakehost.Host {
		h := zfsInstalled(t)
		writeFile(t, h, fakehost.PkgUpdates, "bind920\n")
		return h
	}
	update := func(ctx context.Context, sys system.System, names []string, all bool, opts Options) (*plan.Plan, error) {
		return Update(ctx, sys, names, all, "u1", opts)
	}
	faultEveryMutation(t, setup, update, []string{"dns"}, false)
}

// TestUpdateNoZFSFaultInjection: without ZFS, a failure up to pkg
// upgrade leaves the host as it was; after it, the upgrade stands (the
// plan says so) and the jail runs.
func TestUpdateNoZFSFaultInjection(t *testing.T) {
	ctx := context.Background()
	setup := func(t testing.TB) *fakehost.Host {
		h := installed(t, "dns dns 192.0.2.53")
		writeFile(t, h, fakehost.PkgUpdates, "bind920\n")
		return h
	}
	probe := setup(t)
	fault, count := fakehost.FailNth(-1)
	probe.Fault = fault
	p, err := Update(ctx, probe, []string{"dns"}, false, "u1", testOpts(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "cannot take the upgrade back") {
		t.Errorf("notes: %v", p.Notes)
	}
	upgrade := 0
	for i, s := range p.Steps {
		if strings.HasPrefix(s.Name, "upgrade ") {
			upgrade = i + 1
		}
	}
	for n := 1; n <= count(); n++ {
		t.Run(fmt.Sprint("mutation ", n), func(t *testing.T) {
			h := setup(t)
			before := snapshot(t, h)
			h.Fault, _ = fakehost.FailNth(n)
			_, err := Update(ctx, h, []string{"dns"}, false, "u1", testOpts(t))
			var se *plan.StepError
			if !errors.As(err, &se) || len(se.NotUndone) > 0 {
				t.Fatalf("want a clean StepError, got %v", err)
			}
			h.Fault = nil
			if got := services(t, h); got != "dns:named" {
				t.Errorf("step %q: the jail runs %q", se.Step, got)
			}
			if se.Index > upgrade {
				return
			}
			if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
				t.Errorf("step %q: the host changed (-before +after):\n%s", se.Step, diff)
			}
		})
	}
}

// TestNewBaseGenerations: two old bases of one release patched in one
// run each get a generation of their own (review: both got .3, and the
// second copy went over the first's patched files).
func TestNewBaseGenerations(t *testing.T) {
	bases := map[string]string{"/j/templates/14.3-RELEASE-amd64": "/j/templates/14.3-RELEASE-amd64.3"}
	next := "/j/templates/14.3-RELEASE-amd64.3"
	for taken(bases, next) {
		next = bumpGeneration(next)
	}
	if next != "/j/templates/14.3-RELEASE-amd64.4" {
		t.Errorf("next generation = %s, want .4", next)
	}
	if got := bumpGeneration("/j/templates/14.3-RELEASE-amd64"); got != "/j/templates/14.3-RELEASE-amd64.2" {
		t.Errorf("bumpGeneration of the first generation = %s", got)
	}
}
