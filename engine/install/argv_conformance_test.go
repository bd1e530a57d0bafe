package install

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/fakehost/getopt"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

// TestMain fails the package when any fake host of any test refused an
// argv for its option string, even in a test that expected a failure:
// a refused argv must never pass for the failure a rollback test wanted.
func TestMain(m *testing.M) {
	code := m.Run()
	if msg := fakehost.RefusedReport(); msg != "" {
		fmt.Fprint(os.Stderr, msg)
		code = 1
	}
	os.Exit(code)
}

// conformanceHost is a fake host every built-in recipe installs on
// without --force: sendmail fully off (JK-MAIL-010), sshd on the host's
// address only (x11 jails run their own sshd on port 22), and lo1 for an
// internal jail.
func conformanceHost(t *testing.T) *fakehost.Host {
	t.Helper()
	cfg := fakehost.DefaultConfig()
	cfg.Listeners[0].Addr = "192.0.2.10"
	cfg.Interfaces = append(cfg.Interfaces, fakehost.Iface{Name: "lo1", Addrs: []string{}})
	h, err := fakehost.New(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := h.ReadFile("/etc/rc.conf")
	if err != nil {
		t.Fatal(err)
	}
	rc = append(rc, "sendmail_enable=\"NONE\"\nsendmail_submit_enable=\"NO\"\nsendmail_outbound_enable=\"NO\"\nsendmail_msp_queue_enable=\"NO\"\n"...)
	if err := h.WriteFile("/etc/rc.conf", rc, 0o644); err != nil {
		t.Fatal(err)
	}
	return h
}

// confCase is one install variant of the conformance test.
type confCase struct {
	recipe string
	spec   render.JailSpec
	thick  bool
	zfs    bool // the host has ZFS, so the jail root is a dataset
}

// conformanceCases are the install variants whose plans the conformance
// test collects: every built-in recipe thin and thick, the VNET dhcp
// jail, an internal jail on lo1 with IPv6, and a jail on a ZFS host.
func conformanceCases(names []string) []confCase {
	var out []confCase
	for i, n := range names {
		spec := render.JailSpec{Name: n, IPs: []string{fmt.Sprintf("192.0.2.%d", 30+i)}}
		if n == "dhcp" {
			spec = dhcpSpec
		}
		out = append(out, confCase{n, spec, false, false}, confCase{n, spec, true, false})
	}
	return append(out,
		confCase{"dhcp", dhcpVNet("dhcpv", "192.0.2.68"), false, false},
		confCase{"dns", render.JailSpec{Name: "ns", IPs: []string{"127.0.1.53", "2001:db8::53"}, Interface: "lo1"}, false, false},
		confCase{"dns", dnsSpec(), false, true})
}

// withZFS gives h a pool holding the jails directory, as
// TestZFSJailRoot does.
func withZFS(t *testing.T, h *fakehost.Host) {
	t.Helper()
	cfg, err := h.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Datasets = []fakehost.Dataset{{Name: "zroot/jails", Mountpoint: "/usr/local/jails"},
		{Name: "zroot/jails/containers", Mountpoint: "/usr/local/jails/containers"}}
	if err := h.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if err := h.MkdirAll("/usr/local/jails/containers", 0o755); err != nil {
		t.Fatal(err)
	}
}

// collectInstallArgv plans, installs, plans the uninstall of and
// uninstalls one jail on h, and returns every argv met: the steps of
// both plans with their undo steps (run or not), and every command
// actually run, read-only ones included.
func collectInstallArgv(t *testing.T, h *fakehost.Host, recipeName string, spec render.JailSpec, thick bool) []getopt.SeenArgv {
	t.Helper()
	ctx := context.Background()
	rec := system.NewRecorder(h)
	opts := testOpts()
	opts.Thick = thick
	where := fmt.Sprintf("%s (thick=%v) ", recipeName, thick)
	// Grant what the recipe declares (dhcp's bpf, linux's linux).
	spec.Grants = loadRecipe(t, recipeName).Capabilities
	var seen []getopt.SeenArgv
	add := func(what string, argvs []getopt.SeenArgv) {
		for _, s := range argvs {
			seen = append(seen, getopt.SeenArgv{Where: where + what + " " + s.Where, Argv: s.Argv})
		}
	}
	p, err := PlanInstall(ctx, system.NewDryRun(rec), loadRecipe(t, recipeName), spec, opts)
	if err != nil {
		t.Fatalf("%splan: %v", where, err)
	}
	add("install plan", getopt.PlanArgv(p))
	// Name a bad argv of the plan before running it: the install
	// below would only fail on it.
	if bad := getopt.Nonconforming(seen); len(bad) > 0 {
		t.Fatal(strings.Join(bad, "\n"))
	}
	if _, err := Install(ctx, rec, loadRecipe(t, recipeName), spec, opts); err != nil {
		t.Fatalf("%sinstall: %v", where, err)
	}
	name := p.Jail
	up, err := PlanUninstall(ctx, system.NewDryRun(rec), name)
	if err != nil {
		t.Fatalf("%splan uninstall: %v", where, err)
	}
	add("uninstall plan", getopt.PlanArgv(up))
	if _, err := Uninstall(ctx, rec, name, UninstallOptions{}); err != nil {
		t.Fatalf("%suninstall: %v", where, err)
	}
	for _, argv := range rec.Commands() {
		seen = append(seen, getopt.SeenArgv{Where: where + "ran", Argv: argv})
	}
	return seen
}

// TestArgvConformance checks every argv of every install and uninstall
// plan of every built-in recipe (thin, thick, VNET, internal, on ZFS), and every
// command installing and uninstalling them runs, against the option
// strings FreeBSD's source gives (engine/fakehost/getopt/testdata/getopt.txt).
func TestArgvConformance(t *testing.T) {
	cat, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	names := cat.Names()
	commands := map[string]bool{}
	total, distinct := 0, map[string]bool{}
	for _, c := range conformanceCases(names) {
		t.Run(fmt.Sprintf("%s-%s-thick=%v-zfs=%v", c.recipe, c.spec.Name, c.thick, c.zfs), func(t *testing.T) {
			h := conformanceHost(t)
			if c.zfs {
				withZFS(t, h)
			}
			seen := collectInstallArgv(t, h, c.recipe, c.spec, c.thick)
			for _, bad := range getopt.Nonconforming(seen) {
				t.Error(bad)
			}
			for _, s := range seen {
				// A command jexec or env runs counts too: any
				// word of the argv the table knows.
				for _, w := range s.Argv {
					if getopt.Lookup(w) != nil {
						commands[path.Base(w)] = true
					}
				}
				distinct[strings.Join(s.Argv, "\x00")] = true
			}
			total += len(seen)
		})
	}
	t.Logf("checked %d argv (%d distinct) of %d commands", total, len(distinct), len(commands))
	// The check covers the commands plans run; a plan that stopped
	// running one of these would make this list stale, not wrong. df,
	// kldstat and freebsd-version are no longer among them: the fake
	// host, like FreeBSD, answers their facts through system.HostInfo
	// (statfs, kldstat(2), kern.osrelease).
	for _, c := range []string{"jail", "jexec", "pkg", "service", "sysrc", "fetch", "tar", "chflags", "freebsd-update",
		"kldload", "kldunload", "sockstat", "jls", "ifconfig", "zfs"} {
		if !commands[c] {
			t.Errorf("no plan or run used %s: the conformance test covers less than it says", c)
		}
	}
}

// TestArgvConformanceCatchesBadArgv shows the check fails, naming the
// argv and the reason, on command lines FreeBSD would refuse.
func TestArgvConformanceCatchesBadArgv(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		why  string
	}{
		{[]string{"jail", "-f", "/etc/jail.conf", "-Z", "dns"}, "jail: illegal option -- Z"},
		{[]string{"tar", "-xf"}, "tar: Option -f requires an argument"},
		{[]string{"pkg", "-j", "dns", "install", "-Y", "bind920"}, "pkg: illegal option -- Y"},
		{[]string{"sockstat", "-46l", "-j"}, "sockstat: option requires an argument -- j"},
		{[]string{"sysrc", "-j"}, "No arg for -j option"},
		{[]string{"freebsd-update", "-b", "/j", "--not-running-from-cron"}, "too few operands"},
		{[]string{"jexec", "dns", "/usr/sbin/pkg", "bootstrap", "-y", "now"}, "too many operands"},
		{[]string{"zfs", "rename", "a", "b"}, "no option string"},
	} {
		t.Run(strings.Join(tc.argv, " "), func(t *testing.T) {
			bad := getopt.Nonconforming([]getopt.SeenArgv{{Where: "test", Argv: tc.argv}})
			if len(bad) != 1 || !strings.Contains(bad[0], tc.why) || !strings.Contains(bad[0], tc.argv[0]) {
				t.Errorf("got %q, want one line with %q", bad, tc.why)
			}
		})
	}
}
