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
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/system"
)

var to15 = UpgradeOptions{Release: "15.0", Label: "up1"}

// TestUpgradeThin: the jail moves to a new 15.0 base beside the old
// one, its unmodified stock files updated by etcupdate, its packages
// reinstalled; a second upgrade to 15.0 changes nothing.
func TestUpgradeThin(t *testing.T) {
	ctx := context.Background()
	h := installed(t, "dns dns 192.0.2.53")
	p, err := Upgrade(ctx, h, "dns", to15, testOpts(t))
	if err != nil {
		t.Fatalf("upgrade: %v\n%s", err, p.Text())
	}
	conf, _ := h.ReadFile("/etc/jail.conf.d/dns.conf")
	if !strings.Contains(string(conf), "/usr/local/jails/templates/15.0-RELEASE-amd64/bin ") {
		t.Errorf("dns.conf:\n%s", conf)
	}
	defaults, _ := h.ReadFile("/usr/local/jails/containers/dns/etc/defaults/rc.conf")
	if !strings.Contains(string(defaults), "15.0-RELEASE") {
		t.Errorf("the jail's stock /etc/defaults/rc.conf was not updated: %q", defaults)
	}
	s := statusOf(t, h, "dns")["dns"]
	if s.Release != "15.0-RELEASE" || s.Userland != "15.0-RELEASE-p2" || s.State != "running" || s.Listeners != "ok" {
		t.Errorf("after the upgrade: %+v", s)
	}
	if abi, err := h.ReadFile("/usr/local/jails/containers/dns/var/db/pkg/fake-abi"); err != nil || len(abi) == 0 {
		t.Errorf("the packages were not reinstalled: %v", err)
	}
	if _, err := h.Lstat(upgradeWorkdir("dns")); err == nil {
		t.Errorf("the etcupdate work directory is left")
	}
	if _, err := h.Lstat("/usr/local/jails/templates/14.3-RELEASE-amd64/bin"); err != nil {
		t.Errorf("the old base is gone: %v", err)
	}
	again, err := Upgrade(ctx, h, "dns", to15, testOpts(t))
	if err != nil || again.Changes() != 0 {
		t.Fatalf("a second upgrade: %v\n%s", err, again.Text())
	}
}

// TestUpgradeConflict: a stock file the admin changed that the new
// release changes too is an etcupdate conflict: the upgrade stops
// before the jail is switched, and the host is as it was.
func TestUpgradeConflict(t *testing.T) {
	h := installed(t, "dns dns 192.0.2.53")
	writeFile(t, h, "usr/local/jails/containers/dns/etc/defaults/rc.conf", "# edited by the admin\n")
	before := snapshot(t, h)
	_, err := Upgrade(context.Background(), h, "dns", to15, testOpts(t))
	var se *plan.StepError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "C /etc/defaults/rc.conf") || len(se.NotUndone) > 0 {
		t.Fatalf("want the conflict to stop the upgrade, got %v", err)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("the host changed (-before +after):\n%s", diff)
	}
}

func TestUpgradeBadInput(t *testing.T) {
	h := thickInstalled(t, "dns thick 192.0.2.54")
	installThin := installed(t, "dns dns 192.0.2.53")
	for _, tc := range []struct {
		name string
		h    *fakehost.Host
		jail string
		rel  string
		want string
	}{
		{"thick", h, "thick", "15.0", "is thick"},
		{"older", installThin, "dns", "13.4-RELEASE", "older than"},
		{"bad release", installThin, "dns", "fifteen", "--release"},
		{"patch level", installThin, "dns", "14.3-RELEASE-p5", "patch level"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PlanUpgrade(context.Background(), tc.h, tc.jail, UpgradeOptions{Release: tc.rel, Label: "up1"}, testOpts(t))
			if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want bad input saying %q, got %v", tc.want, err)
			}
		})
	}
}

// TestUpgradeFaultInjection: on ZFS the snapshot taken first takes back
// even the reinstalled packages.
func TestUpgradeFaultInjection(t *testing.T) {
	setup := zfsInstalled
	op := func(ctx context.Context, sys system.System, names []string, all bool, opts Options) (*plan.Plan, error) {
		return Upgrade(ctx, sys, names[0], to15, opts)
	}
	faultEveryMutation(t, setup, op, []string{"dns"}, false)
}

// TestUpgradeNoZFSFaultInjection: without ZFS, a failure up to the
// package reinstall leaves the host as it was; after it the packages
// stay reinstalled (the plan says so) and the jail runs on the old base.
func TestUpgradeNoZFSFaultInjection(t *testing.T) {
	ctx := context.Background()
	setup := func(t testing.TB) *fakehost.Host { return installed(t, "dns dns 192.0.2.53") }
	probe := setup(t)
	fault, count := fakehost.FailNth(-1)
	probe.Fault = fault
	p, err := Upgrade(ctx, probe, "dns", to15, testOpts(t))
	if err != nil {
		t.Fatal(err)
	}
	reinstall := 0
	for i, s := range p.Steps {
		if strings.HasPrefix(s.Name, "reinstall ") {
			reinstall = i + 1
		}
	}
	for n := 1; n <= count(); n++ {
		t.Run(fmt.Sprint("mutation ", n), func(t *testing.T) {
			t.Parallel()
			h := setup(t)
			before := snapshot(t, h)
			h.Fault, _ = fakehost.FailNth(n)
			_, err := Upgrade(ctx, h, "dns", to15, testOpts(t))
			var se *plan.StepError
			if !errors.As(err, &se) || len(se.NotUndone) > 0 {
				t.Fatalf("want a clean StepError, got %v", err)
			}
			h.Fault = nil
			if got := services(t, h); got != "dns:named" {
				t.Errorf("step %q: the jail runs %q", se.Step, got)
			}
			if se.Index >= reinstall {
				return
			}
			if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
				t.Errorf("step %q: the host changed (-before +after):\n%s", se.Step, diff)
			}
		})
	}
}

// TestUpgradeSecurelevel: a new base cannot be patched above securelevel
// 0, so the upgrade is refused before anything changes.
func TestUpgradeSecurelevel(t *testing.T) {
	h := installed(t, "dns dns 192.0.2.53")
	cfg, _ := h.Config()
	cfg.Securelevel = 1
	if err := h.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, h)
	_, err := Upgrade(context.Background(), h, "dns", to15, testOpts(t))
	if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "JK-HOST-090") {
		t.Fatalf("want JK-HOST-090 refusing, got %v", err)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("the host changed:\n%s", diff)
	}
}

func TestReleaseOrder(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"14.3-RELEASE", "15.0-RELEASE", -1},
		{"15.0-RELEASE", "14.3-RELEASE", 1},
		{"14.10-RELEASE", "14.9-RELEASE", 1},
		{"15.0-RELEASE", "15.0-RELEASE-p2", 0},
		{"15.0-RC1", "15.0-RELEASE", 0},
	} {
		if got := releaseOrder(tc.a, tc.b); got != tc.want {
			t.Errorf("releaseOrder(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestUpgradeRefusesPlantedLinks: etcupdate and cp work on the jail's
// /etc by path from the host; a jail that made a directory of its /etc a
// link to the host's (here /etc/defaults to a host directory) is refused
// before any host tool runs on it, and the host is as it was.
func TestUpgradeRefusesPlantedLinks(t *testing.T) {
	h := installed(t, "dns dns 192.0.2.53")
	hostDir := filepath.Join(h.Dir, "hostetc")
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		t.Fatal(err)
	}
	defaults := filepath.Join(h.Dir, "usr/local/jails/containers/dns/etc/defaults")
	if err := os.RemoveAll(defaults); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/hostetc", defaults); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, h)
	_, err := Upgrade(context.Background(), h, "dns", to15, testOpts(t))
	if err == nil || !strings.Contains(err.Error(), "/etc/defaults in the jail is a link") {
		t.Fatalf("want the planted link refused, got %v", err)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("the host changed (-before +after):\n%s", diff)
	}
	if ents, _ := os.ReadDir(hostDir); len(ents) != 0 {
		t.Errorf("host tools wrote through the link: %v", ents)
	}
}
