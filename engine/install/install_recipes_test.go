package install

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

func loadRecipe(t *testing.T, name string) *recipe.Recipe {
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

var dhcpSpec = render.JailSpec{Name: "dhcp", IPs: []string{"192.0.2.67"}, Sets: []string{
	"subnet=192.0.2.0/24", "range_start=192.0.2.100", "range_end=192.0.2.200", "domain_name=home.lan"},
	Grants: []string{"bpf"}}

// TestDevfsRuleset: a recipe that needs devices gets a new ruleset
// appended to /etc/devfs.rules (never 5, above every number in use), the
// file is backed up first and never rewritten, and uninstall takes exactly
// that ruleset out again.
func TestDevfsRuleset(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	existing := "# local rules\n[devfsrules_mine=12]\nadd include $devfsrules_jail\nadd path 'tun*' unhide\n"
	if err := os.WriteFile(filepath.Join(h.Dir, "etc/devfs.rules"), []byte(existing), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, h)
	p, err := PlanInstall(ctx, system.NewDryRun(h), loadRecipe(t, "dhcp"), dhcpSpec, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if text := p.Text(); !strings.Contains(text, "+[devfsrules_jailkit_dhcp=13]") || !strings.Contains(text, "copy /etc/devfs.rules to /var/db/jailkit/backup/dhcp/etc_devfs.rules") {
		t.Errorf("the plan should back up and append ruleset 13 as a diff:\n%s", text)
	}
	if _, err := Install(ctx, h, loadRecipe(t, "dhcp"), dhcpSpec, testOpts()); err != nil {
		t.Fatal(err)
	}
	rules := readHost(t, h, "etc/devfs.rules")
	if !strings.HasPrefix(rules, existing) || !strings.Contains(rules, "[devfsrules_jailkit_dhcp=13]\nadd include $devfsrules_jail\nadd path 'bpf*' unhide\n") {
		t.Errorf("devfs.rules:\n%s", rules)
	}
	if conf := readHost(t, h, "etc/jail.conf.d/dhcp.conf"); !strings.Contains(conf, "devfs_ruleset = 13;") {
		t.Errorf("jail.conf does not use the new ruleset:\n%s", conf)
	}
	if bk := readHost(t, h, "var/db/jailkit/backup/dhcp/etc_devfs.rules"); bk != existing {
		t.Errorf("backup: %q", bk)
	}
	uninstallToStart(t, ctx, h, "dhcp", UninstallOptions{}, before)
}

// TestHostNeeds: the linux recipe loads kernel modules, sets linux_enable
// on the host in the same sysrc call as jail_enable and mounts from the
// host; uninstall undoes all of it.
func TestHostNeeds(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	before := snapshot(t, h)
	rec := system.NewRecorder(h)
	spec := render.JailSpec{Name: "linux", IPs: []string{"192.0.2.70"}, Grants: []string{"linux"}}
	if _, err := Install(ctx, rec, loadRecipe(t, "linux"), spec, testOpts()); err != nil {
		t.Fatal(err)
	}
	var sysrc [][]string
	for _, c := range rec.Mutations() {
		if c.Op == "run" && c.Argv[0] == "sysrc" {
			sysrc = append(sysrc, c.Argv)
		}
	}
	if diff := cmp.Diff([][]string{{"sysrc", "jail_enable=YES", "linux_enable=YES"}}, sysrc); diff != "" {
		t.Errorf("sysrc calls (-want +got):\n%s", diff)
	}
	if kld := fakehost.MustRun(t, h, "kldstat"); !strings.Contains(kld, "linux64.ko") || !strings.Contains(kld, "fdescfs.ko") {
		t.Errorf("modules not loaded:\n%s", kld)
	}
	conf := readHost(t, h, "etc/jail.conf.d/linux.conf")
	if !strings.Contains(conf, `mount += "linprocfs /usr/local/jails/containers/linux/compat/linux/proc linprocfs rw 0 0";`) ||
		strings.Count(conf, "enforce_statfs") != 1 {
		t.Errorf("linux.conf:\n%s", conf)
	}
	if fi, err := os.Stat(filepath.Join(h.Dir, "usr/local/jails/containers/linux/compat/linux/proc")); err != nil || !fi.IsDir() {
		t.Errorf("mount point: %v", err)
	}
	if _, err := Uninstall(ctx, h, "linux", UninstallOptions{}); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, h)
	// The modules stay loaded: unloading a module other things may use is
	// not jailkit's to do. Everything else is back.
	st, _ := h.State()
	if len(st.Modules) != 4 {
		t.Errorf("modules: %v", st.Modules)
	}
	delete(before, ".fakehost/state.json")
	delete(after, ".fakehost/state.json")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("uninstall left changes:\n%s", diff)
	}
}

// TestOwnersFromTheJail: owners are looked up in the jail's passwd and
// group (bind is 53 there; the host has no bind at all).
func TestOwnersFromTheJail(t *testing.T) {
	h := newFakeHost(t)
	rec := system.NewRecorder(h)
	if _, err := Install(context.Background(), rec, dnsRecipe(t), dnsSpec(), testOpts()); err != nil {
		t.Fatal(err)
	}
	owners := map[string][2]int{}
	for _, c := range rec.Mutations() {
		if c.Op == "chown" {
			owners[c.Path] = [2]int{c.UID, c.GID}
		}
	}
	if owners["/usr/local/etc/namedb/working"] != [2]int{53, 0} || owners["/usr/local/etc/namedb/named.conf"] != [2]int{0, 0} {
		t.Errorf("owners: %v", owners)
	}
	if hostPasswd := readHost(t, h, "etc/passwd"); strings.Contains(hostPasswd, "bind") {
		t.Fatal("the test needs a host without bind")
	}
}

// TestStoppedJailRestarts: a re-run finds the jail stopped (after a reboot
// without jail_enable, say), starts it and restarts the service, and
// writes nothing.
func TestStoppedJailRestarts(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	r := dnsRecipe(t)
	if _, err := Install(ctx, h, r, dnsSpec(), testOpts()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Run(ctx, system.Cmd{Argv: []string{"jail", "-r", "dns"}, Mutates: true}); err != nil {
		t.Fatal(err)
	}
	rec := system.NewRecorder(h)
	if _, err := Install(ctx, rec, r, dnsSpec(), testOpts()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range rec.Mutations() {
		got = append(got, c.String())
	}
	want := []string{"run jail -f /etc/jail.conf.d/dns.conf -c dns", "run service -j dns named restart"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mutations (-want +got):\n%s", diff)
	}
	if list, _ := state.List(ctx, h); len(list) != 1 || list[0].State != "running" {
		t.Errorf("list: %+v", list)
	}
}

// TestForgedStateRefused: uninstall removes what the state file lists, so
// a file that lists host paths jailkit never creates is refused whole.
func TestForgedStateRefused(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		forge  func(st *state.State)
		reason string
	}{
		{"dir /etc", func(st *state.State) {
			st.Resources = append(st.Resources, state.Resource{Kind: state.ResDir, Path: "/etc", Whole: true})
		}, `lists dir "/etc"`},
		{"file rc.conf", func(st *state.State) {
			st.Resources = append(st.Resources, state.Resource{Kind: state.ResFile, Path: "/etc/rc.conf"})
		}, `lists file "/etc/rc.conf"`},
		{"dotdot", func(st *state.State) {
			st.Resources = append(st.Resources, state.Resource{Kind: state.ResDir, Path: "/usr/local/jails/../../etc", Whole: true})
		}, "which jailkit never creates"},
		{"jail root /", func(st *state.State) { st.Path = "/" }, "gives the jail root"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newFakeHost(t)
			if _, err := Install(ctx, h, dnsRecipe(t), dnsSpec(), testOpts()); err != nil {
				t.Fatal(err)
			}
			st, _ := state.ReadState(h, "dns")
			tc.forge(st)
			if err := os.WriteFile(filepath.Join(h.Dir, "var/db/jailkit/dns.json"), st.Marshal(), 0o644); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, h)
			_, err := Uninstall(ctx, h, "dns", UninstallOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("want a refusal (%s), got %v", tc.reason, err)
			}
			if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
				t.Errorf("host changed:\n%s", diff)
			}
		})
	}
}

// TestBadMirror: the mirror goes to fetch(1) as an argument, so anything
// but a URL is refused before any change.
func TestBadMirror(t *testing.T) {
	for _, m := range []string{"-o/etc/passwd", "download.freebsd.org", "https://x y", "gopher://x"} {
		opts := testOpts()
		opts.Mirror = m
		_, err := PlanInstall(context.Background(), system.NewRecorder(nil), dnsRecipe(t), dnsSpec(), opts)
		if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "--mirror") {
			t.Errorf("%q: %v", m, err)
		}
	}
}

// TestZFSJailRoot: when the containers directory is a ZFS dataset, the
// jail root is a child dataset, destroyed again by rollback and uninstall.
func TestZFSJailRoot(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	cfg, _ := h.Config()
	cfg.Datasets = []fakehost.Dataset{{Name: "zroot/jails", Mountpoint: "/usr/local/jails"}, {Name: "zroot/jails/containers", Mountpoint: "/usr/local/jails/containers"}}
	h.SetConfig(cfg)
	os.MkdirAll(filepath.Join(h.Dir, "usr/local/jails/containers"), 0o755)
	before := snapshot(t, h)
	rec := system.NewRecorder(h)
	if _, err := Install(ctx, rec, dnsRecipe(t), dnsSpec(), testOpts()); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range rec.Mutations() {
		found = found || c.String() == "run zfs create zroot/jails/containers/dns"
	}
	if !found {
		t.Errorf("no zfs create in %v", rec.Commands())
	}
	st, _ := h.State()
	if len(st.Datasets) != 1 || st.Datasets[0].Mountpoint != "/usr/local/jails/containers/dns" {
		t.Errorf("datasets: %+v", st.Datasets)
	}
	uninstallToStart(t, ctx, h, "dns", UninstallOptions{}, before)
	// A failure after the dataset exists destroys it again.
	h.Fault = func(c system.Call) error {
		if c.Op == "run" && c.Argv[0] == "jail" {
			return errors.New("no jail today")
		}
		return nil
	}
	if _, err := Install(ctx, h, dnsRecipe(t), dnsSpec(), testOpts()); err == nil {
		t.Fatal("install went through")
	}
	h.Fault = nil
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("rollback left changes:\n%s", diff)
	}
}

// TestStaleFileRemoved: a file an earlier install wrote that the new
// values no longer render goes away (and only if jailkit's bytes are
// still in it).
func TestStaleFileRemoved(t *testing.T) {
	ctx := context.Background()
	r := dnsRecipe(t)
	loghost := "usr/local/jails/containers/dns/usr/local/etc/syslog.d/jailkit-loghost.conf"
	for _, edited := range []bool{false, true} {
		h := newFakeHost(t)
		if _, err := Install(ctx, h, r, dnsSpec("loghost=192.0.2.99"), testOpts()); err != nil {
			t.Fatal(err)
		}
		if edited {
			os.WriteFile(filepath.Join(h.Dir, loghost), []byte("*.* @192.0.2.98\n"), 0o644)
		}
		p, err := Install(ctx, h, r, dnsSpec(), testOpts())
		if err != nil {
			t.Fatal(err)
		}
		_, statErr := os.Stat(filepath.Join(h.Dir, loghost))
		if edited != (statErr == nil) {
			t.Errorf("edited=%v: the file exists=%v\n%s", edited, statErr == nil, p.Text())
		}
		if edited && !strings.Contains(strings.Join(p.Notes, "\n"), "was changed since jailkit wrote it") {
			t.Errorf("no note about the kept file: %v", p.Notes)
		}
		if st, _ := state.ReadState(h, "dns"); len(st.Files) != 10 {
			t.Errorf("state records %d files", len(st.Files))
		}
	}
}

// TestAddressChange: a re-run with another address rewrites jail.conf,
// restarts the jail and the service, and the service listens on the new
// address only.
func TestAddressChange(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	r := dnsRecipe(t)
	if _, err := Install(ctx, h, r, dnsSpec(), testOpts()); err != nil {
		t.Fatal(err)
	}
	rec := system.NewRecorder(h)
	p, err := Install(ctx, rec, r, render.JailSpec{IPs: []string{"192.0.2.55"}}, testOpts())
	if err != nil {
		t.Fatalf("%v\n%s", err, p.Text())
	}
	cmds := mutatingRuns(rec)
	want := []string{"jail -f /etc/jail.conf.d/dns.conf -rc dns", "service -j dns named restart"}
	if diff := cmp.Diff(want, cmds); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	sock := fakehost.MustRun(t, h, "sockstat", "-46l", "-j", "dns")
	if !strings.Contains(sock, "192.0.2.55:53") || strings.Contains(sock, "192.0.2.53") {
		t.Errorf("sockstat:\n%s", sock)
	}
	if list, _ := state.List(ctx, h); len(list) != 1 || list[0].Addresses[0] != "192.0.2.55" {
		t.Errorf("list: %+v", list)
	}
}
