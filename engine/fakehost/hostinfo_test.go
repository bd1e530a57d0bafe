package fakehost

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// TestHostInfoMatchesCommands: what the fake host answers through
// system.HostInfo is what its ifconfig, kldstat, df, zfs and jls print,
// so a test sees one host whichever way jailkit reads it.
func TestHostInfoMatchesCommands(t *testing.T) {
	h := newHost(t)
	if has, err := h.HasJails(); err != nil || has {
		t.Errorf("fresh host has jails: %v %v", has, err)
	}
	h.mustRun(t, true, "kldload", "-n", "if_bridge")
	if err := h.AddJail(Jail{Name: "web", Path: "/jails/web", Iface: "em0", IP4: []string{"192.0.2.80"}}); err != nil {
		t.Fatal(err)
	}
	if has, err := h.HasJails(); err != nil || !has {
		t.Errorf("jail not seen: %v %v", has, err)
	}
	ifs, err := h.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	parsed := freebsd.ParseIfconfig([]byte(h.mustRun(t, false, "ifconfig", "-a")))
	if len(ifs) != len(parsed) {
		t.Fatalf("%d interfaces, ifconfig shows %d", len(ifs), len(parsed))
	}
	for i := range ifs {
		if !reflect.DeepEqual(freebsd.Interface(ifs[i]), parsed[i]) {
			t.Errorf("interface %d: %+v, ifconfig shows %+v", i, ifs[i], parsed[i])
		}
	}
	files, err := h.KldFiles()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(f, ".ko"))
	}
	if want := freebsd.ParseKldstat([]byte(h.mustRun(t, false, "kldstat"))); !reflect.DeepEqual(names, want) {
		t.Errorf("kernel files %v, kldstat shows %v", files, want)
	}
	info, err := h.Statfs("/etc")
	if err != nil {
		t.Fatal(err)
	}
	if want := freebsd.ParseDf([]byte(h.mustRun(t, false, "df", "-k", "/etc"))); info.AvailKB != want {
		t.Errorf("statfs gives %d KiB free, df %d", info.AvailKB, want)
	}
}

// TestStatfsDatasets: statfs names the dataset mounted at a path, or at
// its nearest ancestor, and fails on a path that does not exist.
func TestStatfsDatasets(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Datasets = []Dataset{{Name: "zroot", Mountpoint: "/"}, {Name: "zroot/jails", Mountpoint: "/usr/local/jails"}}
	h, err := New(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(h.Dir, "usr/local/jails/containers"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, from, on string }{
		{"/usr/local/jails", "zroot/jails", "/usr/local/jails"},
		{"/usr/local/jails/containers", "zroot/jails", "/usr/local/jails"},
		{"/usr/local", "zroot", "/"},
	} {
		info, err := h.Statfs(tc.path)
		if err != nil || info.Type != "zfs" || info.From != tc.from || info.On != tc.on {
			t.Errorf("%s: %+v %v", tc.path, info, err)
		}
	}
	if _, err := h.Statfs("/usr/local/jails/missing"); err == nil {
		t.Error("statfs of a missing path worked")
	}
	// Through a jail root, paths are the root's.
	sub, err := h.OpenRoot("/usr/local/jails")
	if err != nil {
		t.Fatal(err)
	}
	if info, err := sub.Statfs("/containers"); err != nil || info.From != "zroot/jails" {
		t.Errorf("statfs in a root: %+v %v", info, err)
	}
}
