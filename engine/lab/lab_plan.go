package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

// Plan is everything a lab will become, jail by jail in install
// order: the install each jail amounts to and every file it renders (or,
// from PlanOnHost, its whole install plan). It is data: building it
// changes nothing.
type Plan struct {
	Lab      string      `json:"lab"`
	Source   string      `json:"source"`
	Network  PlanNetwork `json:"network"`
	Warnings []string    `json:"warnings"`
	// Notes say what the plan cannot show or what apply will not do.
	Notes []string    `json:"notes,omitempty"`
	Jails []*JailPlan `json:"jails"`
}

// PlanNetwork is the lab's network as the plan shows it.
type PlanNetwork struct {
	Interface  string   `json:"interface"`
	Subnet     string   `json:"subnet"`
	Gateway    string   `json:"gateway"`
	Domain     string   `json:"domain"`
	Loghost    string   `json:"loghost,omitempty"`
	Forwarders []string `json:"forwarders,omitempty"`
	VNet       bool     `json:"vnet"`
}

// JailPlan is one jail of a Plan.
type JailPlan struct {
	Name     string `json:"name"`
	Recipe   string `json:"recipe"`
	Address  string `json:"address"`
	Hostname string `json:"hostname"`
	// Stage is 0 for the name servers, installed first, and 1 for the rest.
	Stage int `json:"stage"`
	// Group is the classroom entry an expanded jail comes from.
	Group string `json:"group,omitempty"`
	// Install is the "jailkit install" command line this jail amounts
	// to, as argv: running it by hand gives the same jail.
	Install []string `json:"install"`
	// RecipeSource is the file of a user's recipe, "" for a built-in.
	RecipeSource string `json:"recipe_source,omitempty"`
	// HostNeeds is what the recipe asks of the host, one line each, and
	// Grants the capabilities the lab file grants it.
	HostNeeds []string `json:"host_needs,omitempty"`
	Grants    []string `json:"grants,omitempty"`
	// Files are the jail's rendered directories and files, in order;
	// left out when Plan holds them.
	Files []File `json:"files,omitempty"`
	// Plan is the install plan against a host (PlanOnHost): every
	// command and file, as "jailkit install --dry-run" shows it.
	Plan *plan.Plan `json:"plan,omitempty"`

	// Values are the jail's validated values, for the install engine.
	Values *render.Values `json:"-"`
}

// File is one rendered file or directory, with its content as text so
// a JSON plan can be read and diffed.
type File struct {
	Path    string `json:"path"`
	Dir     bool   `json:"dir,omitempty"`
	Mode    string `json:"mode"`
	Owner   string `json:"owner"`
	Group   string `json:"group"`
	Content string `json:"content,omitempty"`
}

// PlanOffline validates every jail of the lab against its recipe and renders
// it. Jails render in parallel (rendering is pure), but the plan lists
// them in install order. Errors name the jail.
func PlanOffline(l *Lab) (*Plan, error) {
	specs := l.Specs()
	p := &Plan{Lab: l.Name, Source: l.Source, Warnings: []string{}, Jails: make([]*JailPlan, len(specs))}
	n := &l.Network
	p.Network = PlanNetwork{Interface: n.Interface, Subnet: n.Subnet.String(), Gateway: n.Gateway.String(),
		Domain: n.Domain, VNet: n.VNet}
	if n.Loghost.IsValid() {
		p.Network.Loghost = n.Loghost.String()
	}
	for _, f := range n.Forwarders {
		p.Network.Forwarders = append(p.Network.Forwarders, f.String())
	}
	for _, w := range l.Warnings {
		p.Warnings = append(p.Warnings, w.Msg)
	}
	if n.VNet {
		p.Notes = append(p.Notes, labVNetNote(n.Interface))
	}
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(specs)) {
		wg.Go(func() {
			for i := range next {
				p.Jails[i], errs[i] = planLabJail(l, specs[i])
			}
		})
	}
	for i := range specs {
		next <- i
	}
	close(next)
	wg.Wait()
	var list inputerr.ErrorList
	for _, e := range errs {
		if e != nil {
			list = append(list, e)
		}
	}
	if len(list) > 0 {
		return nil, list
	}
	return p, nil
}

func planLabJail(l *Lab, s Spec) (*JailPlan, error) {
	j := s.Jail
	fail := func(err error) error {
		return &inputerr.PosError{File: l.Source, Line: j.Line, Msg: fmt.Sprintf("jail %s: %s", j.Name, strings.ReplaceAll(err.Error(), "\n", "; "))}
	}
	v, err := render.NewValues(s.Recipe, s.Spec)
	if err != nil {
		return nil, fail(err)
	}
	files, err := render.Render(v)
	if err != nil {
		return nil, fail(err)
	}
	jp := &JailPlan{Name: j.Name, Recipe: s.Recipe.Name, Address: j.Addr.String(), Hostname: j.Hostname,
		Stage: s.Stage, Group: j.Group, Install: InstallArgv(s), Files: make([]File, len(files)), Values: v,
		HostNeeds: s.Recipe.HostNeeds(), Grants: j.Grants}
	if s.Recipe.User {
		jp.RecipeSource = s.Recipe.Source
	}
	for i, f := range files {
		jp.Files[i] = File{Path: f.Path, Dir: f.Dir, Mode: plan.ModeString(f.Mode), Owner: f.Owner, Group: f.Group, Content: string(f.Content)}
	}
	return jp, nil
}

// PlanOnHost is PlanOffline with, for every jail, the plan the install
// engine builds against the host sys, through a DryRun so nothing
// changes: the same plan "jailkit install --dry-run" prints for it. Each
// jail is planned against the host as it is now (so each shows the
// release media it would fetch); apply plans each jail again just before
// it installs it. Refusals (a pre-flight failure, an address in use) are
// collected for every jail and returned together as input errors.
func PlanOnHost(ctx context.Context, sys system.System, l *Lab, opts install.Options) (*Plan, error) {
	p, err := PlanOffline(l)
	if err != nil {
		return nil, err
	}
	specs := l.Specs()
	var errs inputerr.ErrorList
	for i, s := range specs {
		ip, err := install.PlanInstall(ctx, system.NewDryRun(sys), s.Recipe, s.Spec, s.installOpts(opts))
		if err != nil {
			if !errors.Is(err, inputerr.ErrInput) {
				return nil, fmt.Errorf("plan jail %s: %w", s.Jail.Name, err)
			}
			errs = append(errs, &inputerr.PosError{File: l.Source, Line: s.Jail.Line, Msg: fmt.Sprintf("jail %s: %s", s.Jail.Name, oneLineErr(err))})
			continue
		}
		p.Jails[i].Plan, p.Jails[i].Files = ip, nil
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}

// InstallArgv is the "jailkit install" command that makes the same jail
// as the lab does.
func InstallArgv(s Spec) []string {
	argv := []string{"jailkit", "install", s.Recipe.Name, "--name", s.Spec.Name, "--hostname", s.Spec.Hostname}
	for _, ip := range s.Spec.IPs {
		argv = append(argv, "--ip", ip)
	}
	if s.Spec.Interface != "" {
		argv = append(argv, "--interface", s.Spec.Interface)
	}
	if s.Spec.Release != "" {
		argv = append(argv, "--release", s.Spec.Release)
	}
	for _, set := range s.Spec.Sets {
		argv = append(argv, "--set", set)
	}
	if len(s.Spec.Grants) > 0 {
		argv = append(argv, "--grant", strings.Join(s.Spec.Grants, ","))
	}
	return argv
}

// JSON returns the plan as one indented JSON object.
func (p *Plan) JSON() ([]byte, error) {
	return json.MarshalIndent(p, "", "  ")
}

// Text renders the plan for people: the network, any warnings, then each
// jail in install order with its install command and every file with its
// full content.
func (p *Plan) Text() string {
	var b strings.Builder
	n := p.Network
	mode := "shared IP on " + n.Interface
	if n.VNet {
		mode = "VNET, bridged to " + n.Interface
	}
	name := p.Lab
	if name == "" {
		name = p.Source
	}
	fmt.Fprintf(&b, "lab %s: %s on %s (%s), gateway %s, domain %s\n", name, labCount(len(p.Jails)), n.Subnet, mode, n.Gateway, n.Domain)
	if n.Loghost != "" {
		fmt.Fprintf(&b, "  syslog of every jail goes to %s\n", n.Loghost)
	}
	if len(n.Forwarders) > 0 {
		fmt.Fprintf(&b, "  the lab's name server forwards to %s\n", strings.Join(n.Forwarders, ", "))
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	for _, note := range p.Notes {
		fmt.Fprintf(&b, "note: %s\n", note)
	}
	stage := -1
	for i, j := range p.Jails {
		if j.Stage != stage {
			stage = j.Stage
			switch stage {
			case StageNameServers:
				b.WriteString("\nstage 1: name servers, installed first (the other jails resolve through them)\n")
			default:
				b.WriteString("\nstage 2: services, installed once the name servers answer\n")
			}
		}
		fmt.Fprintf(&b, "\n[%d/%d] jail %s (%s) %s %s\n", i+1, len(p.Jails), j.Name, j.Recipe, j.Address, j.Hostname)
		fmt.Fprintf(&b, "  same as: %s\n", plan.QuoteArgv(j.Install))
		if j.Plan != nil {
			// The install plan starts with the recipe's source and
			// host needs itself.
			for _, line := range strings.SplitAfter(strings.TrimSuffix(j.Plan.Text(), "\n"), "\n") {
				b.WriteString("  ")
				b.WriteString(line)
			}
			b.WriteString("\n")
			continue
		}
		writeHostNeeds(&b, j)
		for _, f := range j.Files {
			if f.Dir {
				fmt.Fprintf(&b, "  mkdir %s %s:%s %s\n", f.Mode, f.Owner, f.Group, f.Path)
				continue
			}
			fmt.Fprintf(&b, "  write %s %s:%s %s\n", f.Mode, f.Owner, f.Group, f.Path)
			for _, line := range strings.SplitAfter(strings.TrimSuffix(plan.Printable(f.Content), "\n"), "\n") {
				b.WriteString("    | ")
				b.WriteString(line)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// labCount formats "N jails".
func labCount(n int) string {
	if n == 1 {
		return "1 jail"
	}
	return strconv.Itoa(n) + " jails"
}

// labVNetNote says what network.vnet does to the lab's jails.
func labVNetNote(uplink string) string {
	return "network.vnet: the jails whose recipe offers VNET (dhcp) get their own network stack on an epair whose host side joins the bridge (lab apply --bridge, default bridge0, created with " +
		uplink + " as a member when the host has none: that changes the host's networking); the other jails stay shared-IP jails on " + uplink
}

// writeHostNeeds writes where a jail's recipe comes from when it is a
// user's, and what it asks of the host.
func writeHostNeeds(b *strings.Builder, j *JailPlan) {
	if j.RecipeSource != "" {
		fmt.Fprintf(b, "  recipe from %s (a user recipe)\n", j.RecipeSource)
	}
	if len(j.HostNeeds) > 0 {
		b.WriteString("  the recipe asks of the host:\n")
		for _, h := range j.HostNeeds {
			fmt.Fprintf(b, "    %s\n", h)
		}
	}
	if len(j.Grants) > 0 {
		fmt.Fprintf(b, "  granted: %s\n", strings.Join(j.Grants, ", "))
	}
}
