package install

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
)

func portsOpts() Options {
	o := testOpts()
	o.Ports = true
	return o
}

// withPorts returns a fake host with a ports tree.
func withPorts(t testing.TB) *fakehost.Host {
	t.Helper()
	h := newFakeHost(t)
	if err := os.MkdirAll(filepath.Join(h.Dir, "usr/ports"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeHost(t, h, "usr/ports/Makefile", "# the ports tree\n")
	return h
}

// TestPorts: --ports mounts the host's /usr/ports read-only in the jail
// through its jail.conf.d file, is kept on re-runs, and goes with
// uninstall.
func TestPorts(t *testing.T) {
	ctx := context.Background()
	r := dnsRecipe(t)
	if _, err := PlanInstall(ctx, newFakeHost(t), r, dnsSpec(), portsOpts()); !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "no ports tree") {
		t.Errorf("a host without /usr/ports: %v", err)
	}
	h := withPorts(t)
	before := snapshot(t, h)
	if _, err := Install(ctx, h, r, dnsSpec(), portsOpts()); err != nil {
		t.Fatal(err)
	}
	conf := readHost(t, h, "etc/jail.conf.d/dns.conf")
	if !strings.Contains(conf, `mount += "/usr/ports /usr/local/jails/containers/dns/usr/ports nullfs ro 0 0";`) {
		t.Errorf("jail.conf.d file:\n%s", conf)
	}
	if fi, err := os.Stat(filepath.Join(h.Dir, "usr/local/jails/containers/dns/usr/ports")); err != nil || !fi.IsDir() {
		t.Errorf("no mount point: %v", err)
	}
	if !strings.Contains(readHost(t, h, "var/db/jailkit/dns.json"), `"ports": true`) {
		t.Error("the state file does not record --ports")
	}
	p, err := Install(ctx, h, r, dnsSpec(), testOpts())
	if err != nil || p.Changes() != 0 {
		t.Fatalf("a re-run without --ports should keep the mount: %v\n%s", err, p.Text())
	}
	uninstallToStart(t, ctx, h, "dns", UninstallOptions{}, before)
}

// TestPortsAddedFaultInjection adds --ports to an installed jail (mount
// point, jail.conf.d line, restart) and fails each mutation of that run:
// the host goes back to the installed state.
func TestPortsAddedFaultInjection(t *testing.T) {
	ctx := context.Background()
	r := dnsRecipe(t)
	setup := func(t testing.TB) *fakehost.Host {
		h := withPorts(t)
		if _, err := Install(ctx, h, r, dnsSpec(), testOpts()); err != nil {
			t.Fatal(err)
		}
		return h
	}
	probe := setup(t)
	fault, count := fakehost.FailNth(-1)
	probe.Fault = fault
	p, err := Install(ctx, probe, r, dnsSpec(), portsOpts())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Text(), "create the mount point /usr/ports in the jail") || !strings.Contains(p.Text(), "-rc dns") {
		t.Fatalf("plan:\n%s", p.Text())
	}
	for n := 1; n <= count(); n++ {
		t.Run(fmt.Sprint("mutation ", n), func(t *testing.T) {
			t.Parallel()
			h := setup(t)
			installed := snapshot(t, h)
			h.Fault, _ = fakehost.FailNth(n)
			_, err := Install(ctx, h, r, dnsSpec(), portsOpts())
			var se *plan.StepError
			if !errors.As(err, &se) || len(se.NotUndone) > 0 {
				t.Fatalf("want a clean rollback, got %v", err)
			}
			h.Fault = nil
			if diff := cmp.Diff(installed, snapshot(t, h)); diff != "" {
				t.Errorf("step %q: the host is not as installed (-want +got):\n%s", se.Step, diff)
			}
		})
	}
}
