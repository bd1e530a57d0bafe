package ops

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

// TestStopStart: stop takes the jail down and marks it, a second stop
// changes nothing, start brings it back with its service and clears the
// mark, and the host is then as the install left it.
func TestStopStart(t *testing.T) {
	ctx := context.Background()
	h := installed(t, "dns dns 192.0.2.53")
	afterInstall := snapshot(t, h)
	opts := testOpts(t)

	p, err := Stop(ctx, h, []string{"dns"}, false, opts)
	if err != nil {
		t.Fatalf("stop: %v", err)
	}
	if p.Changes() != 2 || strings.Contains(run(t, h, "jls"), "dns") {
		t.Fatalf("stop did not stop the jail:\n%s", p.Text())
	}
	if !strings.Contains(stateText(t, h, "dns"), `"stopped": "by jailkit stop"`) {
		t.Errorf("the state file does not record the stop")
	}
	again, err := Stop(ctx, h, []string{"dns"}, false, opts)
	if err != nil || again.Changes() != 0 {
		t.Fatalf("a second stop: %v\n%s", err, again.Text())
	}

	p, err = Start(ctx, h, []string{"dns"}, false, opts)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if got := services(t, h); got != "dns:named" {
		t.Errorf("running services = %q; exec.start should have started named", got)
	}
	if !slices.ContainsFunc(p.Steps, func(s plan.Step) bool { return s.Action == plan.ActCheck }) {
		t.Errorf("start has no post-check:\n%s", p.Text())
	}
	if diff := cmp.Diff(afterInstall, snapshot(t, h)); diff != "" {
		t.Errorf("stop then start left the host changed (-install +now):\n%s", diff)
	}
	again, err = Start(ctx, h, []string{"dns"}, false, opts)
	if err != nil || again.Changes() != 0 {
		t.Fatalf("a second start: %v\n%s", err, again.Text())
	}
}

func stateText(t testing.TB, h *fakehost.Host, name string) string {
	t.Helper()
	data, err := h.ReadFile("/var/db/jailkit/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestAllInDependencyOrder: --all starts the name server first and stops
// it last, whatever the order of the names.
func TestAllInDependencyOrder(t *testing.T) {
	ctx := context.Background()
	h := installed(t, "www alpha 192.0.2.80", "dns ns 192.0.2.53")
	rec := system.NewRecorder(h)
	if _, err := Stop(ctx, rec, nil, true, testOpts(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(ctx, rec, nil, true, testOpts(t)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range rec.Mutations() {
		if c.Op == "run" {
			got = append(got, strings.Join(c.Argv, " "))
		}
	}
	want := []string{
		"jail -f /etc/jail.conf.d/alpha.conf -r alpha", "jail -f /etc/jail.conf.d/ns.conf -r ns",
		"jail -f /etc/jail.conf.d/ns.conf -c ns", "jail -f /etc/jail.conf.d/alpha.conf -c alpha",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	if got := services(t, h); got != "ns:named alpha:apache24" && got != "alpha:apache24 ns:named" {
		t.Errorf("running services = %q", got)
	}
}

// TestRestart restarts a running jail with -rc and starts a stopped one
// with -c (jail.c: -rc of a jail that does not run fails "not found").
func TestRestart(t *testing.T) {
	ctx := context.Background()
	h := installed(t, "dns dns 192.0.2.53", "www www 192.0.2.80")
	if _, err := Stop(ctx, h, []string{"www"}, false, testOpts(t)); err != nil {
		t.Fatal(err)
	}
	rec := system.NewRecorder(h)
	p, err := Restart(ctx, rec, nil, true, testOpts(t))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(mutatingRuns(rec), "\n")
	want := "jail -f /etc/jail.conf.d/dns.conf -rc dns\njail -f /etc/jail.conf.d/www.conf -c www"
	if got != want {
		t.Errorf("commands:\n%s\nwant:\n%s\nplan:\n%s", got, want, p.Text())
	}
	if strings.Contains(stateText(t, h, "www"), "stopped") {
		t.Errorf("restart left the stopped mark")
	}
}

func mutatingRuns(rec *system.Recorder) []string {
	var out []string
	for _, c := range rec.Mutations() {
		if c.Op == "run" {
			out = append(out, strings.Join(c.Argv, " "))
		}
	}
	return out
}

// TestStartPostCheckFails rolls the start back when the service does not
// listen where it should.
func TestStartPostCheckFails(t *testing.T) {
	ctx := context.Background()
	h := installed(t, "dns dns 192.0.2.53")
	if _, err := Stop(ctx, h, []string{"dns"}, false, testOpts(t)); err != nil {
		t.Fatal(err)
	}
	cfg, _ := h.Config()
	svc := cfg.Services["named"]
	svc.Ports = nil
	cfg.Services["named"] = svc
	if err := h.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, h)
	_, err := Start(ctx, h, []string{"dns"}, false, testOpts(t))
	var se *plan.StepError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "nothing listens on 192.0.2.53 port udp/53") {
		t.Fatalf("want a post-check failure, got %v", err)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("host changed:\n%s", diff)
	}
}

func TestPowerFaultInjection(t *testing.T) {
	two := func(t testing.TB) *fakehost.Host { return installed(t, "www www 192.0.2.80", "dns dns 192.0.2.53") }
	stopped := func(t testing.TB) *fakehost.Host {
		h := two(t)
		if _, err := Stop(context.Background(), h, nil, true, testOpts(t)); err != nil {
			t.Fatal(err)
		}
		return h
	}
	t.Run("stop", func(t *testing.T) { faultEveryMutation(t, two, Stop, nil, true) })
	t.Run("start", func(t *testing.T) { faultEveryMutation(t, stopped, Start, nil, true) })
	t.Run("restart", func(t *testing.T) { faultEveryMutation(t, two, Restart, []string{"dns", "www"}, false) })
}

// TestPowerDryRun changes nothing and shows the commands.
func TestPowerDryRun(t *testing.T) {
	h := installed(t, "dns dns 192.0.2.53")
	before := snapshot(t, h)
	p, err := PlanStop(context.Background(), system.NewDryRun(h), []string{"dns"}, false, testOpts(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Text(), "run: jail -f /etc/jail.conf.d/dns.conf -r dns") {
		t.Errorf("plan:\n%s", p.Text())
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("a dry run changed the host:\n%s", diff)
	}
}

// vnetInstalled returns a fake host with the VNET dhcp jail installed:
// jail -r destroys its epair (exec.poststop) and jail -c makes it again
// (exec.prestart).
func vnetInstalled(t testing.TB) *fakehost.Host {
	t.Helper()
	h := installed(t)
	r, _ := catalog(t).Get("dhcp")
	spec := render.JailSpec{Name: "dhcp", IPs: []string{"192.0.2.67"}, Sets: []string{"subnet=192.0.2.0/24", "range_start=192.0.2.100",
		"range_end=192.0.2.200", "domain_name=home.lan", "routers=192.0.2.1", "vnet=true"}, Grants: []string{"bpf"}}
	if _, err := install.Install(context.Background(), h, r, spec, install.Options{CheckTries: 1, Version: "test"}); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestVNetPowerFaultInjection(t *testing.T) {
	stopped := func(t testing.TB) *fakehost.Host {
		h := vnetInstalled(t)
		if _, err := Stop(context.Background(), h, []string{"dhcp"}, false, testOpts(t)); err != nil {
			t.Fatal(err)
		}
		return h
	}
	t.Run("stop", func(t *testing.T) { faultEveryMutation(t, vnetInstalled, Stop, []string{"dhcp"}, false) })
	t.Run("start", func(t *testing.T) { faultEveryMutation(t, stopped, Start, []string{"dhcp"}, false) })
	t.Run("restart", func(t *testing.T) { faultEveryMutation(t, vnetInstalled, Restart, []string{"dhcp"}, false) })
}
