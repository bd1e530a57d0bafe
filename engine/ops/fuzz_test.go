package ops

import (
	"strings"
	"testing"
)

func TestParsers(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string
		ok       bool
	}{
		{"patched", "#!/bin/sh\nUSERLAND_VERSION=\"14.3-RELEASE-p2\"\n", "14.3-RELEASE-p2", true},
		{"release", "USERLAND_VERSION=\"15.0-RELEASE\"\n", "15.0-RELEASE", true},
		{"template", "USERLAND_VERSION=\"@@REVISION@@-@@BRANCH@@\"\n", "", false},
		{"indented", "  USERLAND_VERSION=\"14.3-RELEASE\"\n", "", false},
		{"none", "#!/bin/sh\n", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseUserland([]byte(tc.in))
			if got != tc.want || ok != tc.ok {
				t.Errorf("ParseUserland = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	// The jail's root controls this output: an escape sequence, a
	// newline-free control byte or an over-long word is dropped.
	out := "bind920-9.20.1 <   needs updating (remote has 9.20.2)\npkg-2.1.2 <\nsudo-1.9 =\n\x1b[2Jevil-1 <\nx\x07-1 <\n" +
		strings.Repeat("a", 200) + " <\n\n"
	if got := strings.Join(ParsePkgVersion([]byte(out)), " "); got != "bind920-9.20.1 pkg-2.1.2" {
		t.Errorf("ParsePkgVersion = %q", got)
	}
}

func FuzzParseUserland(f *testing.F) {
	f.Add([]byte("#!/bin/sh\nset -e\n\nUSERLAND_VERSION=\"14.3-RELEASE-p2\"\n"))
	f.Add([]byte("USERLAND_VERSION=\"15.0-BETA3\""))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, ok := ParseUserland(data)
		if ok && (v == "" || strings.ContainsAny(v, "\"\n ") || !strings.Contains(string(data), v)) {
			t.Errorf("ParseUserland returned %q", v)
		}
	})
}

func FuzzParsePkgVersion(f *testing.F) {
	f.Add([]byte("bind920-9.20.1 <   needs updating (remote has 9.20.2)\n"))
	f.Add([]byte("a <\nb =\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, u := range ParsePkgVersion(data) {
			if u == "" || !pkgVersionRE.MatchString(u) {
				t.Errorf("ParsePkgVersion returned %q", u)
			}
		}
	})
}
