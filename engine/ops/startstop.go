package ops

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// StoppedKey marks, in a state file's Extra, a jail an admin stopped with
// jailkit stop: status then does not count it as down by accident. Start,
// restart and install clear it. (rc.d/jail still starts it at boot: it
// starts every jail of jail.conf.)
const StoppedKey = "stopped"

// PlanStart plans starting each selected jail that is not running, in
// start order (name servers first). jail(8) -c with the jail's own
// /etc/jail.conf.d file creates it and runs its exec.start, /etc/rc,
// which starts its enabled services (usr.sbin/jail/jail.c: -c with -f
// reads the named file; a jail that exists already fails with "already
// exists"). A post-check then looks for the recipe's listeners. Rolled
// back, the jail is removed again with -r.
func PlanStart(ctx context.Context, sys system.System, names []string, all bool, opts Options) (*plan.Plan, error) {
	return planPower(ctx, sys, "start", names, all, opts)
}

// PlanStop plans stopping each selected jail that runs, in the reverse
// of start order (name servers last): jail(8) -r runs exec.stop
// (/etc/rc.shutdown) and removes the jail. Rolled back, -c starts it
// again.
func PlanStop(ctx context.Context, sys system.System, names []string, all bool, opts Options) (*plan.Plan, error) {
	return planPower(ctx, sys, "stop", names, all, opts)
}

// PlanRestart plans restarting each selected jail: jail(8) -rc removes
// and creates a running jail again (for a jail that is not running, -rc
// fails with "not found", so a stopped one is started with -c instead).
// A restart has nothing to undo: the jail runs as before.
func PlanRestart(ctx context.Context, sys system.System, names []string, all bool, opts Options) (*plan.Plan, error) {
	return planPower(ctx, sys, "restart", names, all, opts)
}

// Start takes the lock, plans the start and applies it.
func Start(ctx context.Context, sys system.System, names []string, all bool, opts Options) (*plan.Plan, error) {
	if err := jlsWorks(ctx, sys); err != nil {
		return nil, err
	}
	return apply(ctx, sys, opts, func() (*plan.Plan, error) { return PlanStart(ctx, sys, names, all, opts) })
}

// Stop takes the lock, plans the stop and applies it.
func Stop(ctx context.Context, sys system.System, names []string, all bool, opts Options) (*plan.Plan, error) {
	if err := jlsWorks(ctx, sys); err != nil {
		return nil, err
	}
	return apply(ctx, sys, opts, func() (*plan.Plan, error) { return PlanStop(ctx, sys, names, all, opts) })
}

// Restart takes the lock, plans the restart and applies it.
func Restart(ctx context.Context, sys system.System, names []string, all bool, opts Options) (*plan.Plan, error) {
	if err := jlsWorks(ctx, sys); err != nil {
		return nil, err
	}
	return apply(ctx, sys, opts, func() (*plan.Plan, error) { return PlanRestart(ctx, sys, names, all, opts) })
}

// jlsWorks refuses to change anything when jls cannot tell which jails
// run: a stop would record "stopped" having stopped nothing, and a start
// would run jail -c on a running jail. A plan alone (--dry-run) may say
// so in a note instead.
func jlsWorks(ctx context.Context, sys system.System) error {
	if _, known, why := Running(ctx, sys); !known {
		return fmt.Errorf("jls could not run (%s): cannot tell which jails run, so nothing was changed", why)
	}
	return nil
}

// planPower plans start, stop or restart (verb) of the selected jails.
func planPower(ctx context.Context, sys system.System, verb string, names []string, all bool, opts Options) (*plan.Plan, error) {
	sts, err := Select(sys, opts.Recipes, names, all)
	if err != nil {
		return nil, err
	}
	if verb == "stop" {
		slices.Reverse(sts)
	}
	p := &plan.Plan{Command: verb, Jail: jailList(sts), Preflight: []plan.Finding{}}
	running, known, why := Running(ctx, sys)
	if !known {
		p.Notes = append(p.Notes, "jls could not run ("+why+"): every jail is taken as stopped")
	}
	for _, st := range sts {
		_, up := running[st.Name]
		switch {
		case verb == "stop" && up:
			stopJail(p, st)
		case verb != "stop" && !up:
			startJail(p, st)
			postCheck(p, sys, st, opts)
		case verb == "restart":
			conf := state.JailConfPath(st.Name)
			p.Steps = append(p.Steps, plan.Step{Name: "restart jail " + st.Name, Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-rc", st.Name}})
			postCheck(p, sys, st, opts)
		}
		if err := mark(p, sys, st, verb == "stop"); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// jailList names the selected jails for the plan's header.
func jailList(sts []*state.State) string {
	names := make([]string, len(sts))
	for i, st := range sts {
		names[i] = st.Name
	}
	return strings.Join(names, ", ")
}

func startJail(p *plan.Plan, st *state.State) {
	conf := state.JailConfPath(st.Name)
	p.Steps = append(p.Steps, plan.Step{Name: "start jail " + st.Name, Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-c", st.Name},
		Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-r", st.Name}}}})
}

func stopJail(p *plan.Plan, st *state.State) {
	conf := state.JailConfPath(st.Name)
	p.Steps = append(p.Steps, plan.Step{Name: "stop jail " + st.Name, Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-r", st.Name},
		Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"jail", "-f", conf, "-c", st.Name}}}})
}

// postCheck adds the install's post-check of the jail's listeners, or a
// note when the jail's recipe is not in the catalogue any more.
func postCheck(p *plan.Plan, sys system.System, st *state.State, opts Options) {
	r := lookup(opts.Recipes, st)
	if r == nil {
		p.Notes = append(p.Notes, "recipe "+st.Recipe+" of jail "+st.Name+" is not known here: its listeners are not checked")
		return
	}
	v, err := Values(st, r)
	if err != nil {
		p.Notes = append(p.Notes, err.Error()+": its listeners are not checked")
		return
	}
	if s, ok := install.PostCheck(v, st.VNet != nil, hostRelease(sys)); ok {
		s.Name = st.Name + ": " + s.Name
		p.Steps = append(p.Steps, s)
	}
}

// mark records in the jail's state file whether jailkit stop stopped it,
// when that changes.
func mark(p *plan.Plan, sys system.System, st *state.State, stopped bool) error {
	if (st.Extra[StoppedKey] != "") == stopped {
		return nil
	}
	what := "record in " + state.StatePath(st.Name) + " that jail " + st.Name + " was stopped by jailkit"
	if !stopped {
		what = "clear the stopped mark of jail " + st.Name + " in " + state.StatePath(st.Name)
	}
	return record(p, sys, st, what, func(extra map[string]string) {
		if stopped {
			extra[StoppedKey] = "by jailkit stop"
		} else {
			delete(extra, StoppedKey)
		}
	})
}
