package install

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updatingInstall() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// goldenInstall compares got with testdata/install/NAME, or rewrites it
// with -update.
func goldenInstall(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", "install", name)
	if updatingInstall() {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); rerun with -update if the change is intended:\n%s", file, diff)
	}
}

// TestGoldenPlans pins the dry-run plans of the dns recipe on the fake
// host: a first thin install, a thick one, an internal jail on lo1 with
// IPv6, and the uninstall.
func TestGoldenPlans(t *testing.T) {
	ctx := context.Background()
	r := dnsRecipe(t)
	for _, tc := range []struct {
		name  string
		spec  render.JailSpec
		thick bool
	}{
		{"dns-thin", dnsSpec(), false},
		{"dns-thick", dnsSpec(), true},
		{"dns-internal", render.JailSpec{Name: "ns", IPs: []string{"127.0.1.53", "2001:db8::53"}, Interface: "lo1"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newFakeHost(t)
			cfg, _ := h.Config()
			cfg.Interfaces = append(cfg.Interfaces, fakehostIface("lo1"))
			if err := h.SetConfig(cfg); err != nil {
				t.Fatal(err)
			}
			opts := testOpts()
			opts.Thick = tc.thick
			p, err := PlanInstall(ctx, system.NewDryRun(h), r, tc.spec, opts)
			if err != nil {
				t.Fatal(err)
			}
			goldenInstall(t, tc.name+".txt", []byte(p.Text()))
			data, err := p.JSON()
			if err != nil {
				t.Fatal(err)
			}
			goldenInstall(t, tc.name+".json", append(data, '\n'))
		})
	}
	t.Run("dns-uninstall", func(t *testing.T) {
		h := newFakeHost(t)
		if _, err := Install(ctx, h, r, dnsSpec(), testOpts()); err != nil {
			t.Fatal(err)
		}
		p, err := PlanUninstall(ctx, system.NewDryRun(h), "dns")
		if err != nil {
			t.Fatal(err)
		}
		goldenInstall(t, "dns-uninstall.txt", []byte(p.Text()))
	})
}

func fakehostIface(name string) fakehost.Iface {
	return fakehost.Iface{Name: name, Addrs: []string{"127.0.1.1/24"}}
}
