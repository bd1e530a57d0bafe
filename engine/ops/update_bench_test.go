package ops

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/system"
)

// labHost returns a fake host with n running dns jails (one installed,
// the others its copies under other names and addresses), each with
// bind920 pending an update.
func labHost(b testing.TB, n int) *fakehost.Host {
	b.Helper()
	h := installed(b, "dns dns0 192.0.2.53")
	writeFile(b, h, fakehost.PkgUpdates, "bind920\n")
	st, err := os.ReadFile(filepath.Join(h.Dir, "var/db/jailkit/dns0.json"))
	if err != nil {
		b.Fatal(err)
	}
	for i := 1; i < n; i++ {
		name, ip := fmt.Sprintf("dns%d", i), fmt.Sprintf("10.0.%d.%d", i/250, i%250+1)
		data := strings.NewReplacer(`"dns0"`, `"`+name+`"`, "containers/dns0", "containers/"+name, "dns0.conf", name+".conf", "backup/dns0", "backup/"+name, "192.0.2.53", ip).Replace(string(st))
		writeFile(b, h, "var/db/jailkit/"+name+".json", data)
		root := "usr/local/jails/containers/" + name
		writeFile(b, h, root+"/var/db/pkg/installed", "bind920\n")
		writeFile(b, h, root+"/usr/local/sbin/pkg", "fake pkg\n")
		if err := os.MkdirAll(filepath.Join(h.Dir, root, "var/cache/pkg"), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := h.AddJail(fakehost.Jail{Name: name, Path: "/" + root, IP4: []string{ip}, Running: []string{"named"}}); err != nil {
			b.Fatal(err)
		}
	}
	return h
}

// BenchmarkPlanUpdate plans the package update of every jail of a
// 250-jail lab: states, jls, each jail's pending packages, the record
// and post-check steps (a render of each jail's recipe); four steps a
// jail: record, upgrade, restart, post-check (a running jail's update
// does not mount the shared package cache).
func BenchmarkPlanUpdate(b *testing.B) {
	h := labHost(b, 250)
	ctx := context.Background()
	opts := testOpts(b)
	dry := system.NewDryRun(h)
	var steps int
	for b.Loop() {
		p, err := PlanUpdate(ctx, dry, nil, true, "u1", opts)
		if err != nil {
			b.Fatal(err)
		}
		steps = len(p.Steps)
	}
	if steps != 250*4 {
		b.Fatalf("%d steps, want %d", steps, 250*4)
	}
}
