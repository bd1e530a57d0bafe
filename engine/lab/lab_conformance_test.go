//go:build linux

package lab

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jailkit/jailkit/engine/render"
)

// labNeedTool fails the test when a real checker is missing: .ci/run
// installs them, and a conformance test that skips proves nothing.
func labNeedTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: this test runs the real checker (apt-get install bind9utils isc-dhcp-server postfix)", name)
	}
	return p
}

func labRunTool(t *testing.T, argv ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return string(out)
}

// renderLabJail writes one planned jail's files into a fresh directory,
// the way install writes them into the jail root.
func renderLabJail(t *testing.T, p *Plan, name string) string {
	t.Helper()
	for _, j := range p.Jails {
		if j.Name != name {
			continue
		}
		files, err := render.Render(j.Values)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer root.Close()
		if err := render.WriteTree(root, files, nil); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	t.Fatalf("no jail %s in the plan", name)
	return ""
}

// TestLabDNSLoadsWithBIND renders the homelab's dns jail and has BIND load
// it: named-checkconf -z loads named.conf and every zone inside the jail
// tree, and named-checkzone prints the zones as BIND parsed them, which
// must hold an A and a PTR record for every lab jail and the MX.
func TestLabDNSLoadsWithBIND(t *testing.T) {
	checkconf, checkzone := labNeedTool(t, "named-checkconf"), labNeedTool(t, "named-checkzone")
	l := labExample(t, "homelab.yaml")
	p, err := PlanOffline(l)
	if err != nil {
		t.Fatal(err)
	}
	root := renderLabJail(t, p, "dns")
	labRunTool(t, checkconf, "-t", root, "-z", "/usr/local/etc/namedb/named.conf")
	fwd := labRunTool(t, checkzone, "-k", "fail", "-n", "fail", "-D", "home.lan", filepath.Join(root, "usr/local/etc/namedb/primary/forward.db"))
	rev := labRunTool(t, checkzone, "-k", "fail", "-n", "fail", "-D", "1.168.192.in-addr.arpa", filepath.Join(root, "usr/local/etc/namedb/primary/reverse.db"))
	fields := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	fwd, rev = fields(fwd), fields(rev)
	for _, j := range l.Jails {
		a := j.Hostname + ". 3600 IN A " + j.Addr.String()
		if !strings.Contains(fwd, a) {
			t.Errorf("BIND's view of home.lan lacks %q:\n%s", a, fwd)
		}
		ptr := labReverseName(j.Addr.String()) + ". 3600 IN PTR " + j.Hostname + "."
		if !strings.Contains(rev, ptr) {
			t.Errorf("BIND's view of the reverse zone lacks %q:\n%s", ptr, rev)
		}
	}
	if !strings.Contains(fwd, "home.lan. 3600 IN MX 10 mail.home.lan.") {
		t.Errorf("BIND's view of home.lan has no MX for the mail jail:\n%s", fwd)
	}
}

func labReverseName(ip string) string {
	o := strings.Split(ip, ".")
	return o[3] + "." + o[2] + "." + o[1] + "." + o[0] + ".in-addr.arpa"
}

// TestLabDHCPConfigLoads has ISC dhcpd check the homelab's dhcp jail config,
// wired with the lab's DNS, router and domain.
func TestLabDHCPConfigLoads(t *testing.T) {
	dhcpd := labNeedTool(t, "dhcpd")
	p, err := PlanOffline(labExample(t, "homelab.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	root := renderLabJail(t, p, "dhcp")
	labRunTool(t, dhcpd, "-t", "-cf", filepath.Join(root, "usr/local/etc/dhcpd.conf"))
}

// TestLabMailConfigLoads has Postfix read the homelab's mail jail config:
// postconf warns (and still exits 0) on a misspelt parameter, so any
// warning fails the test; mydomain and mynetworks must be the lab's.
func TestLabMailConfigLoads(t *testing.T) {
	postconf := labNeedTool(t, "postconf")
	p, err := PlanOffline(labExample(t, "homelab.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(renderLabJail(t, p, "mail"), "usr/local/etc/postfix")
	for _, args := range [][]string{{"-n"}, {"-M"}, {"-h", "mydomain", "myhostname", "mynetworks"}} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, postconf, append([]string{"-c", dir}, args...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		cancel()
		if err != nil || strings.Contains(stderr.String(), "warning:") {
			t.Fatalf("postconf %v: %v\n%s%s", args, err, out, stderr.String())
		}
		if args[0] == "-h" {
			want := "home.lan\nmail.home.lan\n192.168.1.25/32, 192.168.1.0/24\n"
			if string(out) != want {
				t.Errorf("Postfix reads mydomain, myhostname, mynetworks as\n%s\nwant\n%s", out, want)
			}
		}
	}
}
