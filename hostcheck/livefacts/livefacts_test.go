package livefacts

import (
	"context"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"reflect"
	"testing"

	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// kernel is a System whose HostInfo answers from fields; without them it
// says the kernel cannot be asked. Commands are recorded and print their
// argv.
type kernel struct {
	system.System
	ifs     []system.NetInterface
	files   []string
	fs      map[string]system.FSInfo
	jails   *bool
	ran     [][]string
	noKern  bool
	statfed []string
}

func (k *kernel) Run(_ context.Context, cmd system.Cmd) ([]byte, error) {
	k.ran = append(k.ran, cmd.Argv)
	if cmd.Argv[0] == "df" && cmd.Argv[2] != "/usr/local" {
		return nil, errors.New("df: no such file or directory")
	}
	return []byte("ran"), nil
}

func (k *kernel) fail() error {
	if k.noKern {
		return system.ErrNoKernelInfo
	}
	return nil
}

func (k *kernel) Interfaces() ([]system.NetInterface, error) { return k.ifs, k.fail() }
func (k *kernel) KldFiles() ([]string, error)                { return k.files, k.fail() }
func (k *kernel) HasJails() (bool, error) {
	if k.jails == nil {
		return false, system.ErrNoKernelInfo
	}
	return *k.jails, nil
}
func (k *kernel) Statfs(name string) (system.FSInfo, error) {
	k.statfed = append(k.statfed, name)
	if err := k.fail(); err != nil {
		return system.FSInfo{}, err
	}
	if i, ok := k.fs[name]; ok {
		return i, nil
	}
	return system.FSInfo{}, &fs.PathError{Op: "statfs", Path: name, Err: fs.ErrNotExist}
}

// TestOutputFromKernel: each fact the kernel gives prints as its command
// would, and no command runs.
func TestOutputFromKernel(t *testing.T) {
	no := false
	k := &kernel{
		ifs:   []system.NetInterface{{Name: "em0", Up: true, Prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.10/24")}}},
		files: []string{"kernel", "zfs.ko"},
		fs:    map[string]system.FSInfo{"/usr/local": {Type: "zfs", From: "zroot/usr/local", On: "/usr/local", TotalKB: 100, UsedKB: 40, AvailKB: 60}},
		jails: &no,
	}
	ctx := context.Background()
	out, _ := Output(ctx, k, "ifconfig", []string{"ifconfig", "-a"}, "")
	if ifs := freebsd.ParseIfconfig(out); len(ifs) != 1 || ifs[0].Name != "em0" || ifs[0].Prefixes[0].String() != "192.0.2.10/24" {
		t.Errorf("ifconfig: %q", out)
	}
	out, _ = Output(ctx, k, "kldstat", []string{"kldstat"}, "")
	if got := freebsd.ParseKldstat(out); !reflect.DeepEqual(got, []string{"kernel", "zfs"}) {
		t.Errorf("kldstat: %v", got)
	}
	out, _ = Output(ctx, k, "df", []string{"df", "-k", ""}, "")
	if got := freebsd.ParseDf(out); got != 60 {
		t.Errorf("df: %d KiB from %q", got, out)
	}
	if want := []string{"/usr/local/jails", "/usr/local"}; !reflect.DeepEqual(k.statfed, want) {
		t.Errorf("statfs on %q, want the jails directory, then its parent", k.statfed)
	}
	for _, name := range []string{"jls-json", "jls"} {
		out, _ = Output(ctx, k, name, []string{"jls"}, "")
		if name == "jls-json" {
			if js, err := freebsd.ParseJlsJSON(out); err != nil || len(js) != 0 {
				t.Errorf("jls json: %v %v", js, err)
			}
		} else if js := freebsd.ParseJls(out); len(js) != 0 {
			t.Errorf("jls: %v", js)
		}
	}
	if len(k.ran) != 0 {
		t.Errorf("commands ran: %q", k.ran)
	}
	// With a jail running, jls runs.
	yes := true
	k.jails = &yes
	if out, _ := Output(ctx, k, "jls-json", []string{"jls", "--libxo", "json", "-n"}, ""); string(out) != "ran" {
		t.Errorf("jls with jails: %q", out)
	}
}

// TestOutputFallsBack: where the kernel cannot be asked, the command runs,
// df walking up to the nearest directory that exists.
func TestOutputFallsBack(t *testing.T) {
	k := &kernel{noKern: true}
	ctx := context.Background()
	for _, name := range []string{"ifconfig", "kldstat", "jls", "sockstat"} {
		if out, err := Output(ctx, k, name, []string{name}, ""); err != nil || string(out) != "ran" {
			t.Errorf("%s: %q %v", name, out, err)
		}
	}
	if out, err := Output(ctx, k, "df", []string{"df", "-k", ""}, "/usr/local/jails"); err != nil || string(out) != "ran" {
		t.Errorf("df: %q %v", out, err)
	}
	want := [][]string{{"ifconfig"}, {"kldstat"}, {"jls"}, {"sockstat"}, {"df", "-k", "/usr/local/jails"}, {"df", "-k", "/usr/local"}}
	if !reflect.DeepEqual(k.ran, want) {
		t.Errorf("ran %q", k.ran)
	}
}

// TestKernelTextRoundTrip: what the live source prints for the kernel
// facts reads back through the command parsers unchanged.
func TestKernelTextRoundTrip(t *testing.T) {
	k := sampleKernel(t)
	ifs := freebsd.ParseIfconfig(IfconfigText(k.ifs))
	if len(ifs) != len(k.ifs) {
		t.Fatalf("%d interfaces back, want %d", len(ifs), len(k.ifs))
	}
	for i, ifc := range ifs {
		got := system.NetInterface{Name: ifc.Name, Up: ifc.Up, Loopback: ifc.Loopback, Prefixes: ifc.Prefixes}
		if !reflect.DeepEqual(got, k.ifs[i]) {
			t.Errorf("interface %d: %+v, want %+v", i, got, k.ifs[i])
		}
	}
	if got := freebsd.ParseKldstat(freebsd.FormatKldstat([]string{"kernel", "zfs.ko", "if_bridge.ko"})); !reflect.DeepEqual(got, []string{"kernel", "zfs", "if_bridge"}) {
		t.Errorf("kldstat: %v", got)
	}
	for _, tc := range []struct {
		info system.FSInfo
		want int64
	}{
		{system.FSInfo{From: "zroot/jails", On: "/usr/local/jails", TotalKB: 100, UsedKB: 40, AvailKB: 60}, 60},
		{system.FSInfo{From: "/dev/gpt/root disk", On: "/", TotalKB: 100, UsedKB: 100, AvailKB: 0}, 0},
		{system.FSInfo{On: "/", TotalKB: 100, UsedKB: 110, AvailKB: -10}, -1},
	} {
		if got := freebsd.ParseDf(freebsd.FormatDf(tc.info.From, tc.info.On, tc.info.TotalKB, tc.info.UsedKB, tc.info.AvailKB)); got != tc.want {
			t.Errorf("df of %+v: %d, want %d", tc.info, got, tc.want)
		}
	}
}

// sampleKernel answers with the interfaces of hostcheck's sample snapshot.
func sampleKernel(t *testing.T) *kernel {
	t.Helper()
	data, err := os.ReadFile("../testdata/snapshots/sample/commands/ifconfig.txt")
	if err != nil {
		t.Fatal(err)
	}
	k := &kernel{}
	for _, ifc := range freebsd.ParseIfconfig(data) {
		k.ifs = append(k.ifs, system.NetInterface(ifc))
	}
	return k
}
