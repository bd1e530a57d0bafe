package lab

import (
	"errors"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// TestHostileLab: a lab file with problems in every stage reports every
// independent one in one run, each on its line, with values cut; it is
// bad input (exit status 2) and nothing is planned.
func TestHostileLab(t *testing.T) {
	long := strings.Repeat("x", 100000)
	tests := []struct {
		name string
		edit func(string) string
		want []string
	}{
		{"every stage at once", func(s string) string {
			s = strings.Replace(s, "  vnet: true", "  vnet: true\n  colour: blue", 1)
			s = strings.Replace(s, "recipe: dns", "recipe: dnz", 1)
			s = strings.Replace(s, "count: 3", "count: 1.5", 1)
			s = strings.Replace(s, "php: false", "phq: false", 1)
			return s + "  - name: dup\n    recipe: www\n    address: 192.0.2.53\n" +
				"  - name: bad\n    recipe: www\n    address: 192.0.2.300\n" +
				"  - name: lo\n    recipe: www\n    address: 127.0.0.1\n"
		}, []string{
			`lab.yaml:9: unknown field "colour"`,
			`lab.yaml:12: jail ns: recipe: no recipe named "dnz"`,
			`lab.yaml:20: count: "1.5" is not a whole number`,
			`lab.yaml:23: jail pc: params.phq: recipe www has no parameter "phq" (did you mean "php"?); see jailkit show www`,
			`lab.yaml:27: jail dup: address: 192.0.2.53 is already the address of jail ns (line 13); give every jail its own address or write address: auto`,
			`lab.yaml:30: jail bad: address: "192.0.2.300" is not an IPv4 address; give one of 192.0.2.0/24 or write address: auto`,
			`lab.yaml:33: jail lo: address: 127.0.0.1 is the host's own loopback address; give another address of 192.0.2.0/24 or write address: auto`,
		}},
		{"network errors do not hide jail errors", func(s string) string {
			s = strings.Replace(s, "em0", "em0;rm", 1)
			return strings.Replace(s, "recipe: dns", "recipe: dnz", 1)
		}, []string{`lab.yaml:4: network.interface: "em0;rm" is not an interface name`, `lab.yaml:11: jail ns: recipe: no recipe named "dnz"`}},
		{"multicast and broadcast", func(s string) string {
			return s + "  - name: m\n    recipe: www\n    address: 224.0.0.5\n  - name: b\n    recipe: www\n    address: 192.0.2.255\n"
		}, []string{`lab.yaml:26: jail m: address: 224.0.0.5 is a multicast address; give another address of 192.0.2.0/24 or write address: auto`,
			`lab.yaml:29: jail b: address: 192.0.2.255 is not a host address of the lab subnet 192.0.2.0/24; pick an address inside it or write address: auto`}},
		{"long values are cut", func(s string) string {
			s = strings.Replace(s, "recipe: dns", "recipe: "+long, 1)
			return strings.Replace(s, "php: false", "php: "+long, 1)
		}, []string{`lab.yaml:11: jail ns: recipe: no recipe named "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"... (100000 bytes)`,
			`lab.yaml:22: jail pc: params.php: value is 100000 bytes long, more than the limit of 4096; use true or false`}},
		{"a decode error is said once", func(s string) string { return strings.Replace(s, "count: 3", "count: many", 1) },
			[]string{"lab.yaml:19: cannot unmarshal !!str `many` into int"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantLabErrors(t, tc.edit(baseLab), tc.want)
		})
	}
}

// wantLabErrors parses src and wants exactly the input errors want (each
// a part of its message), in order, each short enough to read.
func wantLabErrors(t *testing.T, src string, want []string) {
	t.Helper()
	l, err := labParse(t, src)
	if err == nil {
		t.Fatalf("accepted: %+v", l)
	}
	if !errors.Is(err, inputerr.ErrInput) {
		t.Fatalf("not an input error: %v", err)
	}
	var list inputerr.ErrorList
	if !errors.As(err, &list) || len(list) != len(want) {
		t.Fatalf("want %d errors, got:\n%v", len(want), err)
	}
	for i, w := range want {
		if !strings.Contains(list[i].Error(), w) {
			t.Errorf("error %d:\n got %s\nwant %s", i, list[i], w)
		}
		if len(list[i].Error()) > 300 {
			t.Errorf("error %d is %d bytes long", i, len(list[i].Error()))
		}
	}
}
