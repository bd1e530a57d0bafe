package fakeconf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCachedLoad(t *testing.T) {
	name := filepath.Join(t.TempDir(), "state.json")
	write := func(data string) {
		t.Helper()
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var c Cached[State]
	write(`{"jails":[{"name":"a","ip4":["192.0.2.1"]}],"members":{"bridge0":["em0"]}}`)
	first, err := c.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	// What a caller changes is its own copy.
	first.Jails[0].IP4[0] = "changed"
	first.Members["bridge0"][0] = "changed"
	first.Jails = append(first.Jails, Jail{Name: "b"})
	again, err := c.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	want := State{Jails: []Jail{{Name: "a", IP4: []string{"192.0.2.1"}}}, Members: map[string][]string{"bridge0": {"em0"}}}
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("a caller's change reached the cache (-want +got):\n%s", diff)
	}
	// A write of the same size (as fast as the clock ticks) is seen.
	write(`{"jails":[{"name":"z","ip4":["192.0.2.1"]}],"members":{"bridge0":["em0"]}}`)
	if got, err := c.Load(name); err != nil || got.Jails[0].Name != "z" {
		t.Errorf("after a write: %v, %v", got.Jails, err)
	}
	write(`{"jails":`)
	if _, err := c.Load(name); err == nil {
		t.Errorf("a broken file loaded")
	}
}

func TestCloneConfig(t *testing.T) {
	c := Default()
	c.Datasets = []Dataset{{Name: "zroot/jails", Mountpoint: "/usr/local/jails"}}
	got := Clone(c)
	if diff := cmp.Diff(c, got); diff != "" {
		t.Fatalf("clone differs (-want +got):\n%s", diff)
	}
	got.Interfaces[0].Addrs[0] = "changed"
	for name, s := range got.Services {
		s.Ports[0].Port = -1
		got.Services[name] = s
		break
	}
	orig := Default()
	orig.Datasets = []Dataset{{Name: "zroot/jails", Mountpoint: "/usr/local/jails"}}
	if diff := cmp.Diff(orig, c); diff != "" {
		t.Errorf("changing the clone changed the original:\n%s", diff)
	}
}
