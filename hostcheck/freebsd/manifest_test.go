package freebsd

import (
	"os"
	"strings"
	"testing"
)

// testdata/MANIFEST has the shape of a release directory's MANIFEST, as
// release/scripts/make-manifest.sh writes it, with the sums of the fake
// host's media.

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseManifest(t *testing.T) {
	m, err := ParseManifest(readFile(t, "testdata/MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	b := m["base.txz"]
	if b.Set != "base" || !b.Default || b.Description != "Base system (MANDATORY)" || len(b.SHA256) != 64 {
		t.Errorf("base.txz: %+v", b)
	}
	for _, bad := range []string{"base.txz\tnothex\t1\tbase\t\"x\"\ton\n", "base.txz\t" + strings.Repeat("a", 64) + "\n", "../x\t" + strings.Repeat("a", 64) + "\t1\tb\t\"\"\ton\n"} {
		if _, err := ParseManifest([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add(readFile(f, "testdata/MANIFEST"))
	f.Add([]byte("base.txz\tzz\t1\tbase\t\"x\"\ton\n"))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		for name, e := range m {
			if name != e.File || len(e.SHA256) != 64 || e.Count < 0 || strings.ContainsAny(name, "/ ") {
				t.Fatalf("accepted a bad entry %+v", e)
			}
		}
	})
}
