package install

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// dhcpVNet is a VNET dhcp jail on the fake host's 192.0.2.0/24.
func dhcpVNet(name, ip string, sets ...string) render.JailSpec {
	return render.JailSpec{Name: name, IPs: []string{ip + "/24"}, Sets: append([]string{
		"subnet=192.0.2.0/24", "range_start=192.0.2.100", "range_end=192.0.2.200", "domain_name=home.lan",
		"routers=192.0.2.1", "vnet=true"}, sets...), Grants: []string{"bpf"}}
}

// TestVNetInstallLifecycle: a VNET dhcp jail gets vnet and its epair in
// jail.conf (no ip4.addr), a devfs ruleset on top of devfsrules_jail_vnet
// with bpf, the bridge made on the host now and at boot; a re-run changes
// nothing; uninstall puts the host back byte for byte.
func TestVNetInstallLifecycle(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	r := loadRecipe(t, "dhcp")
	before := snapshot(t, h)

	p, err := Install(ctx, h, r, dhcpVNet("dhcp", "192.0.2.67"), testOpts())
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "this changes the host's networking") {
		t.Errorf("the plan does not say it changes host networking: %q", p.Notes)
	}
	conf := readHost(t, h, "etc/jail.conf.d/dhcp.conf")
	for _, want := range []string{"\tvnet;\n", "\tvnet.interface = \"epair0b\";\n",
		"\texec.prestart += \"/sbin/ifconfig epair0 create up\";\n",
		"\texec.prestart += \"/sbin/ifconfig bridge0 addm epair0a up\";\n",
		"\texec.poststop += \"/sbin/ifconfig epair0a destroy\";\n", "devfs_ruleset = 10;"} {
		if !strings.Contains(conf, want) {
			t.Errorf("dhcp.conf lacks %q:\n%s", want, conf)
		}
	}
	if strings.Contains(conf, "ip4") {
		t.Errorf("a VNET jail.conf must not give ip4 parameters:\n%s", conf)
	}
	if rules := readHost(t, h, "etc/devfs.rules"); !strings.Contains(rules, "[devfsrules_jailkit_dhcp=10]\nadd include $devfsrules_jail_vnet\nadd path 'bpf*' unhide\n") {
		t.Errorf("devfs.rules:\n%s", rules)
	}
	rc := readHost(t, h, "etc/rc.conf")
	for _, want := range []string{`cloned_interfaces="bridge0"`, `ifconfig_bridge0="addm em0 up"`} {
		if !strings.Contains(rc, want) {
			t.Errorf("host rc.conf lacks %s:\n%s", want, rc)
		}
	}
	ifc := fakehost.MustRun(t, h, "ifconfig", "-a")
	if !strings.Contains(ifc, "bridge0: flags") || !strings.Contains(ifc, "member: em0") || !strings.Contains(ifc, "epair0a: flags") {
		t.Errorf("ifconfig should show bridge0 with em0 and epair0a:\n%s", ifc)
	}
	if strings.Contains(ifc, "epair0b") {
		t.Errorf("epair0b belongs to the jail, yet the host shows it:\n%s", ifc)
	}
	if jls := fakehost.MustRun(t, h, "jls", "--libxo", "json", "-n"); !strings.Contains(jls, `"vnet":"new"`) || strings.Contains(jls, "192.0.2.67") {
		t.Errorf("jls should show a VNET jail without ip4.addr:\n%s", jls)
	}
	root := "usr/local/jails/containers/dhcp"
	if nf := readHost(t, h, root+"/etc/rc.conf.d/netif"); !strings.Contains(nf, `ifconfig_epair0b="inet 192.0.2.67/24"`) {
		t.Errorf("netif:\n%s", nf)
	}
	if rt := readHost(t, h, root+"/etc/rc.conf.d/routing"); !strings.Contains(rt, `defaultrouter="192.0.2.1"`) {
		t.Errorf("routing:\n%s", rt)
	}
	if in := readHost(t, h, root+"/etc/rc.conf"); !strings.Contains(in, `dhcpd_ifaces="epair0b"`) {
		t.Errorf("dhcpd should serve epair0b:\n%s", in)
	}
	if sock := fakehost.MustRun(t, h, "jexec", "dhcp", "sockstat", "-46l"); !strings.Contains(sock, "192.0.2.67:67") {
		t.Errorf("dhcpd should listen on the jail's own stack:\n%s", sock)
	}
	if sock := fakehost.MustRun(t, h, "sockstat", "-46l"); strings.Contains(sock, ":67") {
		t.Errorf("the host's stack shows the VNET jail's socket:\n%s", sock)
	}
	st, err := state.ReadState(h, "dhcp")
	if err != nil || st == nil || st.VNet == nil {
		t.Fatalf("state: %+v %v", st, err)
	}
	if *st.VNet != (plan.VNet{Epair: 0, Bridge: "bridge0"}) {
		t.Errorf("state vnet: %+v", *st.VNet)
	}

	rec := system.NewRecorder(h)
	p, err = Install(ctx, rec, r, dhcpVNet("dhcp", "192.0.2.67"), testOpts())
	if err != nil {
		t.Fatalf("re-install: %v", err)
	}
	if p.Changes() != 0 || len(rec.Mutations()) != 0 {
		t.Errorf("re-install changed things: %v\n%s", rec.Mutations(), p.Text())
	}

	uninstallToStart(t, ctx, h, "dhcp", UninstallOptions{LockWait: time.Second}, before)
}

// TestVNetTwoJails: the second VNET jail takes the next free epair and
// finds the bridge there; the bridge goes with the last jailkit jail.
func TestVNetTwoJails(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	r := loadRecipe(t, "dhcp")
	before := snapshot(t, h)
	if _, err := Install(ctx, h, r, dhcpVNet("dhcp", "192.0.2.67"), testOpts()); err != nil {
		t.Fatal(err)
	}
	p, err := Install(ctx, h, r, dhcpVNet("dhcp2", "192.0.2.68", "authoritative=false"), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if text := p.Text(); strings.Contains(text, "ifconfig bridge0 create") || strings.Contains(text, "cloned_interfaces") {
		t.Errorf("the second jail should reuse bridge0:\n%s", text)
	}
	if conf := readHost(t, h, "etc/jail.conf.d/dhcp2.conf"); !strings.Contains(conf, `vnet.interface = "epair1b";`) {
		t.Errorf("dhcp2 should get epair1:\n%s", conf)
	}
	if _, err := Uninstall(ctx, h, "dhcp", UninstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if ifc := fakehost.MustRun(t, h, "ifconfig", "-a"); !strings.Contains(ifc, "bridge0:") || strings.Contains(ifc, "epair0a") || !strings.Contains(ifc, "epair1a") {
		t.Errorf("after the first uninstall bridge0 and epair1a stay, epair0a goes:\n%s", ifc)
	}
	// A new jail now takes the lowest free number again.
	p, err = PlanInstall(ctx, system.NewDryRun(h), r, dhcpVNet("dhcp3", "192.0.2.69"), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Text(), `vnet.interface = "epair0b";`) {
		t.Errorf("dhcp3 should get the freed epair0:\n%s", p.Text())
	}
	uninstallToStart(t, ctx, h, "dhcp2", UninstallOptions{}, before)
}

// TestVNetHostFacts: an existing bridge is used as it is; an epair the
// host or another jail already has is skipped; a configured jail's
// vnet.interface counts too.
func TestVNetHostFacts(t *testing.T) {
	ctx := context.Background()
	cfg := fakehost.DefaultConfig()
	cfg.Interfaces = append(cfg.Interfaces, fakehost.Iface{Name: "bridge0"}, fakehost.Iface{Name: "epair0a"})
	h, err := fakehost.New(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	other := "other {\n\tpath = \"/jails/other\";\n\tvnet;\n\tvnet.interface = \"epair1b\";\n}\n"
	writeHost(t, h, "etc/jail.conf", other)
	p, err := PlanInstall(ctx, system.NewDryRun(h), loadRecipe(t, "dhcp"), dhcpVNet("dhcp", "192.0.2.67"), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	text := p.Text()
	if !strings.Contains(text, `vnet.interface = "epair2b";`) {
		t.Errorf("epair0 (host) and epair1 (jail other) are taken, want epair2:\n%s", text)
	}
	if strings.Contains(text, "ifconfig bridge0 create") || strings.Contains(text, "ifconfig_bridge0") {
		t.Errorf("bridge0 exists; the plan must not create it:\n%s", text)
	}
	// Naming a taken epair is refused.
	_, err = PlanInstall(ctx, system.NewDryRun(h), loadRecipe(t, "dhcp"), dhcpVNet("dhcp", "192.0.2.67", "interfaces=epair1b"), testOpts())
	if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "epair1 is already used (jail other uses it)") {
		t.Errorf("want epair1 refused, got %v", err)
	}
	// Naming a free one uses it.
	p, err = PlanInstall(ctx, system.NewDryRun(h), loadRecipe(t, "dhcp"), dhcpVNet("dhcp", "192.0.2.67", "interfaces=epair7b"), testOpts())
	if err != nil || !strings.Contains(p.Text(), `vnet.interface = "epair7b";`) {
		t.Errorf("want epair7, got %v", err)
	}
}

// TestVNetBadInput: every wrong combination is an input error before
// anything changes.
func TestVNetBadInput(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	before := snapshot(t, h)
	for _, tc := range []struct {
		name   string
		spec   render.JailSpec
		bridge string
		want   string
	}{
		{"not an epair", dhcpVNet("dhcp", "192.0.2.67", "interfaces=em0"), "", `--set interfaces: "em0" is not the jail's side of an epair`},
		{"bad bridge", dhcpVNet("dhcp", "192.0.2.67"), "br;0", `--bridge: "br;0" is not a bridge interface name`},
		{"bridge without vnet", dhcpSpec, "bridge1", "--bridge: only a VNET jail joins a bridge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOpts()
			opts.Bridge = tc.bridge
			_, err := Install(ctx, h, loadRecipe(t, "dhcp"), tc.spec, opts)
			if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("bad input changed the host:\n%s", diff)
	}
	// A jail installed shared-IP cannot become VNET on a re-run.
	if _, err := Install(ctx, h, loadRecipe(t, "dhcp"), dhcpSpec, testOpts()); err != nil {
		t.Fatal(err)
	}
	spec := dhcpSpec
	spec.Sets = append(append([]string{}, spec.Sets...), "vnet=true", "interfaces=epair0b")
	_, err := Install(ctx, h, loadRecipe(t, "dhcp"), spec, testOpts())
	if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "vnet: jail dhcp is installed as a shared-IP jail") {
		t.Errorf("got %v", err)
	}
}

// TestVNetFaultInjection fails every step of a VNET dhcp install (its
// first and last mutation) and proves the host is byte for byte as
// before: files, jails, epairs and the bridge.
func TestVNetFaultInjection(t *testing.T) {
	faultEveryStep(t, loadRecipe(t, "dhcp"), dhcpVNet("dhcp", "192.0.2.67"))
}

func writeHost(t testing.TB, h *fakehost.Host, p, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(h.Dir, p), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVNetBridgeOn15: FreeBSD 15 refuses a bridge member that has an
// address, so jailkit will not plan one there; with
// net.link.bridge.member_ifaddrs=1, or an existing bridge, it installs.
func TestVNetBridgeOn15(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name          string
		memberIfaddrs bool
		bridge        bool
		want          string
	}{
		{"refused", false, false, "--bridge: the host has no bridge0, and FreeBSD 15 refuses to add em0 to a bridge while em0 has an address"},
		{"member_ifaddrs", true, false, ""},
		{"existing bridge", false, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fakehost.DefaultConfig()
			cfg.OSRelease = "15.0-RELEASE"
			cfg.MemberIfaddrs = tc.memberIfaddrs
			if tc.bridge {
				cfg.Interfaces = append(cfg.Interfaces, fakehost.Iface{Name: "bridge0"})
			}
			h, err := fakehost.New(t.TempDir(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, h)
			_, err = Install(ctx, h, loadRecipe(t, "dhcp"), dhcpVNet("dhcp", "192.0.2.67"), testOpts())
			if tc.want != "" {
				if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("got %v, want %q", err, tc.want)
				}
				if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
					t.Errorf("a refused install changed the host:\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			uninstallToStart(t, ctx, h, "dhcp", UninstallOptions{}, before)
		})
	}
}

// TestVNetPrefix: a VNET jail given a bare address gets the prefix of the
// host subnet that holds it (it configures its own interface; a /32
// would leave it without a route to its LAN), and is refused when no host
// subnet holds it.
func TestVNetPrefix(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	spec := dhcpVNet("dhcp", "192.0.2.67")
	spec.IPs = []string{"192.0.2.67"}
	p, err := PlanInstall(ctx, system.NewDryRun(h), loadRecipe(t, "dhcp"), spec, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if text := p.Text(); !strings.Contains(text, `ifconfig_epair0b="inet 192.0.2.67/24"`) {
		t.Errorf("netif should carry the /24 of em0:\n%s", text)
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "192.0.2.67 gets the /24 of em0's subnet") {
		t.Errorf("notes: %q", p.Notes)
	}
	spec.IPs = []string{"198.51.100.7"}
	spec.Interface = "em0"
	_, err = PlanInstall(ctx, system.NewDryRun(h), loadRecipe(t, "dhcp"), spec, testOpts())
	if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "--ip: a VNET jail configures 198.51.100.7 on its own interface") {
		t.Errorf("got %v", err)
	}
}

// TestVNetUninstallFaultInjection fails every mutation of the last VNET
// jail's uninstall (jail stopped, bridge destroyed, rc.conf restored,
// files removed) and proves the installed host comes back byte for byte,
// the jail running on its epair and the bridge up again.
func TestVNetUninstallFaultInjection(t *testing.T) {
	ctx := context.Background()
	r := loadRecipe(t, "dhcp")
	spec := dhcpVNet("dhcp", "192.0.2.67")
	probe := newFakeHost(t)
	if _, err := Install(ctx, probe, r, spec, testOpts()); err != nil {
		t.Fatal(err)
	}
	fault, count := fakehost.FailNth(-1)
	probe.Fault = fault
	p, err := Uninstall(ctx, probe, "dhcp", UninstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	total := count()
	if !strings.Contains(p.Text(), "ifconfig bridge0 destroy") {
		t.Fatalf("the last uninstall should destroy bridge0:\n%s", p.Text())
	}
	// Removing a tree cannot be undone, by design uninstall does it last:
	// from there on a failure leaves the host part way.
	irreversible := len(p.Steps) + 1
	for i, s := range p.Steps {
		if s.Action == plan.ActRemoveAll || strings.HasPrefix(s.Name, "clear file flags") {
			irreversible = i + 1
			break
		}
	}
	for n := 1; n <= total; n++ {
		t.Run(fmt.Sprint("mutation ", n), func(t *testing.T) {
			t.Parallel()
			h := newFakeHost(t)
			if _, err := Install(ctx, h, r, spec, testOpts()); err != nil {
				t.Fatal(err)
			}
			installed := snapshot(t, h)
			h.Fault, _ = fakehost.FailNth(n)
			_, err := Uninstall(ctx, h, "dhcp", UninstallOptions{})
			var se *plan.StepError
			if !errors.As(err, &se) {
				t.Fatalf("want a StepError, got %v", err)
			}
			h.Fault = nil
			if se.Index >= irreversible {
				return
			}
			if len(se.NotUndone) > 0 {
				t.Errorf("rollback left %v", se.NotUndone)
			}
			if diff := cmp.Diff(installed, snapshot(t, h)); diff != "" {
				t.Errorf("step %q: the host is not as installed (-want +got):\n%s", se.Step, diff)
			}
		})
	}
}

// BenchmarkPlanDHCPVNet measures planning a VNET dhcp install on a fresh
// fake host: facts, the epair search over host, jails and state files,
// rendering and the steps (bridge creation included).
func BenchmarkPlanDHCPVNet(b *testing.B) {
	ctx := context.Background()
	h := newFakeHost(b)
	c, err := recipe.LoadCatalog()
	if err != nil {
		b.Fatal(err)
	}
	r, err := c.Get("dhcp")
	if err != nil {
		b.Fatal(err)
	}
	sys := system.NewDryRun(h)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PlanInstall(ctx, sys, r, dhcpVNet("dhcp", "192.0.2.67"), testOpts()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVNetAddressChange: a VNET jail moved to another address gets a new
// netif, and the jail restarts (its rc reads netif only at start), so its
// own stack carries the new address; the epair stays.
func TestVNetAddressChange(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	r := loadRecipe(t, "dhcp")
	if _, err := Install(ctx, h, r, dhcpVNet("dhcp", "192.0.2.67"), testOpts()); err != nil {
		t.Fatal(err)
	}
	rec := system.NewRecorder(h)
	p, err := Install(ctx, rec, r, dhcpVNet("dhcp", "192.0.2.68"), testOpts())
	if err != nil {
		t.Fatalf("%v\n%s", err, p.Text())
	}
	cmds := mutatingRuns(rec)
	want := []string{"jail -f /etc/jail.conf.d/dhcp.conf -rc dhcp", "service -j dhcp isc-dhcpd restart"}
	if diff := cmp.Diff(want, cmds); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	if sock := fakehost.MustRun(t, h, "jexec", "dhcp", "sockstat", "-46l"); !strings.Contains(sock, "192.0.2.68:67") || strings.Contains(sock, "192.0.2.67") {
		t.Errorf("sockstat in the jail:\n%s", sock)
	}
	if conf := readHost(t, h, "etc/jail.conf.d/dhcp.conf"); !strings.Contains(conf, `vnet.interface = "epair0b";`) {
		t.Errorf("the epair changed:\n%s", conf)
	}
}

// TestVNetClonedInterfacesKept: a host that already clones lo1 keeps it;
// the bridge joins the list, and uninstall gives the old line back.
func TestVNetClonedInterfacesKept(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	rc := readHost(t, h, "etc/rc.conf") + "cloned_interfaces=\"lo1\"\n"
	writeHost(t, h, "etc/rc.conf", rc)
	before := snapshot(t, h)
	if _, err := Install(ctx, h, loadRecipe(t, "dhcp"), dhcpVNet("dhcp", "192.0.2.67"), testOpts()); err != nil {
		t.Fatal(err)
	}
	if got := readHost(t, h, "etc/rc.conf"); !strings.Contains(got, "cloned_interfaces=\"lo1 bridge0\"\n") {
		t.Errorf("rc.conf:\n%s", got)
	}
	uninstallToStart(t, ctx, h, "dhcp", UninstallOptions{}, before)
}
