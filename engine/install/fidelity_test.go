package install

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// hostOf returns a fake host made from DefaultConfig changed by edit.
func hostOf(t *testing.T, edit func(*fakehost.Config)) *fakehost.Host {
	t.Helper()
	cfg := fakehost.DefaultConfig()
	edit(&cfg)
	h, err := fakehost.New(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// postCheck returns the argv of the plan's listener check.
func postCheck(t *testing.T, p *plan.Plan) []string {
	t.Helper()
	for _, s := range p.Steps {
		if s.Action == plan.ActCheck {
			return s.Argv
		}
	}
	t.Fatal("the plan has no post-check")
	return nil
}

// TestPostCheckSeesLongAddresses: sockstat's text cuts LOCAL ADDRESS at
// 21 characters unless -w (usr.bin/sockstat/main.c), so
// "2001:db8:1234:5678::53:53" loses its port and the check would say
// nothing listens. The check reads libxo JSON on 15 and -w text before.
func TestPostCheckSeesLongAddresses(t *testing.T) {
	tests := []struct {
		release string
		want    string
	}{
		{"14.3-RELEASE-p2", "sockstat -46lw -j dns"},
		{"15.0-RELEASE-p1", "sockstat --libxo json -46l -j dns"},
	}
	for _, tt := range tests {
		t.Run(tt.release, func(t *testing.T) {
			h := hostOf(t, func(c *fakehost.Config) {
				c.OSRelease = tt.release
				c.Interfaces[0].Addrs = append(c.Interfaces[0].Addrs, "2001:db8:1234:5678::10/64")
			})
			spec := render.JailSpec{IPs: []string{"2001:db8:1234:5678::53"}}
			rec := system.NewRecorder(h)
			p, err := Install(context.Background(), rec, dnsRecipe(t), spec, testOpts())
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(postCheck(t, p), " "); got != tt.want {
				t.Errorf("post-check argv = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCutSockstatTextFailsTheCheck shows the defect the argv above avoids:
// the 21-wide text of a 15 sockstat without -w does not prove the port.
func TestCutSockstatTextFailsTheCheck(t *testing.T) {
	h := hostOf(t, func(c *fakehost.Config) {
		c.OSRelease = "15.0-RELEASE-p1"
		c.Interfaces[0].Addrs = append(c.Interfaces[0].Addrs, "2001:db8:1234:5678::10/64")
	})
	if _, err := Install(context.Background(), h, dnsRecipe(t), render.JailSpec{IPs: []string{"2001:db8:1234:5678::53"}}, testOpts()); err != nil {
		t.Fatal(err)
	}
	out := fakehost.MustRun(t, h, "sockstat", "-46l", "-j", "dns")
	l := &plan.Listeners{Ports: []plan.Port{{Proto: "udp", Port: 53}}, Addrs: []string{"2001:db8:1234:5678::53"}}
	if err := l.Judge([]byte(out)); err == nil {
		t.Errorf("the cut text passed the check:\n%s", out)
	}
	wide := fakehost.MustRun(t, h, "sockstat", "-46lw", "-j", "dns")
	if err := l.Judge([]byte(wide)); err != nil {
		t.Errorf("the -w text failed the check: %v\n%s", err, wide)
	}
}

// TestSecurelevelRefusedBeforeChange: above securelevel 0 freebsd-update
// install exits 1 (usr.sbin/freebsd-update/freebsd-update.sh,
// install_check_params) and schg cannot be cleared (ufs_setattr,
// securelevel_gt), so the pre-flight refuses a new jail and the host is
// left as it was.
func TestSecurelevelRefusedBeforeChange(t *testing.T) {
	h := hostOf(t, func(c *fakehost.Config) { c.Securelevel = 1 })
	before := snapshot(t, h)
	rec := system.NewRecorder(h)
	_, err := Install(context.Background(), rec, dnsRecipe(t), dnsSpec(), testOpts())
	if err == nil || !strings.Contains(err.Error(), "JK-HOST-090") || !strings.Contains(err.Error(), "kern.securelevel is 1") {
		t.Fatalf("err = %v, want the JK-HOST-090 refusal", err)
	}
	if !errors.Is(err, inputerr.ErrInput) {
		t.Errorf("a refused pre-flight is bad input (exit 2): %v", err)
	}
	if m := rec.Mutations(); len(m) != 0 {
		t.Errorf("the refused install changed the host: %v", m)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("the host's files changed:\n%s", diff)
	}
}

// TestPatchesMatchTheJailsMachine: freebsd-update takes the machine from
// uname -m (usr.sbin/freebsd-update/freebsd-update.sh, ARCH=`uname -m`),
// so an i386 base on an amd64 host needs UNAME_m=i386 or it gets amd64
// patches. The fake host's freebsd-update marks the machine it patched for.
func TestPatchesMatchTheJailsMachine(t *testing.T) {
	for _, thick := range []bool{false, true} {
		t.Run(map[bool]string{false: "thin", true: "thick"}[thick], func(t *testing.T) {
			h := newFakeHost(t)
			opts := testOpts()
			opts.Thick = thick
			spec := dnsSpec()
			spec.Arch = "i386"
			p, err := Install(context.Background(), h, dnsRecipe(t), spec, opts)
			if err != nil {
				t.Fatal(err)
			}
			base := "/usr/local/jails/templates/14.3-RELEASE-i386"
			if thick {
				base = "/usr/local/jails/containers/dns"
			}
			mark, err := h.ReadFile(base + "/usr/share/misc/patched")
			if err != nil || string(mark) != "p2 i386\n" {
				t.Errorf("the base was patched for %q (%v), want i386", mark, err)
			}
			for _, s := range p.Steps {
				if len(s.Argv) > 0 && s.Argv[0] == "freebsd-update" && !slices.Contains(s.Env, "UNAME_m=i386") {
					t.Errorf("the freebsd-update step's env is %q", s.Env)
				}
			}
		})
	}
}

// TestThinJailGetsPatchedEtc: a thin jail's own /etc and /var are copied
// from the shared base after freebsd-update patched it, not taken from
// base.txz as shipped.
func TestThinJailGetsPatchedEtc(t *testing.T) {
	h := newFakeHost(t)
	if _, err := Install(context.Background(), h, dnsRecipe(t), dnsSpec(), testOpts()); err != nil {
		t.Fatal(err)
	}
	mark, err := h.ReadFile("/usr/local/jails/containers/dns/etc/patched")
	if err != nil || string(mark) != "p2 amd64\n" {
		t.Errorf("the thin jail's /etc is not the patched one: %q, %v", mark, err)
	}
}

// recipeNamed loads a built-in recipe.
func recipeNamed(t *testing.T, name string) *recipe.Recipe {
	t.Helper()
	c, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestX11DisplaysStayOffTheLAN: sshd binds each X11 display to 127.0.0.1
// (X11UseLocalhost yes), and in a shared-IP jail the kernel moves that
// bind to the jail's primary address (sys/netinet/in_jail.c,
// prison_local_ip4). The x11 jail's first address is a loopback one, so
// that is where the displays listen; a re-install keeps it.
func TestX11DisplaysStayOffTheLAN(t *testing.T) {
	// A host whose own sshd is off, so the jail's may take port 22.
	h := hostOf(t, func(c *fakehost.Config) { c.Listeners = c.Listeners[1:] })
	spec := render.JailSpec{IPs: []string{"192.0.2.70"}}
	for run := 0; run < 2; run++ {
		if _, err := Install(context.Background(), h, recipeNamed(t, "x11"), spec, testOpts()); err != nil {
			t.Fatalf("run %d: %v", run+1, err)
		}
		conf, err := h.ReadFile("/etc/jail.conf.d/x11.conf")
		if err != nil {
			t.Fatal(err)
		}
		jails := freebsd.ParseJailConf("/etc/jail.conf.d/x11.conf", conf, nil)
		if len(jails) != 1 {
			t.Fatalf("jail.conf:\n%s", conf)
		}
		display, err := freebsd.PrisonLocalIP4(jails[0].IP4, netip.MustParseAddr("127.0.0.1"))
		if err != nil || display != netip.MustParseAddr("127.0.1.1") {
			t.Errorf("run %d: X11 displays would listen on %v (%v), want 127.0.1.1 on lo0:\n%s", run+1, display, err, conf)
		}
		if !strings.Contains(string(conf), `ip4.addr = "lo0|127.0.1.1/32", "em0|192.0.2.70/32";`) {
			t.Errorf("run %d: jail.conf:\n%s", run+1, conf)
		}
	}
	// A second x11 jail takes the next loopback address.
	spec2 := render.JailSpec{Name: "x11b", IPs: []string{"192.0.2.71"}}
	if _, err := Install(context.Background(), h, recipeNamed(t, "x11"), spec2, testOpts()); err != nil {
		t.Fatal(err)
	}
	conf, _ := h.ReadFile("/etc/jail.conf.d/x11b.conf")
	if !strings.Contains(string(conf), `"lo0|127.0.1.2/32"`) {
		t.Errorf("second jail:\n%s", conf)
	}
}
