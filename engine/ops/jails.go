package ops

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// Options tune a day-two operation.
type Options struct {
	// Recipes finds a jail's recipe by the name its state file records
	// (the catalogue the CLI loaded, user recipe directories included).
	Recipes *recipe.Catalog
	// LockWait is how long to wait for another run's lock; 10s when 0.
	LockWait time.Duration
	// CheckTries and CheckDelay bound the post-check's wait for a
	// service to bind; 5 tries a second apart when 0.
	CheckTries int
	CheckDelay time.Duration
	// OnStep is passed to Apply.
	OnStep func(i, total int, s *plan.Step)
}

func (o *Options) defaults() {
	if o.LockWait == 0 {
		o.LockWait = 10 * time.Second
	}
	if o.CheckTries == 0 {
		o.CheckTries = 5
	}
	if o.CheckDelay == 0 {
		o.CheckDelay = time.Second
	}
}

// Select reads the state of each jail of names, or of every jail jailkit
// manages when all is set, and returns them in start order: the name
// servers first (recipes with the dns role, which a lab also installs
// first, so the others resolve through them), then the rest in the order
// given (by name with all). A name jailkit does not manage is bad input.
func Select(sys system.System, cat *recipe.Catalog, names []string, all bool) ([]*state.State, error) {
	if all == (len(names) > 0) {
		return nil, &inputerr.FieldError{Field: "NAME", Problem: "give jail names or --all, not both and not neither",
			Hint: "see the jails jailkit manages with: jailkit list"}
	}
	var sts []*state.State
	if all {
		var err error
		if sts, err = state.ListStates(sys); err != nil {
			return nil, err
		}
	}
	for _, n := range names {
		st, err := readState(sys, n)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(sts, func(s *state.State) bool { return s.Name == n }) {
			sts = append(sts, st)
		}
	}
	for _, st := range sts {
		if err := st.Validate(); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(sts, func(a, b *state.State) int { return stage(cat, a) - stage(cat, b) })
	return sts, nil
}

// readState reads the state of jail name, which must be a jail jailkit
// manages.
func readState(sys system.System, name string) (*state.State, error) {
	if err := recipe.ValidJailName(name); err != nil {
		return nil, &inputerr.FieldError{Field: "NAME", Problem: err.Error(), Hint: "give the name of a jail from jailkit list"}
	}
	st, err := state.ReadState(sys, name)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, &inputerr.FieldError{Field: "NAME", Problem: fmt.Sprintf("jailkit manages no jail named %s", name),
			Hint: "see the jails jailkit manages with: jailkit list"}
	}
	return st, nil
}

// stage is 0 for a name server and 1 for every other jail.
func stage(cat *recipe.Catalog, st *state.State) int {
	if r := lookup(cat, st); r != nil && r.Roles.DNS != nil {
		return 0
	}
	return 1
}

// lookup returns the jail's recipe, nil when the catalogue no longer has
// it (a user recipe directory that is gone).
func lookup(cat *recipe.Catalog, st *state.State) *recipe.Recipe {
	if cat == nil {
		return nil
	}
	r, err := cat.Get(st.Recipe)
	if err != nil {
		return nil
	}
	return r
}

// Values rebuilds the values a jail was installed with from its state:
// the same name, addresses (the first of each family with its recorded
// prefix length), release and --set values. Install fills some lists the
// user left empty (resolvers from the host's resolv.conf, a VNET jail's
// interfaces with its epair), so a recorded list stands in for an empty
// one.
func Values(st *state.State, r *recipe.Recipe) (*render.Values, error) {
	ips := append(append([]string{}, st.IP4...), st.IP6...)
	if len(st.IP4) > 0 && st.Prefix4 > 0 {
		ips[0] = fmt.Sprintf("%s/%d", ips[0], st.Prefix4)
	}
	if len(st.IP6) > 0 && st.Prefix6 > 0 {
		ips[len(st.IP4)] = fmt.Sprintf("%s/%d", ips[len(st.IP4)], st.Prefix6)
	}
	spec := render.JailSpec{Name: st.Name, Hostname: st.Hostname, IPs: ips,
		Interface: st.Interface, Release: st.Release, Arch: st.Arch, JailsDir: path.Dir(path.Dir(st.Path)), Sets: st.Sets}
	v, err := render.NewValues(r, spec)
	if err != nil {
		return nil, fmt.Errorf("the recorded values of jail %s no longer fit recipe %s: %w", st.Name, r.Name, err)
	}
	for k, val := range v.Params {
		if cur, ok := val.([]any); ok && len(cur) == 0 {
			if rec, ok := st.Params[k].([]any); ok && len(rec) > 0 {
				v.Params[k] = rec
			}
		}
	}
	return v, nil
}

// Running returns the running jails by name, from jls; known is false
// when jls could not run (why says what happened).
func Running(ctx context.Context, sys system.System) (jails map[string]freebsd.Jail, known bool, why string) {
	src := &hostcheck.LiveSource{Sys: sys}
	out, err := src.Output(ctx, "jls-json")
	if err != nil {
		return nil, false, err.Error()
	}
	js, err := freebsd.ParseJlsJSON(out)
	if err != nil {
		return nil, false, err.Error()
	}
	jails = map[string]freebsd.Jail{}
	for _, j := range js {
		jails[j.Name] = j
	}
	return jails, true, ""
}

// hostRelease is the host's kern.osrelease, "" when it cannot be read:
// the post-check's sockstat argv depends on the release's output format.
func hostRelease(sys system.System) string {
	r, err := sys.Sysctl("kern.osrelease")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(r)
}

// apply takes the host lock, plans with planFn and applies the plan. The
// plan is returned even when applying it failed, for the report.
func apply(ctx context.Context, sys system.System, opts Options, planFn func() (*plan.Plan, error)) (*plan.Plan, error) {
	opts.defaults()
	unlock, err := plan.Lock(ctx, sys, opts.LockWait)
	if err != nil {
		return nil, err
	}
	defer unlock()
	p, err := planFn()
	if err != nil {
		return nil, err
	}
	return p, plan.Apply(ctx, sys, p, plan.ApplyOptions{CheckTries: opts.CheckTries, CheckDelay: opts.CheckDelay, OnStep: opts.OnStep})
}
