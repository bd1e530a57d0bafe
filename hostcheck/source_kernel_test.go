package hostcheck

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// kernelSys is a fakeSys that also answers system.HostInfo, from the
// same snapshot its command outputs come from.
type kernelSys struct {
	*fakeSys
	ifs     []system.NetInterface
	files   []string
	fs      system.FSInfo
	statfed []string // the paths Statfs was asked about
}

func (k *kernelSys) Interfaces() ([]system.NetInterface, error) { return k.ifs, nil }
func (k *kernelSys) KldFiles() ([]string, error)                { return k.files, nil }
func (k *kernelSys) Statfs(name string) (system.FSInfo, error) {
	k.statfed = append(k.statfed, name)
	if name != "/usr/local" && name != "/usr" && name != "/" {
		return system.FSInfo{}, &fs.PathError{Op: "statfs", Path: name, Err: fs.ErrNotExist}
	}
	return k.fs, nil
}

func kernelFromSnapshot(t *testing.T, name string) *kernelSys {
	t.Helper()
	k := &kernelSys{fakeSys: fakeFromSnapshot(t, name)}
	read := func(file string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", "snapshots", name, "commands", file))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, ifc := range freebsd.ParseIfconfig(read("ifconfig.txt")) {
		k.ifs = append(k.ifs, system.NetInterface{Name: ifc.Name, Up: ifc.Up, Loopback: ifc.Loopback, Prefixes: ifc.Prefixes})
	}
	for _, m := range freebsd.ParseKldstat(read("kldstat.txt")) {
		if m != "kernel" {
			m += ".ko"
		}
		k.files = append(k.files, m)
	}
	k.fs = system.FSInfo{Type: "zfs", From: "zroot/usr/local", On: "/usr/local", TotalKB: 40000000, UsedKB: 1200000, AvailKB: freebsd.ParseDf(read("df.txt"))}
	return k
}

// TestLiveKernelFacts: a System that reads interfaces, kernel files and
// free space itself spares ifconfig, kldstat and df, and the facts are
// the ones those commands give.
func TestLiveKernelFacts(t *testing.T) {
	k := kernelFromSnapshot(t, "sample")
	live := Gather(context.Background(), &LiveSource{Sys: k}, GatherOptions{})
	snap := snapshotFacts(t, "sample")
	if !reflect.DeepEqual(live.Interfaces, snap.Interfaces) {
		t.Errorf("interfaces:\n%+v\n%+v", live.Interfaces, snap.Interfaces)
	}
	if !reflect.DeepEqual(live.Modules, snap.Modules) || live.FreeKB != snap.FreeKB {
		t.Errorf("modules %v, %d KiB; want %v, %d KiB", live.Modules, live.FreeKB, snap.Modules, snap.FreeKB)
	}
	for _, cmd := range []string{"ifconfig -a", "kldstat", "df -k /usr/local/jails"} {
		if slices.Contains(k.ran, cmd) {
			t.Errorf("%s ran: %q", cmd, k.ran)
		}
	}
	// The jails directory does not exist yet: its nearest parent is
	// measured, where it will be made.
	if want := []string{"/usr/local/jails", "/usr/local"}; !reflect.DeepEqual(k.statfed, want) {
		t.Errorf("statfs on %q, want %q", k.statfed, want)
	}
	if lr, sr := Run(live, Options{}), Run(snap, Options{}); !reflect.DeepEqual(lr, sr) {
		t.Errorf("reports differ:\n%+v\n%+v", lr, sr)
	}
}
