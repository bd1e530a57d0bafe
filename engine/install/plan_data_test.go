package install

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/system"
)

// TestPlanIsData: a plan read back from its JSON applies exactly like the
// plan in memory, post-check included, so a reviewed JSON plan is all
// Apply needs. Changing the post-check's data in the JSON changes what
// Apply checks.
func TestPlanIsData(t *testing.T) {
	ctx := context.Background()
	decoded := func(t *testing.T, h *fakehost.Host, edit func(string) string) *plan.Plan {
		t.Helper()
		p, err := PlanInstall(ctx, system.NewDryRun(h), dnsRecipe(t), dnsSpec(), testOpts())
		if err != nil {
			t.Fatal(err)
		}
		data, err := p.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var q plan.Plan
		if err := json.Unmarshal([]byte(edit(string(data))), &q); err != nil {
			t.Fatal(err)
		}
		return &q
	}
	t.Run("as planned", func(t *testing.T) {
		h := newFakeHost(t)
		q := decoded(t, h, func(s string) string { return s })
		var check *plan.Step
		for i := range q.Steps {
			if q.Steps[i].Action == plan.ActCheck {
				check = &q.Steps[i]
			}
		}
		if check == nil || check.Expect == nil || len(check.Expect.Ports) != 2 || strings.Join(check.Expect.Addrs, ",") != "192.0.2.53" {
			t.Fatalf("the post-check lost its data in JSON: %+v", check)
		}
		if err := plan.Apply(ctx, h, q, plan.ApplyOptions{CheckTries: 1}); err != nil {
			t.Fatalf("apply the decoded plan: %v", err)
		}
		if out := fakehost.MustRun(t, h, "sockstat", "-46l", "-j", "dns"); !strings.Contains(out, "192.0.2.53:53") {
			t.Fatalf("named does not listen on the jail's address:\n%s", out)
		}
	})
	t.Run("a port the jail does not serve", func(t *testing.T) {
		h := newFakeHost(t)
		before := snapshot(t, h)
		q := decoded(t, h, func(s string) string {
			return strings.Replace(s, `"port": 53`, `"port": 5353`, 1)
		})
		err := plan.Apply(ctx, h, q, plan.ApplyOptions{CheckTries: 1})
		if err == nil || !strings.Contains(err.Error(), "nothing listens on 192.0.2.53 port udp/5353") {
			t.Fatalf("want the post-check to fail on udp/5353, got %v", err)
		}
		if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
			t.Errorf("the failed apply was not rolled back (-before +after):\n%s", diff)
		}
	})
}
