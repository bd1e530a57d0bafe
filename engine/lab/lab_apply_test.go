package lab

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// applyLab is a shared-IP lab that fits the fake host (em0 192.0.2.10/24,
// sshd on *:22, so no x11 jail).
const applyLab = `apiVersion: jailkit/v1
name: office
network:
  interface: em0
  subnet: 192.0.2.0/24
  gateway: 192.0.2.1
  domain: home.lan
jails:
  - name: ns
    recipe: dns
    address: 192.0.2.53
  - name: web
    recipe: www
    address: 192.0.2.80
  - name: mx
    recipe: mail
    address: 192.0.2.25
`

func labFakeHost(t *testing.T) *fakehost.Host {
	t.Helper()
	return labHostWith(t, fakehost.DefaultConfig())
}

// labHostWith is a fake host with cfg, ready for a mail jail.
func labHostWith(t *testing.T, cfg fakehost.Config) *fakehost.Host {
	t.Helper()
	h, err := fakehost.New(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A host ready for a mail jail: sendmail fully off, as jailkit check
	// asks (JK-MAIL-010).
	rc := filepath.Join(h.Dir, "etc/rc.conf")
	data, err := os.ReadFile(rc)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "sendmail_enable=\"NONE\"\nsendmail_submit_enable=\"NO\"\nsendmail_outbound_enable=\"NO\"\nsendmail_msp_queue_enable=\"NO\"\n"...)
	if err := os.WriteFile(rc, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return h
}

func labSnapshot(t *testing.T, h *fakehost.Host) map[string]string {
	t.Helper()
	s, err := h.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func labOpts(jobs int) ApplyOptions {
	return ApplyOptions{Jobs: jobs, Install: install.Options{Version: "test", LockWait: time.Second, CheckTries: 1, CheckDelay: time.Millisecond}}
}

func labStatuses(r *Result) map[string]string {
	out := map[string]string{}
	for _, j := range r.Jails {
		out[j.Name] = j.Status
	}
	return out
}

func labStateNames(t *testing.T, sys system.System) []string {
	t.Helper()
	states, err := state.ListStates(sys)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range states {
		names = append(names, s.Name)
	}
	return names
}

// TestLabApplyEndToEnd is the whole life of a lab on the fake FreeBSD
// host: apply, apply again (nothing changes), edit the file (only the
// affected jails change), destroy (the host is back where it started).
func TestLabApplyEndToEnd(t *testing.T) {
	h := labFakeHost(t)
	before := labSnapshot(t, h)
	ctx := context.Background()
	l, err := labParse(t, applyLab)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	opts := labOpts(2)
	opts.OnEvent = func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Status != "" {
			order = append(order, e.Jail+"="+e.Status)
		}
	}
	res, err := Apply(ctx, h, l, opts)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	want := map[string]string{"ns": Installed, "web": Installed, "mx": Installed}
	if got := labStatuses(res); !maps.Equal(got, want) {
		t.Fatalf("apply: %v", got)
	}
	if order[0] != "ns=installed" {
		t.Fatalf("the name server was not installed first: %v", order)
	}
	if got := labStateNames(t, h); !slices.Equal(got, []string{"mx", "ns", "web"}) {
		t.Fatalf("state files: %v", got)
	}
	zone, err := h.ReadFile("/usr/local/jails/containers/ns/usr/local/etc/namedb/primary/forward.db")
	if err != nil || !strings.Contains(string(zone), "web\tIN\tA\t192.0.2.80") || !strings.Contains(string(zone), "@\tIN\tMX\t10 mx") {
		t.Fatalf("the installed zone is not the lab's: %v\n%s", err, zone)
	}

	// Again: nothing changes, not a byte.
	installed := labSnapshot(t, h)
	res, err = Apply(ctx, h, l, opts)
	if err != nil {
		t.Fatalf("re-apply: %v", err)
	}
	if res.Count(Unchanged) != 3 {
		t.Fatalf("re-apply changed something: %v", labStatuses(res))
	}
	if after := labSnapshot(t, h); !maps.Equal(installed, after) {
		t.Fatalf("re-apply changed the host: %v", labDiffKeys(installed, after))
	}

	// Edit: a new jail. The name server's zone gains its record; web and
	// mx stay as they are.
	edited, err := labParse(t, applyLab+"  - name: blog\n    recipe: www\n    address: 192.0.2.81\n")
	if err != nil {
		t.Fatal(err)
	}
	res, err = Apply(ctx, h, edited, opts)
	if err != nil {
		t.Fatalf("apply edited: %v", err)
	}
	want = map[string]string{"ns": Updated, "web": Unchanged, "mx": Unchanged, "blog": Installed}
	if got := labStatuses(res); !maps.Equal(got, want) {
		t.Fatalf("apply edited: %v", got)
	}
	zone, _ = h.ReadFile("/usr/local/jails/containers/ns/usr/local/etc/namedb/primary/forward.db")
	if !strings.Contains(string(zone), "blog\tIN\tA\t192.0.2.81") {
		t.Fatalf("the zone did not gain the new jail:\n%s", zone)
	}

	// Destroy: services first, the name server last, and the host is
	// back where it started.
	order = nil
	res, err = Destroy(ctx, h, edited, opts)
	if err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if res.Count(Removed) != 4 || order[len(order)-1] != "ns=removed" {
		t.Fatalf("destroy: %v order %v", labStatuses(res), order)
	}
	if after := labSnapshot(t, h); !maps.Equal(before, after) {
		t.Fatalf("destroy left the host changed: %v", labDiffKeys(before, after))
	}
	// Destroying again finds nothing.
	res, err = Destroy(ctx, h, edited, opts)
	if err != nil || res.Count(Absent) != 4 {
		t.Fatalf("second destroy: %v %v", err, labStatuses(res))
	}
}

func labDiffKeys(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			out = append(out, "-"+k)
		} else if v != w {
			out = append(out, "~"+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, "+"+k)
		}
	}
	slices.Sort(out)
	return out
}

// TestLabApplyFailureIsolated makes one jail's install fail: that jail is
// rolled back and reported, the others stay installed.
func TestLabApplyFailureIsolated(t *testing.T) {
	for _, jobs := range []int{1, 3} {
		t.Run("jobs="+labItoa(jobs), func(t *testing.T) {
			h := labFakeHost(t)
			h.Fault = func(c system.Call) error {
				if c.Op == "run" && slices.Contains(c.Argv, "postfix") {
					return errors.New("injected: pkg cannot reach the mirror")
				}
				return nil
			}
			l, err := labParse(t, applyLab)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Apply(context.Background(), h, l, labOpts(jobs))
			var le *Error
			if !errors.As(err, &le) || !slices.Equal(le.Failed, []string{"mx"}) {
				t.Fatalf("want mx reported as failed, got %v", err)
			}
			want := map[string]string{"ns": Installed, "web": Installed, "mx": Failed}
			if got := labStatuses(res); !maps.Equal(got, want) {
				t.Fatalf("statuses %v", got)
			}
			if got := labStateNames(t, h); !slices.Equal(got, []string{"ns", "web"}) {
				t.Fatalf("state files after the failure: %v", got)
			}
			if _, err := h.Lstat("/usr/local/jails/containers/mx"); err == nil {
				t.Fatalf("the failed jail's root is still there")
			}
			if _, err := h.Lstat(state.JailConfPath("mx")); err == nil {
				t.Fatalf("the failed jail's jail.conf is still there")
			}
		})
	}
}

// TestLabApplyNameServerFailureSkips: when the lab's DNS cannot be
// installed, the jails that would resolve through it are not tried.
func TestLabApplyNameServerFailureSkips(t *testing.T) {
	h := labFakeHost(t)
	before := labSnapshot(t, h)
	h.Fault = func(c system.Call) error {
		if c.Op == "run" && slices.Contains(c.Argv, "bind920") {
			return errors.New("injected")
		}
		return nil
	}
	l, err := labParse(t, applyLab)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Apply(context.Background(), h, l, labOpts(2))
	var le *Error
	if !errors.As(err, &le) || !slices.Equal(le.Failed, []string{"ns"}) || !slices.Equal(le.Skipped, []string{"web", "mx"}) {
		t.Fatalf("got %v", err)
	}
	if res.Count(Skipped) != 2 {
		t.Fatalf("statuses %v", labStatuses(res))
	}
	if after := labSnapshot(t, h); !maps.Equal(before, after) {
		t.Fatalf("a failed lab left the host changed: %v", labDiffKeys(before, after))
	}
}

// TestLabApplyPreflightRefuses: an address the host already uses stops the
// whole lab before anything changes.
func TestLabApplyPreflightRefuses(t *testing.T) {
	h := labFakeHost(t)
	before := labSnapshot(t, h)
	l, err := labParse(t, strings.Replace(applyLab, "192.0.2.25", "192.0.2.10", 1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Apply(context.Background(), h, l, labOpts(2))
	if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "pre-flight: JK-NET-020 192.0.2.10 for the planned mx jail") {
		t.Fatalf("want an input error naming jail mx, got %v", err)
	}
	if after := labSnapshot(t, h); !maps.Equal(before, after) {
		t.Fatalf("a refused lab changed the host: %v", labDiffKeys(before, after))
	}
}

// TestLabApplyVNet applies a VNET lab on the fake host: the dhcp jail
// gets its own stack on epair3 (its place in the lab) on bridge1, which
// the apply creates with em0 as a member; the other jails stay shared-IP
// on em0. Applying again changes nothing; destroy puts the host back,
// bridge and rc.conf included.
func TestLabApplyVNet(t *testing.T) {
	h := labFakeHost(t)
	before := labSnapshot(t, h)
	ctx := context.Background()
	l, err := labParse(t, strings.Replace(applyLab, "  domain: home.lan\n", "  domain: home.lan\n  vnet: true\n", 1)+
		"  - name: dhcp\n    recipe: dhcp\n    grant: [bpf]\n    address: 192.0.2.67\n")
	if err != nil {
		t.Fatal(err)
	}
	opts := labOpts(2)
	opts.Install.Bridge = "bridge1"
	res, err := Apply(ctx, h, l, opts)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if res.Count(Installed) != 4 {
		t.Fatalf("apply: %v", labStatuses(res))
	}
	conf, _ := h.ReadFile(state.JailConfPath("dhcp"))
	for _, want := range []string{"\tvnet;\n", `vnet.interface = "epair3b";`, "/sbin/ifconfig bridge1 addm epair3a up"} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("dhcp.conf lacks %q:\n%s", want, conf)
		}
	}
	if ns, _ := h.ReadFile(state.JailConfPath("ns")); !strings.Contains(string(ns), `ip4.addr = "em0|192.0.2.53/32";`) || strings.Contains(string(ns), "vnet") {
		t.Errorf("ns should stay a shared-IP jail on em0:\n%s", ns)
	}
	if ifc := fakehost.MustRun(t, h, "ifconfig", "-a"); !strings.Contains(ifc, "bridge1: flags") || !strings.Contains(ifc, "member: em0") || !strings.Contains(ifc, "member: epair3a") {
		t.Errorf("ifconfig:\n%s", ifc)
	}
	if sock := fakehost.MustRun(t, h, "jexec", "dhcp", "sockstat", "-46l"); !strings.Contains(sock, "192.0.2.67:67") {
		t.Errorf("dhcpd does not listen in the jail's own stack:\n%s", sock)
	}

	installed := labSnapshot(t, h)
	res, err = Apply(ctx, h, l, opts)
	if err != nil || res.Count(Unchanged) != 4 {
		t.Fatalf("re-apply: %v %v", err, labStatuses(res))
	}
	if after := labSnapshot(t, h); !maps.Equal(installed, after) {
		t.Fatalf("re-apply changed the host: %v", labDiffKeys(installed, after))
	}

	res, err = Destroy(ctx, h, l, opts)
	if err != nil || res.Count(Removed) != 4 {
		t.Fatalf("destroy: %v %v", err, labStatuses(res))
	}
	if after := labSnapshot(t, h); !maps.Equal(before, after) {
		t.Fatalf("destroy left the host changed: %v", labDiffKeys(before, after))
	}
}

// TestPlanLabOnHost: every jail gets the install engine's own plan, in
// install order, and planning changes nothing on the host.
func TestPlanLabOnHost(t *testing.T) {
	h := labFakeHost(t)
	before := labSnapshot(t, h)
	l, err := labParse(t, applyLab)
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanOnHost(context.Background(), h, l, labOpts(1).Install)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range p.Jails {
		names = append(names, j.Name)
		if j.Plan == nil || j.Plan.Command != "install" || j.Plan.Jail != j.Name || j.Plan.Changes() == 0 || j.Files != nil {
			t.Fatalf("jail %s: plan %+v files %d", j.Name, j.Plan, len(j.Files))
		}
	}
	if !slices.Equal(names, []string{"ns", "web", "mx"}) {
		t.Fatalf("order %v", names)
	}
	text := p.Text()
	if !strings.Contains(text, "  install plan for jail ns (dns)\n") || !strings.Contains(text, "| web\tIN\tA\t192.0.2.80\n") {
		t.Fatalf("text plan lacks the install plan or the zone:\n%s", text)
	}
	if after := labSnapshot(t, h); !maps.Equal(before, after) {
		t.Fatalf("planning changed the host: %v", labDiffKeys(before, after))
	}
}

// TestLabApplyJobsRunInParallel proves --jobs: with two jobs, web and mx
// each wait inside their install until the other has started running
// commands too, which only works when they install at the same time. With
// one job the wait times out, so the test also proves the bound.
func TestLabApplyJobsRunInParallel(t *testing.T) {
	for _, tc := range []struct {
		jobs    int
		overlap bool
	}{{2, true}, {1, false}} {
		t.Run("jobs="+labItoa(tc.jobs), func(t *testing.T) {
			h := labFakeHost(t)
			var mu sync.Mutex
			started := map[string]chan struct{}{"web": make(chan struct{}), "mx": make(chan struct{})}
			other := map[string]string{"web": "mx", "mx": "web"}
			met := map[string]bool{}
			h.Fault = func(c system.Call) error {
				if c.Op != "run" {
					return nil
				}
				for name, ch := range started {
					if !slices.Contains(c.Argv, name) {
						continue
					}
					mu.Lock()
					first := !met[name]
					met[name] = true
					mu.Unlock()
					if !first {
						return nil
					}
					close(ch)
					select {
					case <-started[other[name]]:
					case <-time.After(300 * time.Millisecond):
						// No overlap: let the install go on.
					}
				}
				return nil
			}
			l, err := labParse(t, applyLab)
			if err != nil {
				t.Fatal(err)
			}
			var inflight, most int
			opts := labOpts(tc.jobs)
			opts.OnEvent = func(e Event) {
				switch {
				case e.Status != "":
					inflight--
				case e.StepName == "":
					inflight++
					most = max(most, inflight)
				}
			}
			if _, err := Apply(context.Background(), h, l, opts); err != nil {
				t.Fatal(err)
			}
			if got := most > 1; got != tc.overlap || most > tc.jobs {
				t.Fatalf("jobs=%d: at most %d jails installed at once", tc.jobs, most)
			}
		})
	}
}

// TestLabApplySecurelevelRefuses: above securelevel 0 no new jail base
// can be patched or removed again, so the lab pre-flight refuses every
// new jail at once (JK-HOST-090) and nothing changes.
func TestLabApplySecurelevelRefuses(t *testing.T) {
	cfg := fakehost.DefaultConfig()
	cfg.Securelevel = 2
	h := labHostWith(t, cfg)
	before := labSnapshot(t, h)
	l, err := labParse(t, applyLab)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Apply(context.Background(), h, l, labOpts(2))
	if !errors.Is(err, inputerr.ErrInput) || strings.Count(err.Error(), "JK-HOST-090") < 3 {
		t.Fatalf("want JK-HOST-090 for every new jail, got %v", err)
	}
	if after := labSnapshot(t, h); !maps.Equal(before, after) {
		t.Fatalf("a refused lab changed the host: %v", labDiffKeys(before, after))
	}
}
