package ops

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/fakehost/fakeupdate"
	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

// thickInstalled returns a fake host with thick jails of specs, each
// "RECIPE NAME IP".
func thickInstalled(t testing.TB, specs ...string) *fakehost.Host {
	t.Helper()
	h := installed(t)
	for _, s := range specs {
		f := strings.Fields(s)
		r, err := catalog(t).Get(f[0])
		if err != nil {
			t.Fatal(err)
		}
		spec := render.JailSpec{Name: f[1], IPs: []string{f[2]}}
		opts := install.Options{LockWait: 5 * time.Second, CheckTries: 1, Version: "test", Thick: true}
		if _, err := install.Install(context.Background(), h, r, spec, opts); err != nil {
			t.Fatalf("install %s: %v", s, err)
		}
	}
	return h
}

// newPatches makes the fake update server offer patch level n.
func newPatches(t testing.TB, h *fakehost.Host, n string) {
	writeFile(t, h, fakehost.BasePatch, n+"\n")
}

func updateOp(ctx context.Context, sys system.System, names []string, all bool, opts Options) (*plan.Plan, error) {
	return Update(ctx, sys, names, all, "u1", opts)
}

// TestUpdateThickBase: a thick jail's base is patched in place with a
// work directory of its own, the jail restarted; a second update finds
// nothing to do.
func TestUpdateThickBase(t *testing.T) {
	ctx := context.Background()
	h := thickInstalled(t, "dns dns 192.0.2.53")
	if got := statusOf(t, h, "dns")["dns"].Userland; got != "14.3-RELEASE-p2" {
		t.Fatalf("installed at %q", got)
	}
	newPatches(t, h, "5")
	rec := system.NewRecorder(h)
	p, err := Update(ctx, rec, []string{"dns"}, false, "u1", testOpts(t))
	if err != nil {
		t.Fatalf("update: %v\n%s", err, p.Text())
	}
	want := []string{
		"freebsd-update -b /usr/local/jails/containers/dns -d /var/db/freebsd-update/jailkit-dns --currently-running 14.3-RELEASE-p2 --not-running-from-cron fetch install",
		"jail -f /etc/jail.conf.d/dns.conf -rc dns",
	}
	if diff := cmp.Diff(want, mutatingRuns(rec)); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	if got := statusOf(t, h, "dns")["dns"].Userland; got != "14.3-RELEASE-p5" {
		t.Errorf("after the update the base is %q", got)
	}
	if !strings.Contains(stateText(t, h, "dns"), `"base_updated": "u1: 14.3-RELEASE-p2 to 14.3-RELEASE-p5"`) {
		t.Errorf("the state file does not record the base update:\n%s", stateText(t, h, "dns"))
	}
	if got := services(t, h); got != "dns:named" {
		t.Errorf("running %q", got)
	}
	again, err := Update(ctx, h, []string{"dns"}, false, "u2", testOpts(t))
	if err != nil || again.Changes() != 0 {
		t.Fatalf("a second update: %v\n%s", err, again.Text())
	}
}

// TestUpdateThinBase: the shared base is copied and patched once; both
// jails on it move to the copy; the old base is kept and the plan says
// so; a second update changes nothing.
func TestUpdateThinBase(t *testing.T) {
	ctx := context.Background()
	h := installed(t, "dns dns 192.0.2.53", "www www 192.0.2.80")
	newPatches(t, h, "4")
	p, err := Update(ctx, h, nil, true, "u1", testOpts(t))
	if err != nil {
		t.Fatalf("update: %v\n%s", err, p.Text())
	}
	// Made once, from the cached release media (tar keeps /rescue's
	// hard links), then patched from -p0.
	copies := 0
	for _, s := range p.Steps {
		if len(s.Argv) > 2 && s.Argv[0] == "tar" && strings.HasSuffix(s.Argv[2], "/media/14.3-RELEASE-amd64/base.txz") {
			copies++
		}
	}
	if copies != 1 {
		t.Errorf("the base was copied %d times:\n%s", copies, p.Text())
	}
	const next = "/usr/local/jails/templates/14.3-RELEASE-amd64.2"
	for _, n := range []string{"dns", "www"} {
		conf, err := h.ReadFile("/etc/jail.conf.d/" + n + ".conf")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(conf), "amd64/") || !strings.Contains(string(conf), next+"/bin ") {
			t.Errorf("%s.conf mounts:\n%s", n, conf)
		}
		if s := statusOf(t, h, n)[n]; s.Userland != "14.3-RELEASE-p4" || s.State != "running" || s.Listeners != "ok" {
			t.Errorf("%s after the update: %+v", n, s)
		}
	}
	if old, err := h.ReadFile("/usr/local/jails/templates/14.3-RELEASE-amd64/bin/freebsd-version"); err != nil || !strings.Contains(string(old), "-p2") {
		t.Errorf("the old base changed: %q %v", old, err)
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "previous base /usr/local/jails/templates/14.3-RELEASE-amd64 is kept, unused") {
		t.Errorf("notes: %v", p.Notes)
	}
	again, err := Update(ctx, h, nil, true, "u2", testOpts(t))
	if err != nil || again.Changes() != 0 {
		t.Fatalf("a second update: %v\n%s", err, again.Text())
	}
}

// TestUpdateThinBaseKeptInUse: a jail left on the old base keeps it, and
// the plan names it.
func TestUpdateThinBaseKeptInUse(t *testing.T) {
	h := installed(t, "dns dns 192.0.2.53", "www www 192.0.2.80")
	newPatches(t, h, "3")
	p, err := Update(context.Background(), h, []string{"www"}, false, "u1", testOpts(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "jails dns still mount it") {
		t.Errorf("notes: %v", p.Notes)
	}
	if s := statusOf(t, h, "dns", "www"); s["dns"].Userland != "14.3-RELEASE-p2" || s["www"].Userland != "14.3-RELEASE-p3" {
		t.Errorf("dns %q, www %q", s["dns"].Userland, s["www"].Userland)
	}
}

// TestUpdateBaseSecurelevel: a host securelevel above 0 refuses a base
// update before anything changes.
func TestUpdateBaseSecurelevel(t *testing.T) {
	h := thickInstalled(t, "dns dns 192.0.2.53")
	newPatches(t, h, "5")
	cfg, _ := h.Config()
	cfg.Securelevel = 1
	if err := h.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, h)
	_, err := Update(context.Background(), h, []string{"dns"}, false, "u1", testOpts(t))
	if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "JK-HOST-090") {
		t.Fatalf("want JK-HOST-090 refusing, got %v", err)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("the host changed:\n%s", diff)
	}
}

func TestUpdateThickBaseFaultInjection(t *testing.T) {
	setup := func(t testing.TB) *fakehost.Host {
		h := thickInstalled(t, "dns dns 192.0.2.53")
		newPatches(t, h, "5")
		return h
	}
	faultEveryMutation(t, setup, updateOp, []string{"dns"}, false)
}

func TestUpdateThinBaseFaultInjection(t *testing.T) {
	setup := func(t testing.TB) *fakehost.Host {
		h := installed(t, "dns dns 192.0.2.53", "www www 192.0.2.80")
		newPatches(t, h, "4")
		return h
	}
	faultEveryMutation(t, setup, updateOp, nil, true)
}

// TestInstallAfterBaseUpdate: a thin jail installed after an update
// mounts the patched base, and a re-install of an updated jail keeps
// the base it was moved to.
func TestInstallAfterBaseUpdate(t *testing.T) {
	ctx := context.Background()
	h := installed(t, "dns dns 192.0.2.53")
	newPatches(t, h, "4")
	if _, err := Update(ctx, h, []string{"dns"}, false, "u1", testOpts(t)); err != nil {
		t.Fatal(err)
	}
	const next = "/usr/local/jails/templates/14.3-RELEASE-amd64.2"
	for _, spec := range []render.JailSpec{{Name: "www", IPs: []string{"192.0.2.80"}}, {Name: "dns", IPs: []string{"192.0.2.53"}}} {
		r, err := catalog(t).Get(spec.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := install.Install(ctx, h, r, spec, install.Options{LockWait: 5 * time.Second, CheckTries: 1, Version: "test"}); err != nil {
			t.Fatalf("install %s: %v", spec.Name, err)
		}
		conf, _ := h.ReadFile("/etc/jail.conf.d/" + spec.Name + ".conf")
		if !strings.Contains(string(conf), next+"/bin ") {
			t.Errorf("%s.conf does not mount %s:\n%s", spec.Name, next, conf)
		}
		if s := statusOf(t, h, spec.Name)[spec.Name]; s.Userland != "14.3-RELEASE-p4" {
			t.Errorf("%s runs %q", spec.Name, s.Userland)
		}
	}
	again, err := Update(ctx, h, nil, true, "u2", testOpts(t))
	if err != nil || again.Changes() != 0 {
		t.Fatalf("an update after the installs: %v\n%s", err, again.Text())
	}
}

// TestUpdateStoppedThin: a stopped thin jail moves to the patched base
// without being started.
func TestUpdateStoppedThin(t *testing.T) {
	ctx := context.Background()
	h := installed(t, "dns dns 192.0.2.53")
	if _, err := Stop(ctx, h, []string{"dns"}, false, testOpts(t)); err != nil {
		t.Fatal(err)
	}
	newPatches(t, h, "3")
	rec := system.NewRecorder(h)
	if _, err := Update(ctx, rec, []string{"dns"}, false, "u1", testOpts(t)); err != nil {
		t.Fatal(err)
	}
	for _, c := range mutatingRuns(rec) {
		if strings.HasPrefix(c, "jail ") {
			t.Errorf("the stopped jail was touched: %s", c)
		}
	}
	if s := statusOf(t, h, "dns")["dns"]; s.Userland != "14.3-RELEASE-p3" || s.State != "stopped" {
		t.Errorf("after the update: %+v", s)
	}
}

// TestUpdateBaseInstallShort: freebsd-update install exits 0 when it
// must run again; the check after it sees the base short of the patch
// level fetch named, and the update rolls back.
func TestUpdateBaseInstallShort(t *testing.T) {
	h := thickInstalled(t, "dns dns 192.0.2.53")
	newPatches(t, h, "5")
	writeFile(t, h, fakeupdate.InstallShort, "")
	before := snapshot(t, h)
	_, err := Update(context.Background(), h, []string{"dns"}, false, "u1", testOpts(t))
	var se *plan.StepError
	if !errors.As(err, &se) || !strings.Contains(se.Step, "is at 14.3-RELEASE-p5") || len(se.NotUndone) > 0 {
		t.Fatalf("want the check to fail and roll back, got %v", err)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("the host changed:\n%s", diff)
	}
}
