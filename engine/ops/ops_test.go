package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

func catalog(t testing.TB) *recipe.Catalog {
	t.Helper()
	c, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testOpts(t testing.TB) Options {
	return Options{Recipes: catalog(t), LockWait: 5 * time.Second, CheckTries: 1}
}

// installed returns a fake host with the jails of specs installed, each
// "RECIPE NAME IP".
func installed(t testing.TB, specs ...string) *fakehost.Host {
	t.Helper()
	h, err := fakehost.New(t.TempDir(), fakehost.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog(t)
	for _, s := range specs {
		f := strings.Fields(s)
		r, err := cat.Get(f[0])
		if err != nil {
			t.Fatal(err)
		}
		spec := render.JailSpec{Name: f[1], IPs: []string{f[2]}}
		if _, err := install.Install(context.Background(), h, r, spec, install.Options{LockWait: 5 * time.Second, CheckTries: 1, Version: "test"}); err != nil {
			t.Fatalf("install %s: %v", s, err)
		}
	}
	return h
}

// snapshot returns the fake host's files and state. A jail that rollback
// starts again gets a new JID, as on FreeBSD (kern_jail.c hands out the
// next free one), which also reorders the fake host's list of jails: the
// jails are compared by name, JIDs left out.
func snapshot(t testing.TB, h *fakehost.Host) map[string]string {
	t.Helper()
	s, err := h.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	st, err := h.State()
	if err != nil {
		t.Fatal(err)
	}
	for i := range st.Jails {
		st.Jails[i].JID = 0
	}
	slices.SortFunc(st.Jails, func(a, b fakehost.Jail) int { return strings.Compare(a.Name, b.Name) })
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	s[".fakehost/state.json"] = string(data)
	// A package a rolled-back update fetched stays in the shared cache,
	// as pkg leaves what it fetched when an install fails: a cache entry
	// pkg checks against the catalogue again before any use
	// (pkgcache.Mount). Everything else must be as it was.
	for k := range s {
		if strings.HasPrefix(k, "usr/local/jails/pkgcache/") && strings.HasSuffix(k, ".pkg") {
			delete(s, k)
		}
	}
	return s
}

func run(t testing.TB, h system.System, argv ...string) string {
	return fakehost.MustRun(t, h, argv...)
}

// services returns the services running in each jail, as the fake host
// keeps them: "dns:named www:apache24".
func services(t testing.TB, h *fakehost.Host) string {
	t.Helper()
	st, err := h.State()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, j := range st.Jails {
		out = append(out, j.Name+":"+strings.Join(j.Running, ","))
	}
	return strings.Join(out, " ")
}

type opFunc func(ctx context.Context, sys system.System, names []string, all bool, opts Options) (*plan.Plan, error)

// faultEveryMutation runs op once on a host setup makes to count its
// mutations, then on a fresh host each fails the nth one and requires a
// StepError with a complete rollback: the host as it was, JIDs aside.
func faultEveryMutation(t *testing.T, setup func(t testing.TB) *fakehost.Host, op opFunc, names []string, all bool) {
	t.Helper()
	ctx := context.Background()
	probe := setup(t)
	fault, count := fakehost.FailNth(-1)
	probe.Fault = fault
	p, err := op(ctx, probe, names, all, testOpts(t))
	if err != nil {
		t.Fatal(err)
	}
	total := count()
	if total == 0 || p.Changes() == 0 {
		t.Fatalf("the operation changed nothing:\n%s", p.Text())
	}
	for n := 1; n <= total; n++ {
		t.Run(fmt.Sprint("mutation ", n), func(t *testing.T) {
			t.Parallel()
			h := setup(t)
			before := snapshot(t, h)
			h.Fault, _ = fakehost.FailNth(n)
			_, err := op(ctx, h, names, all, testOpts(t))
			var se *plan.StepError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), "injected failure") {
				t.Fatalf("want a StepError naming the injected failure, got %v", err)
			}
			if len(se.NotUndone) > 0 {
				t.Errorf("rollback left %v", se.NotUndone)
			}
			h.Fault = nil
			if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
				t.Errorf("step %q: the host changed (-before +after):\n%s", se.Step, diff)
			}
		})
	}
}

func TestSelectBadInput(t *testing.T) {
	h := installed(t)
	for _, tc := range []struct {
		name  string
		names []string
		all   bool
		want  string
	}{
		{"neither", nil, false, "give jail names or --all"},
		{"both", []string{"dns"}, true, "give jail names or --all"},
		{"unknown", []string{"dns"}, false, "jailkit manages no jail named dns"},
		{"bad name", []string{"-rf"}, false, "NAME"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PlanStart(context.Background(), h, tc.names, tc.all, testOpts(t))
			if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want bad input saying %q, got %v", tc.want, err)
			}
		})
	}
}

// TestForgedStateRefused: the name inside a state file becomes argv
// (jail -c NAME) and paths. A forged file whose name is "-fX" would make
// jail(8) read ./X as its jail.conf and run its exec.prestart as root;
// one naming another jail would make stop act on that jail.
func TestForgedStateRefused(t *testing.T) {
	for _, forged := range []string{"-fX", "dns"} {
		t.Run(forged, func(t *testing.T) {
			h := installed(t, "dns dns 192.0.2.53")
			data, err := h.ReadFile("/var/db/jailkit/dns.json")
			if err != nil {
				t.Fatal(err)
			}
			bad := strings.ReplaceAll(string(data), `"name": "dns"`, `"name": "`+forged+`"`)
			bad = strings.ReplaceAll(bad, "/containers/dns", "/containers/"+forged)
			if err := h.WriteFile("/var/db/jailkit/ns1.json", []byte(bad), 0o644); err != nil {
				t.Fatal(err)
			}
			rec := system.NewRecorder(h)
			for name, run := range map[string]func() error{
				"start": func() error {
					_, err := Start(context.Background(), rec, []string{"ns1"}, false, testOpts(t))
					return err
				},
				"stop": func() error {
					_, err := Stop(context.Background(), rec, []string{"ns1"}, false, testOpts(t))
					return err
				},
				"console":  func() error { _, err := Console(context.Background(), rec, "ns1"); return err },
				"snapshot": func() error { _, err := Snapshot(context.Background(), rec, "ns1", "x", testOpts(t)); return err },
			} {
				if err := run(); err == nil {
					t.Errorf("%s worked from a state file naming %q", name, forged)
				}
			}
			for _, c := range rec.Mutations() {
				t.Errorf("a forged state file changed the host: %v", c)
			}
		})
	}
}

// jlsFails is a host whose jls cannot run.
type jlsFails struct{ system.System }

func (j jlsFails) Run(ctx context.Context, cmd system.Cmd) ([]byte, error) {
	if cmd.Argv[0] == "jls" {
		return nil, errors.New("jls: not found")
	}
	return j.System.Run(ctx, cmd)
}

// TestPowerNeedsJls: without jls, stop would record a stop it never made
// and start would jail -c a running jail; both refuse and change nothing.
func TestPowerNeedsJls(t *testing.T) {
	h := installed(t, "dns dns 192.0.2.53")
	before := snapshot(t, h)
	rec := system.NewRecorder(jlsFails{h})
	for _, run := range []func(context.Context, system.System, []string, bool, Options) (*plan.Plan, error){Start, Stop, Restart} {
		if _, err := run(context.Background(), rec, []string{"dns"}, false, testOpts(t)); err == nil || !strings.Contains(err.Error(), "jls could not run") {
			t.Errorf("err = %v, want a refusal naming jls", err)
		}
	}
	if m := rec.Mutations(); len(m) != 0 {
		t.Errorf("changed the host: %v", m)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("host changed:\n%s", diff)
	}
}
