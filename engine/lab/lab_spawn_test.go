package lab

import (
	"context"
	"slices"
	"testing"

	"github.com/jailkit/jailkit/engine/system"
)

// TestLabPlanningSpawnsOnce: before anything changes, the pre-flight and
// the plan of every jail read one unchanged host, so sockstat and the
// release MANIFEST run once for all of them, not once a jail; the first
// install then plans again on the host itself (it was 5 sockstat and 4
// fetch runs for this three-jail lab).
func TestLabPlanningSpawnsOnce(t *testing.T) {
	h := labFakeHost(t)
	l, err := labParse(t, applyLab)
	if err != nil {
		t.Fatal(err)
	}
	rec := system.NewRecorder(h)
	if _, err := Apply(context.Background(), rec, l, labOpts(1)); err != nil {
		t.Fatal(err)
	}
	var before []string
	for _, c := range rec.Calls() {
		if c.IsMutation() {
			break
		}
		if c.Op == "run" && !slices.Contains(c.Argv, "-j") {
			before = append(before, c.Argv[0])
		}
	}
	for _, cmd := range []string{"sockstat", "fetch"} {
		if n := len(slices.DeleteFunc(slices.Clone(before), func(s string) bool { return s != cmd })); n != 2 {
			t.Errorf("%s ran %d times before the first change, want twice: %q", cmd, n, before)
		}
	}
}
