package lab

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/fakehost/getopt"
	"github.com/jailkit/jailkit/engine/system"
)

// TestMain fails the package when any fake host of any test refused an
// argv for its option string, even in a test that expected a failure.
func TestMain(m *testing.M) {
	code := m.Run()
	if msg := fakehost.RefusedReport(); msg != "" {
		fmt.Fprint(os.Stderr, msg)
		code = 1
	}
	os.Exit(code)
}

// exampleHost is a fake host on the lab's own network: em0 on the
// subnet's .250, sshd on that address only (x11 jails run sshd on port
// 22 of theirs), sendmail fully off (a mail jail) and PHP-FPM known.
func exampleHost(t *testing.T, l *Lab) *fakehost.Host {
	t.Helper()
	a := l.Network.Subnet.Addr().As4()
	a[3] = 250
	addr := netip.AddrFrom4(a)
	cfg := fakehost.DefaultConfig()
	cfg.Interfaces[0].Addrs = []string{netip.PrefixFrom(addr, l.Network.Subnet.Bits()).String()}
	cfg.Listeners = []fakehost.Listener{{User: "root", Command: "sshd", PID: 1021, Proto: "tcp4", Addr: addr.String(), Port: 22}}
	// The homelab's www jail runs PHP-FPM (php83's rc.d script
	// php_fpm) on its unix socket.
	cfg.Services["php_fpm"] = fakehost.Service{Package: "php83", Command: "php-fpm"}
	return labHostWith(t, cfg)
}

// TestLabArgvConformance checks, for every lab of docs/examples, every
// argv of the plan "lab plan" shows on a host (each jail's install plan
// with its undo steps) and, for the homelab, every command "lab apply"
// and "lab destroy" run, against the option strings of FreeBSD's source
// (engine/fakehost/getopt/testdata/getopt.txt).
func TestLabArgvConformance(t *testing.T) {
	files, err := filepath.Glob("../../docs/examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Parse(f, data, labCatalog(t))
			if err != nil {
				t.Fatal(err)
			}
			h := exampleHost(t, l)
			rec := system.NewRecorder(h)
			ctx := context.Background()
			p, err := PlanOnHost(ctx, rec, l, labOpts(1).Install)
			if err != nil {
				t.Fatal(err)
			}
			var seen []getopt.SeenArgv
			for _, j := range p.Jails {
				for _, s := range getopt.PlanArgv(j.Plan) {
					seen = append(seen, getopt.SeenArgv{Where: "jail " + j.Name + " " + s.Where, Argv: s.Argv})
				}
			}
			if filepath.Base(f) == "homelab.yaml" {
				// Applying the classroom's 26 jails would add time,
				// not commands: its plan above covers them.
				if res, err := Apply(ctx, rec, l, labOpts(2)); err != nil || len(res.Failed()) > 0 {
					t.Fatalf("apply: %v %+v", err, res)
				}
				if res, err := Destroy(ctx, rec, l, labOpts(1)); err != nil || len(res.Failed()) > 0 {
					t.Fatalf("destroy: %v %+v", err, res)
				}
			}
			for _, argv := range rec.Commands() {
				seen = append(seen, getopt.SeenArgv{Where: "ran", Argv: argv})
			}
			if len(seen) == 0 {
				t.Fatal("no argv collected")
			}
			t.Logf("checked %d argv", len(seen))
			for _, bad := range getopt.Nonconforming(seen) {
				t.Error(bad)
			}
		})
	}
}
