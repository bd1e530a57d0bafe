package install

import "testing"

func TestGeneration(t *testing.T) {
	const base = "/usr/local/jails/templates/14.3-RELEASE-amd64"
	for _, tc := range []struct {
		dir  string
		want int
		ok   bool
	}{
		{base, 1, true},
		{base + ".2", 2, true},
		{base + ".17", 17, true},
		{base + ".1", 0, false},
		{base + ".02", 0, false},
		{base + ".x", 0, false},
		{base + "/../x.2", 0, false},
		{base + "-p5", 0, false},
		{"/elsewhere.2", 0, false},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			if g, ok := generation(base, tc.dir); g != tc.want || ok != tc.ok {
				t.Errorf("generation(%q) = %d, %v; want %d, %v", tc.dir, g, ok, tc.want, tc.ok)
			}
		})
	}
}
