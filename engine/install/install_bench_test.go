package install

import (
	"context"
	"slices"
	"testing"

	"github.com/jailkit/jailkit/engine/system"
)

// BenchmarkPlanDNS measures planning the dns install on a fresh fake host:
// gathering the facts, the pre-flight checks, rendering and the steps.
func BenchmarkPlanDNS(b *testing.B) {
	ctx := context.Background()
	h := newFakeHost(b)
	r := dnsRecipe(b)
	sys := system.NewDryRun(h)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := PlanInstall(ctx, sys, r, dnsSpec(), testOpts()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInstallDNSCommands runs a full dns install on a fake host and
// reports how many commands it spawns (fewer is better: sysrc values are
// batched, pkg installs every package in one call), in total and those
// that change the host.
func BenchmarkInstallDNSCommands(b *testing.B) {
	ctx := context.Background()
	r := dnsRecipe(b)
	var total, mutating int
	for b.Loop() {
		b.StopTimer()
		h := newFakeHost(b)
		rec := system.NewRecorder(h)
		b.StartTimer()
		if _, err := Install(ctx, rec, r, dnsSpec(), testOpts()); err != nil {
			b.Fatal(err)
		}
		total, mutating = 0, 0
		for _, c := range rec.Calls() {
			if c.Op == "run" {
				total++
				if c.Mutates {
					mutating++
				}
			}
		}
	}
	b.ReportMetric(float64(total), "commands/install")
	b.ReportMetric(float64(mutating), "mutating-commands/install")
}

// TestInstallCommandCount pins the number of commands a dns install
// spawns, so a change that adds spawns is seen.
func TestInstallCommandCount(t *testing.T) {
	h := newFakeHost(t)
	rec := system.NewRecorder(h)
	if _, err := Install(context.Background(), rec, dnsRecipe(t), dnsSpec(), testOpts()); err != nil {
		t.Fatal(err)
	}
	var mutating []string
	sysrc, pkg := 0, 0
	for _, c := range rec.Calls() {
		if c.Op == "run" && c.Mutates {
			mutating = append(mutating, c.String())
			switch c.Argv[0] {
			case "sysrc":
				sysrc++
			case "jexec":
				if slices.Contains(c.Argv, "install") {
					pkg++
				}
			}
		}
	}
	if sysrc != 1 || pkg != 1 {
		t.Errorf("want one sysrc and one pkg install call, got %d and %d", sysrc, pkg)
	}
	// 9, and the shared package cache's scrub, mount and unmount.
	if len(mutating) != 12 {
		t.Errorf("a dns install runs %d mutating commands, want 12:\n%v", len(mutating), mutating)
	}
}
