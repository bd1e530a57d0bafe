package system

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"testing/iotest"
)

// TestRealInterfaces: the interfaces come from the kernel without a
// process, each address with its prefix length and no zone.
func TestRealInterfaces(t *testing.T) {
	r, err := NewReal("/")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ifs, err := r.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	loop := false
	for _, ifc := range ifs {
		for _, p := range ifc.Prefixes {
			if p.Addr().Zone() != "" || !p.IsValid() {
				t.Errorf("%s: prefix %v", ifc.Name, p)
			}
			if ifc.Loopback && p == netip.MustParsePrefix("127.0.0.1/8") {
				loop = true
			}
		}
	}
	if !loop {
		t.Errorf("no loopback 127.0.0.1/8 in %+v", ifs)
	}
}

func TestIPNetPrefix(t *testing.T) {
	for _, tc := range []struct {
		in   net.Addr
		want string
	}{
		{&net.IPNet{IP: net.ParseIP("192.0.2.10"), Mask: net.CIDRMask(24, 32)}, "192.0.2.10/24"},
		{&net.IPNet{IP: net.ParseIP("192.0.2.10"), Mask: net.CIDRMask(120, 128)}, "192.0.2.10/24"},
		{&net.IPNet{IP: net.ParseIP("fe80::1"), Mask: net.CIDRMask(64, 128)}, "fe80::1/64"},
		{&net.IPNet{IP: net.ParseIP("192.0.2.10"), Mask: net.IPv4Mask(255, 0, 255, 0)}, "192.0.2.10/32"},
		{&net.IPAddr{IP: net.ParseIP("192.0.2.10")}, ""},
	} {
		p, ok := ipNetPrefix(tc.in)
		got := ""
		if ok {
			got = p.String()
		}
		if got != tc.want {
			t.Errorf("%v: %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRealRootHostInfo: a Real on a staged root reports no fact of the
// running host (its commands would not run there either), but measures
// the root's own file system where the kernel can.
func TestRealRootHostInfo(t *testing.T) {
	r, _ := newReal(t)
	if _, err := r.Interfaces(); !errors.Is(err, ErrNoExec) {
		t.Errorf("interfaces: %v", err)
	}
	if _, err := r.KldFiles(); !errors.Is(err, ErrNoExec) {
		t.Errorf("kldstat: %v", err)
	}
	if _, err := r.HasJails(); !errors.Is(err, ErrNoExec) {
		t.Errorf("jail_get: %v", err)
	}
	if _, err := r.Statfs("/missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("statfs of a missing path: %v", err)
	}
	info, err := r.Statfs("/")
	if runtime.GOOS == "freebsd" {
		if err != nil || info.On == "" || info.TotalKB <= 0 {
			t.Errorf("statfs: %+v, %v", info, err)
		}
	} else if !errors.Is(err, ErrNoKernelInfo) {
		t.Errorf("statfs on %s: %v", runtime.GOOS, err)
	}
}

// TestHostInfoRecorded: a Recorder logs each kernel read, and a Recorder
// or DryRun without a Base says the fact cannot be read.
func TestHostInfoRecorded(t *testing.T) {
	rec := NewRecorder(nil)
	if _, err := rec.SysctlUint32("kern.securelevel"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("sysctl: %v", err)
	}
	if _, err := rec.Interfaces(); !errors.Is(err, ErrNoKernelInfo) {
		t.Errorf("interfaces: %v", err)
	}
	if _, err := rec.KldFiles(); !errors.Is(err, ErrNoKernelInfo) {
		t.Errorf("kldstat: %v", err)
	}
	if _, err := rec.HasJails(); !errors.Is(err, ErrNoKernelInfo) {
		t.Errorf("jail_get: %v", err)
	}
	if _, err := rec.Statfs("/usr/local/jails"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("statfs: %v", err)
	}
	var ops []string
	for _, c := range rec.Calls() {
		ops = append(ops, c.String())
		if c.IsMutation() {
			t.Errorf("%s counted as a mutation", c)
		}
	}
	want := []string{"sysctl kern.securelevel", "interfaces ", "kldstat ", "jail_get ", "statfs /usr/local/jails"}
	if len(ops) != len(want) {
		t.Fatalf("calls %q", ops)
	}
	for i := range want {
		if ops[i] != want[i] {
			t.Errorf("call %d: %q, want %q", i, ops[i], want[i])
		}
	}
	d := NewDryRun(nil)
	if _, err := d.Interfaces(); !errors.Is(err, ErrNoKernelInfo) {
		t.Errorf("dry run interfaces: %v", err)
	}
	if _, err := d.HasJails(); !errors.Is(err, ErrNoKernelInfo) {
		t.Errorf("dry run jail_get: %v", err)
	}
	// Through a DryRun, the reads reach the Base.
	d = NewDryRun(rec)
	rec.Reset()
	d.KldFiles()
	d.Statfs("/")
	d.SysctlUint32("kern.osreldate")
	if n := len(rec.Calls()); n != 3 {
		t.Errorf("dry run passed %d reads to its base, want 3", n)
	}
}

// TestReadSized: whatever size is expected, every byte is read once, with
// one allocation when the expectation is right.
func TestReadSized(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 10000)
	for _, size := range []int64{0, 1, 511, int64(len(data)), int64(len(data)) + 1, 3 * int64(len(data))} {
		for name, r := range map[string]func() io.Reader{
			"whole":   func() io.Reader { return bytes.NewReader(data) },
			"halves":  func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
			"one":     func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
			"dataerr": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
		} {
			got, err := readSized(r(), size)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("size %d, %s: %d bytes, %v", size, name, len(got), err)
			}
		}
	}
	if _, err := readSized(iotest.ErrReader(errors.New("boom")), 10); err == nil {
		t.Error("a read error was lost")
	}
	br := bytes.NewReader(data)
	allocs := testing.AllocsPerRun(10, func() {
		br.Reset(data)
		readSized(br, int64(len(data))+1)
	})
	if allocs > 1 {
		t.Errorf("%v allocations for a file of the expected size, want 1", allocs)
	}
}
