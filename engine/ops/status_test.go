package ops

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

const jailsDir = "usr/local/jails"

// writeFile writes a file under the fake host's root, as an admin (or a
// jail's root user) would.
func writeFile(t testing.TB, h *fakehost.Host, p, data string) {
	t.Helper()
	full := filepath.Join(h.Dir, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// freebsdVersion is the line of /bin/freebsd-version status reads
// (bin/freebsd-version/freebsd-version.sh.in, once built).
const freebsdVersion = "#!/bin/sh\nset -e\n\nUSERLAND_VERSION=\"14.3-RELEASE-p2\"\n"

func statusOf(t testing.TB, h system.System, names ...string) map[string]JailStatus {
	t.Helper()
	sts, err := Status(context.Background(), h, names, StatusOptions{Recipes: catalog(t), Updates: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]JailStatus{}
	for _, s := range sts {
		out[s.Name] = s
	}
	return out
}

func TestStatusHealthy(t *testing.T) {
	h := installed(t, "dns dns 192.0.2.53", "www www 192.0.2.80")
	writeFile(t, h, jailsDir+"/templates/14.3-RELEASE-amd64/bin/freebsd-version", freebsdVersion)
	writeFile(t, h, fakehost.PkgUpdates, "bind920\n")
	before := snapshot(t, h)
	got := statusOf(t, h)
	dns := got["dns"]
	want := JailStatus{Name: "dns", Recipe: "dns", State: "running", JID: dns.JID, Addresses: []string{"192.0.2.53"}, Listeners: "ok",
		Release: "14.3-RELEASE", Userland: "14.3-RELEASE-p2", Updates: []string{"bind920-1.0"}, Drift: []FileDrift{}, Problems: []string{}}
	if diff := cmp.Diff(want, dns); diff != "" {
		t.Errorf("dns status (-want +got):\n%s", diff)
	}
	if w := got["www"]; len(w.Problems) > 0 || w.Listeners != "ok" || len(w.Updates) != 0 {
		t.Errorf("www status: %+v", w)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("status changed the host:\n%s", diff)
	}
}

func TestStatusProblems(t *testing.T) {
	ctx := context.Background()
	h := installed(t, "dns dns 192.0.2.53", "www www 192.0.2.80", "www web2 192.0.2.81")
	root := jailsDir + "/containers/dns"
	named := root + "/usr/local/etc/namedb/named.conf"
	data, err := os.ReadFile(filepath.Join(h.Dir, named))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, h, named, string(data)+"# a local edit\n")
	if err := os.Remove(filepath.Join(h.Dir, root, "usr/local/etc/namedb/primary/forward.db")); err != nil {
		t.Fatal(err)
	}
	if _, err := Stop(ctx, h, []string{"www"}, false, testOpts(t)); err != nil {
		t.Fatal(err)
	}
	// A jail stopped behind jailkit's back is a problem.
	if _, err := h.Run(ctx, system.Cmd{Argv: []string{"jail", "-r", "web2"}, Mutates: true}); err != nil {
		t.Fatal(err)
	}
	got := statusOf(t, h)
	dns := strings.Join(got["dns"].Problems, "\n")
	for _, want := range []string{"/usr/local/etc/namedb/named.conf: changed in the jail since jailkit wrote it",
		"/usr/local/etc/namedb/primary/forward.db: missing from the jail"} {
		if !strings.Contains(dns, want) {
			t.Errorf("dns problems lack %q:\n%s", want, dns)
		}
	}
	if w := got["www"]; w.State != "stopped" || !w.StoppedOnPurpose || len(w.Problems) != 0 {
		t.Errorf("www, stopped by jailkit stop, should have no problem: %+v", w)
	}
	if w := got["web2"]; w.State != "stopped" || len(w.Problems) != 1 || w.Problems[0] != "the jail is not running" {
		t.Errorf("web2: %+v", w)
	}
	// Listeners missing: named binds nothing.
	cfg, _ := h.Config()
	svc := cfg.Services["named"]
	svc.Ports = nil
	cfg.Services["named"] = svc
	if err := h.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if l := statusOf(t, h, "dns")["dns"].Listeners; !strings.Contains(l, "nothing listens on 192.0.2.53 port udp/53") {
		t.Errorf("listeners = %q", l)
	}
}

func TestDrift(t *testing.T) {
	h := installed(t, "dns dns 192.0.2.53")
	ctx := context.Background()
	d, err := DiffJail(ctx, h, catalog(t), "dns")
	if err != nil || len(d.Files) != 0 || !d.Clean() {
		t.Fatalf("a fresh install drifted: %v %+v", err, d)
	}
	root := jailsDir + "/containers/dns"
	rc := root + "/etc/rc.conf"
	old, err := os.ReadFile(filepath.Join(h.Dir, rc))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, h, rc, string(old)+"sshd_enable=\"YES\"\n")
	d, err = DiffJail(ctx, h, catalog(t), "dns")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Files) != 1 || d.Files[0].Kind != DriftEdited || !strings.Contains(d.Files[0].Diff, "\n-sshd_enable=\"YES\"\n") || d.Clean() {
		t.Errorf("drift: %+v", d)
	}
	// A planted symlink to a host file is refused, never read.
	os.Remove(filepath.Join(h.Dir, rc))
	if err := os.Symlink("/etc/master.passwd", filepath.Join(h.Dir, rc)); err != nil {
		t.Fatal(err)
	}
	d, err = DiffJail(ctx, h, catalog(t), "dns")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("a link out of the jail was followed: %v %+v", err, d)
	}
}

// TestDriftVNet: a VNET jail's rc.conf.d/netif carries the prefix length
// install chose from the host's subnet; the state records it, so a fresh
// install has no drift.
func TestDriftVNet(t *testing.T) {
	h := installed(t)
	r, _ := catalog(t).Get("dhcp")
	spec := render.JailSpec{Name: "dhcp", IPs: []string{"192.0.2.67"}, Sets: []string{"subnet=192.0.2.0/24", "range_start=192.0.2.100",
		"range_end=192.0.2.200", "domain_name=home.lan", "routers=192.0.2.1", "vnet=true"}, Grants: []string{"bpf"}}
	if _, err := install.Install(context.Background(), h, r, spec, install.Options{CheckTries: 1, Version: "test"}); err != nil {
		t.Fatal(err)
	}
	d, err := DiffJail(context.Background(), h, catalog(t), "dhcp")
	if err != nil || len(d.Files) != 0 {
		t.Fatalf("a fresh VNET install drifted: %v %+v", err, d)
	}
	if s := statusOf(t, h)["dhcp"]; len(s.Problems) != 0 || s.Listeners != "ok" {
		t.Errorf("status: %+v", s)
	}
}
