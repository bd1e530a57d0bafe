package render

import (
	"errors"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
)

// TestHostileValues: what install and render refuse of the user's values,
// every problem at once, each naming its field, with long values cut to
// their length and the limit.
func TestHostileValues(t *testing.T) {
	long := strings.Repeat("a", 100000)
	tests := []struct {
		name string
		spec JailSpec
		want []string
	}{
		{"host loopback", JailSpec{IPs: []string{"127.0.0.1"}}, []string{`--ip: "127.0.0.1" is the host's own loopback address`}},
		{"ipv6 loopback", JailSpec{IPs: []string{"::1"}}, []string{`--ip: "::1" is the host's own loopback address`}},
		{"unspecified", JailSpec{IPs: []string{"0.0.0.0"}}, []string{`--ip: "0.0.0.0" is the unspecified address`}},
		{"multicast", JailSpec{IPs: []string{"ff02::1"}}, []string{`--ip: "ff02::1" is a multicast address`}},
		{"limited broadcast", JailSpec{IPs: []string{"255.255.255.255"}}, []string{`is the limited broadcast address`}},
		{"link-local", JailSpec{IPs: []string{"169.254.7.7"}}, []string{`is a link-local address`}},
		{"network address", JailSpec{IPs: []string{"192.0.2.0/24"}}, []string{`--ip: "192.0.2.0/24" is the network address of 192.0.2.0/24`}},
		{"subnet broadcast", JailSpec{IPs: []string{"192.0.2.255/24"}}, []string{`is the broadcast address of 192.0.2.0/24`}},
		{"slash zero", JailSpec{IPs: []string{"192.0.2.5/0"}}, []string{`has prefix length 0`}},
		{"twice", JailSpec{IPs: []string{"192.0.2.5", "192.0.2.5/24"}}, []string{`--ip: 192.0.2.5 is given twice`}},
		{"loopback on a real interface", JailSpec{IPs: []string{"127.0.0.2"}, Interface: "em0"}, []string{`cloned loopback interface such as lo1, not em0`}},
		{"every problem at once", JailSpec{IPs: []string{"127.0.0.1,224.0.0.1"}, Name: "a;b", Arch: "vax", Sets: []string{"nosuch=1"}},
			[]string{`--name: "a;b"`, `--arch: "vax"`, `--ip: "127.0.0.1"`, `--ip: "224.0.0.1"`, `--set nosuch`}},
		{"long value", JailSpec{IPs: []string{"192.0.2.5"}, Sets: []string{"mode=" + long}},
			[]string{`--set mode: value is 100000 bytes long, more than the limit of 4096`}},
		{"long name", JailSpec{IPs: []string{"192.0.2.5"}, Name: long}, []string{`--name: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"... (100000 bytes) is not a valid jail name`}},
		{"long parameter name", JailSpec{IPs: []string{"192.0.2.5"}, Sets: []string{long + "=1"}}, []string{`--set: parameter name "aaaa`, `(100000 bytes) is longer than 64 bytes`}},
		{"long address", JailSpec{IPs: []string{long}}, []string{`--ip: "aaaa`, `(100000 bytes) is not an IPv4 or IPv6 address`}},
	}
	r, err := recipe.ParseRecipe("app.yaml", []byte(goodRecipe), testTemplates)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Sets = append(tt.spec.Sets, "secret_name=x")
			_, err := NewValues(r, tt.spec)
			if err == nil || !errors.Is(err, inputerr.ErrInput) {
				t.Fatalf("NewValues = %v, want an input error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\nlacks %q", err, w)
				}
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if len(line) > 300 {
					t.Errorf("a message of %d bytes echoes the value", len(line))
				}
			}
		})
	}
}
