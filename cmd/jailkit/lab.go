package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/lab"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// labCmd is "jailkit lab": it holds the values of its flags.
type labCmd struct {
	jobs          int
	force, dryRun bool
	bridge, from  string
	format        string
	fs            *flag.FlagSet // to tell which flags were given
}

// labVerbFlags lists the flags each lab verb reads; any other flag of the
// lab command given to it is refused rather than silently ignored.
var labVerbFlags = map[string][]string{
	"plan":    {"bridge", "format", "from"},
	"apply":   {"jobs", "bridge", "force", "dry-run", "format"},
	"destroy": {"dry-run", "format"},
}

func (*labCmd) about() about {
	return about{name: "lab", summary: "plan, apply or destroy a whole lab of jails from one file",
		usage: "lab plan FILE [--bridge BRIDGE] [--format text|json] [--from DIR]\n" +
			"lab apply FILE [--jobs N] [--bridge BRIDGE] [--force] [--dry-run] [--format text|json]\n" +
			"lab destroy FILE [--dry-run] [--format text|json]",
		positional: 2,
		help: `A lab file (YAML; lab.md in /usr/local/share/doc/jailkit describes it) holds one network and the jails on it:
name, recipe, address (or auto) and parameters, and count: N for a classroom of
NAME01..NAMEnn. jailkit wires the jails to each other: the dns jail's zone gets
an A and PTR record for every jail and an MX for the mail jail, dhcp hands out
the lab's DNS, router and domain, every jail resolves through the lab's DNS and
logs to the loghost.

  plan     check the whole lab and print, jail by jail in install order, the
           install command it amounts to and its install plan (every command
           as argv, every file with its content), as install --dry-run does.
           Changes nothing; works on any OS.
  apply    plan every jail first (the pre-flight of the whole lab: nothing
           changes if one is refused), then install the name servers, then
           the other jails, up to --jobs at a time, with progress per jail on
           stderr. A jail that fails is rolled back and the others are kept;
           when a name server fails the jails that need it are not tried.
           Running apply again changes only what differs. A jail taken out
           of the file is not removed: use jailkit uninstall NAME.
  destroy  uninstall the lab's jails in reverse order, name servers last.

Bad input (a duplicate name or address, an address outside the subnet, an
unknown recipe or parameter, a refused pre-flight) exits 2, naming the file,
line, jail and field, before anything changes. apply and destroy exit 1 when
a jail failed.

Flags:
  --jobs N     install up to N independent jails at once (default 1)
  --bridge B   in a VNET lab, the host bridge of the VNET jails' epairs
               (default bridge0, created with network.interface as a member
               when missing: that changes the host's networking)
  --force      install even when a pre-flight check fails
  --dry-run    apply, destroy: print the plan and change nothing
  --from DIR   plan: against a host jailkit collect wrote, on any OS
  --format F   text (default) or json`}
}

func (c *labCmd) flags(fs *flag.FlagSet) {
	c.fs = fs
	fs.StringVar(&c.format, "format", "text", "text or json")
	fs.IntVar(&c.jobs, "jobs", 1, "apply: install up to N independent jails at once")
	fs.StringVar(&c.bridge, "bridge", "", "the host bridge of VNET jails' epairs")
	fs.BoolVar(&c.force, "force", false, "apply: install even when a pre-flight check fails")
	fs.BoolVar(&c.dryRun, "dry-run", false, "apply, destroy: print the plan and change nothing")
	fs.StringVar(&c.from, "from", "", "plan: against a collected host")
}

func (c *labCmd) run(a *app, args []string) error {
	verb, file := args[0], args[1]
	if err := c.validate(verb); err != nil {
		return err
	}
	l, err := a.loadLab(file)
	if err != nil {
		return err
	}
	host, simulated, hostErr := a.openFrom(c.from)
	ctx := a.ctx
	opts := a.installOptions(c.bridge)
	opts.Force = c.force
	if simulated {
		opts.LockWait, opts.CheckTries = 2e9, 1
	}
	switch {
	case verb == "plan" || verb == "apply" && c.dryRun:
		// Only a FreeBSD host (or the simulated one of the tests) has
		// the facts an install plan is built from: its interfaces, jails,
		// listeners and release. Elsewhere the plan is what the lab
		// itself decides: each jail's install command and rendered files.
		if !simulated && runtime.GOOS != "freebsd" {
			return a.printOffHostPlan(l, c.format)
		}
		if hostErr != nil {
			return hostErr
		}
		p, err := lab.PlanOnHost(ctx, host, l, opts)
		if err != nil {
			return err
		}
		return a.printLabPlan(p, c.format)
	case hostErr != nil:
		return hostErr
	case verb == "destroy" && c.dryRun:
		return a.printDestroyPlan(ctx, host, l, c.format)
	}
	if !simulated && runtime.GOOS != "freebsd" {
		return notFreeBSD("lab " + verb)
	}
	return c.change(ctx, a, verb, l, host, opts)
}

// validate refuses a bad verb, --format or --jobs before the lab file is
// read, so bad usage is reported as such and not as a bad lab.
func (c *labCmd) validate(verb string) error {
	switch verb {
	case "plan", "apply", "destroy":
	default:
		return &usageError{msg: fmt.Sprintf("lab %q is not a lab command", verb), hint: "use jailkit lab plan|apply|destroy FILE"}
	}
	if err := c.refuseIgnored(verb); err != nil {
		return err
	}
	if err := validFormat(c.format); err != nil {
		return err
	}
	if c.jobs < 1 || c.jobs > 64 {
		return &inputerr.FieldError{Field: "--jobs", Problem: fmt.Sprintf("%d is not from 1 to 64", c.jobs), Hint: "give how many jails may install at once, such as --jobs 4"}
	}
	return nil
}

// refuseIgnored refuses a flag of the lab command that verb does not
// read, such as lab plan --jobs: the user meant something by it.
func (c *labCmd) refuseIgnored(verb string) error {
	if c.fs == nil {
		return nil
	}
	own := map[string]bool{}
	c.fs.VisitAll(func(f *flag.Flag) { own[f.Name] = true })
	var err error
	c.fs.Visit(func(f *flag.Flag) {
		if err == nil && own[f.Name] && labOnly(f.Name) && !slices.Contains(labVerbFlags[verb], f.Name) {
			err = &usageError{msg: fmt.Sprintf("lab %s does not take --%s", verb, f.Name),
				hint: fmt.Sprintf("lab %s takes %s; see jailkit help lab", verb, "--"+strings.Join(labVerbFlags[verb], ", --"))}
		}
	})
	return err
}

// labOnly says whether name is one of the lab command's own flags (not a
// global one such as --root).
func labOnly(name string) bool {
	for _, names := range labVerbFlags {
		if slices.Contains(names, name) {
			return true
		}
	}
	return false
}

// printOffHostPlan prints the plan of a lab on a host that is not FreeBSD.
func (a *app) printOffHostPlan(l *lab.Lab, format string) error {
	p, err := lab.PlanOffline(l)
	if err != nil {
		return err
	}
	p.Notes = append(p.Notes, fmt.Sprintf("this host runs %s, not FreeBSD: each jail shows its install command and the files it renders; on the FreeBSD host lab plan shows every step of each install", runtime.GOOS))
	return a.printLabPlan(p, format)
}

// change applies or destroys the lab (verb) on host. A jail that failed
// was already reported with the others, so it only sets the exit status.
func (c *labCmd) change(ctx context.Context, a *app, verb string, l *lab.Lab, host system.System, opts install.Options) error {
	lopts := lab.ApplyOptions{Install: opts, Jobs: c.jobs, OnEvent: a.labProgress(verb)}
	var res *lab.Result
	var err error
	if verb == "apply" {
		res, err = lab.Apply(ctx, host, l, lopts)
	} else {
		res, err = lab.Destroy(ctx, host, l, lopts)
	}
	if res == nil {
		return err
	}
	a.printLabResult(l, verb, res, c.format)
	a.summary("lab %s of %s, %d jails", verb, l.Source, len(res.Jails))
	var le *lab.Error
	if errors.As(err, &le) {
		return &exitError{code: exitFailure}
	}
	return err
}

// loadLab reads and checks a lab file against the catalogue; warnings go
// to stderr so a JSON plan on stdout stays clean.
func (a *app) loadLab(file string) (*lab.Lab, error) {
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		return nil, &usageError{msg: fmt.Sprintf("lab file %s does not exist", file), hint: "give the path of a lab file such as /usr/local/share/examples/jailkit/homelab.yaml"}
	}
	// A regular file of bounded size: a FIFO or a device named as the
	// lab file must not hang or flood jailkit.
	data, err := recipe.ReadRegularFile("lab file", file)
	if err != nil {
		return nil, err
	}
	c, err := a.catalog()
	if err != nil {
		return nil, err
	}
	l, err := lab.Parse(file, data, c)
	if err != nil {
		return nil, err
	}
	for _, w := range l.Warnings {
		fmt.Fprintf(a.stderr, "jailkit: %s %s\n", a.colors.warn("warning:"), w.Msg)
	}
	return l, nil
}

func (a *app) printLabPlan(p *lab.Plan, format string) error {
	if format == "json" {
		out, err := p.JSON()
		if err != nil {
			return err
		}
		return writeSchemaJSON(a.stdout, schemaLabPlan, out)
	}
	fmt.Fprint(a.stdout, p.Text())
	return nil
}

// printDestroyPlan shows what destroy would remove, jail by jail in the
// order it would go.
func (a *app) printDestroyPlan(ctx context.Context, host system.System, l *lab.Lab, format string) error {
	specs := l.Specs()
	var plans []*plan.Plan
	var absent []string
	for i := len(specs) - 1; i >= 0; i-- {
		name := specs[i].Jail.Name
		st, err := state.ReadState(host, name)
		if err != nil {
			return err
		}
		if st == nil {
			absent = append(absent, name)
			continue
		}
		p, err := install.PlanUninstall(ctx, system.NewDryRun(host), name)
		if err != nil {
			return err
		}
		plans = append(plans, p)
	}
	if format == "json" {
		out := struct {
			Schema string       `json:"schema"`
			Plans  []*plan.Plan `json:"plans"`
			Absent []string     `json:"absent"`
		}{Schema: schemaLabUndo, Plans: plans, Absent: absent}
		if out.Plans == nil {
			out.Plans = []*plan.Plan{}
		}
		if out.Absent == nil {
			out.Absent = []string{}
		}
		return writeJSON(a.stdout, out)
	}
	for _, p := range plans {
		fmt.Fprint(a.stdout, p.Text())
	}
	if len(absent) > 0 {
		fmt.Fprintf(a.stdout, "not installed, nothing to remove: %s\n", strings.Join(absent, ", "))
	}
	return nil
}

// labProgress prints one line per jail event on stderr: the jail's start,
// each step of its install and how it ended.
func (a *app) labProgress(verb string) func(lab.Event) {
	return func(e lab.Event) {
		prefix := fmt.Sprintf("jailkit: [%d/%d] %s", e.Index, e.Total, e.Jail)
		switch {
		case e.Status == lab.Failed:
			fmt.Fprintf(a.stderr, "%s: %s %v\n", prefix, a.colors.err("failed:"), e.Err)
		case e.Status != "":
			fmt.Fprintf(a.stderr, "%s: %s\n", prefix, a.colors.ok(e.Status))
		case e.StepName != "":
			fmt.Fprintf(a.stderr, "%s: step %d/%d %s\n", prefix, e.Step, e.Steps, e.StepName)
		default:
			fmt.Fprintf(a.stderr, "%s: %s\n", prefix, verb)
		}
	}
}

func (a *app) printLabResult(l *lab.Lab, verb string, res *lab.Result, format string) {
	if format == "json" {
		type jail struct {
			Name    string `json:"name"`
			Recipe  string `json:"recipe"`
			Status  string `json:"status"`
			Changes int    `json:"changes"`
			Error   string `json:"error,omitempty"`
		}
		out := struct {
			Schema string `json:"schema"`
			Lab    string `json:"lab"`
			Verb   string `json:"command"`
			Jails  []jail `json:"jails"`
		}{Schema: schemaLabRun, Lab: l.Name, Verb: verb, Jails: []jail{}}
		for _, j := range res.Jails {
			e := ""
			if j.Err != nil {
				e = j.Err.Error()
			}
			out.Jails = append(out.Jails, jail{j.Name, j.Recipe, j.Status, j.Changes, e})
		}
		_ = writeJSON(a.stdout, out)
		return
	}
	for _, j := range res.Jails {
		fmt.Fprintf(a.stdout, "%-10s %-16s %-6s %s\n", j.Status, j.Name, j.Recipe, changesText(j))
	}
	var parts []string
	for _, s := range []string{lab.Installed, lab.Updated, lab.Unchanged, lab.Removed, lab.Absent, lab.Failed, lab.Skipped} {
		if n := res.Count(s); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	name := l.Name
	if name == "" {
		name = l.Source
	}
	fmt.Fprintf(a.stdout, "lab %s: %s\n", name, strings.Join(parts, ", "))
	if failed := res.Failed(); len(failed) > 0 {
		fmt.Fprintf(a.stderr, "jailkit: %s %s of lab %s: %s; each was rolled back, the other jails are as listed\n",
			a.colors.err("error:"), verb, name, strings.Join(failed, ", ")+" failed")
	}
}

func changesText(j lab.JailResult) string {
	switch {
	case j.Err != nil:
		return j.Err.Error()
	case j.Changes > 0:
		return fmt.Sprintf("%d changes", j.Changes)
	}
	return ""
}
