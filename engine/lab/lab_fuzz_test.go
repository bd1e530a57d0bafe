package lab

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
)

// FuzzParseLab feeds arbitrary YAML to the lab decoder: it must never
// panic, every error must be an input error, and an accepted lab must keep
// its promises (unique names and addresses, all inside the subnet, none
// the gateway's).
func FuzzParseLab(f *testing.F) {
	cat, err := recipe.LoadCatalog()
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(baseLab))
	f.Add([]byte("network: {subnet: 10.0.0.0/8}\njails: [{count: 9999999}]\n"))
	f.Add([]byte("jails:\n  - &a {name: x, params: {a: [1, [2]]}}\n  - *a\n"))
	f.Add([]byte("network: [1]\njails: {a: b}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("fuzz.yaml", data, cat)
		if err != nil {
			if !errors.Is(err, inputerr.ErrInput) {
				t.Fatalf("error is not an input error: %v", err)
			}
			return
		}
		names := map[string]bool{}
		addrs := map[netip.Addr]bool{}
		for _, j := range l.Jails {
			if names[j.Name] || addrs[j.Addr] {
				t.Fatalf("duplicate jail %s %s", j.Name, j.Addr)
			}
			names[j.Name], addrs[j.Addr] = true, true
			if !hostAddrOf(l.Network.Subnet, j.Addr) || j.Addr == l.Network.Gateway {
				t.Fatalf("jail %s has address %s outside %s or the gateway's", j.Name, j.Addr, l.Network.Subnet)
			}
			if recipe.ValidJailName(j.Name) != nil || recipe.ValidHostname(j.Hostname) != nil {
				t.Fatalf("bad name %q / %q", j.Name, j.Hostname)
			}
		}
		if _, err := l.Values(); err != nil {
			t.Fatalf("an accepted lab does not validate against its recipes: %v", err)
		}
	})
}
