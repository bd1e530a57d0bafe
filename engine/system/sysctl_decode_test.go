package system

import (
	"strings"
	"testing"
)

func TestSysctlText(t *testing.T) {
	tests := []struct {
		name     string
		kind     uint32
		raw      []byte
		longSize int
		want     string
		wantErr  bool
	}{
		// net.link.bridge.member_ifaddrs=1 as the kernel hands it out:
		// an int, four little-endian bytes.
		{"int one", CtlTypeInt, []byte{1, 0, 0, 0}, 8, "1", false},
		{"int minus one", CtlTypeInt, []byte{0xff, 0xff, 0xff, 0xff}, 8, "-1", false},
		// The kind word carries flags above the CTLTYPE bits.
		{"int with flags", 0x80000000 | CtlTypeInt, []byte{3, 0, 0, 0}, 8, "3", false},
		{"uint max", CtlTypeUint, []byte{0xff, 0xff, 0xff, 0xff}, 8, "4294967295", false},
		{"string", CtlTypeString, []byte("14.3-RELEASE-p2\x00"), 8, "14.3-RELEASE-p2", false},
		{"long on amd64", CtlTypeLong, []byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 8, "-2", false},
		{"long on i386", CtlTypeLong, []byte{0xfe, 0xff, 0xff, 0xff}, 4, "-2", false},
		{"u64", CtlTypeU64, []byte{0, 0, 0, 0, 1, 0, 0, 0}, 8, "4294967296", false},
		{"u8", CtlTypeU8, []byte{200}, 8, "200", false},
		{"s8", CtlTypeS8, []byte{200}, 8, "-56", false},
		{"u16", CtlTypeU16, []byte{1, 1}, 8, "257", false},
		{"s16", CtlTypeS16, []byte{0xff, 0xff}, 8, "-1", false},
		{"int array", CtlTypeInt, []byte{1, 0, 0, 0, 2, 0, 0, 0}, 8, "1 2", false},
		{"short int", CtlTypeInt, []byte{1, 0}, 8, "", true},
		{"empty int", CtlTypeInt, nil, 8, "", true},
		{"opaque", CtlTypeOpaque, []byte{1, 2}, 8, "", true},
		{"node", CtlTypeNode, nil, 8, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SysctlText(tt.kind, tt.raw, tt.longSize)
			if (err != nil) != tt.wantErr {
				t.Fatalf("SysctlText err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("SysctlText = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSysctlRawBytesAreNotText shows the bug SysctlText fixes: what
// unix.Sysctl returns for an int OID (its bytes, last NUL cut) is not "1".
func TestSysctlRawBytesAreNotText(t *testing.T) {
	raw := []byte{1, 0, 0, 0}
	asUnixSysctl := strings.TrimSpace(string(raw[:len(raw)-1]))
	if asUnixSysctl == "1" {
		t.Fatal("raw int bytes read as text equal \"1\"; the decoder would be pointless")
	}
	if got, _ := SysctlText(CtlTypeInt, raw, 8); got != "1" {
		t.Errorf("SysctlText = %q, want 1", got)
	}
}

// FuzzSysctlText feeds any kind and bytes to the decoder: it errs or
// answers, never panics.
func FuzzSysctlText(f *testing.F) {
	f.Add(uint32(CtlTypeInt), []byte{1, 0, 0, 0}, 8)
	f.Add(uint32(CtlTypeLong), []byte{1, 0, 0, 0}, 4)
	f.Add(uint32(CtlTypeString), []byte("a\x00"), 8)
	f.Fuzz(func(t *testing.T, kind uint32, raw []byte, longSize int) {
		if longSize != 4 && longSize != 8 {
			longSize = 8
		}
		_, _ = SysctlText(kind, raw, longSize)
	})
}
