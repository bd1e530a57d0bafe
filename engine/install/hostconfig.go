package install

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// sendmailOff are the host rc.conf settings that stop every sendmail
// daemon rc.sendmail would start.
var sendmailOff = []recipe.RCVar{
	{Name: "sendmail_enable", Value: "NONE"},
	{Name: "sendmail_submit_enable", Value: "NO"},
	{Name: "sendmail_outbound_enable", Value: "NO"},
	{Name: "sendmail_msp_queue_enable", Value: "NO"},
}

// sendmailRunning reports whether the host's sockets show sendmail.
func (p *planner) sendmailRunning() bool {
	for _, s := range p.facts.Sockets {
		if s.Command == "sendmail" {
			return true
		}
	}
	return false
}

// planHostConfig writes /etc/jail.conf.d/NAME.conf, the .include line,
// the devfs ruleset and the host's rc.conf settings.
func (p *planner) planHostConfig() {
	rs, devfsNew := p.devfsRuleset()
	p.st.DevfsRuleset = rs
	p.planJailConf(rs)
	p.planInclude()
	if devfsNew != "" {
		p.planDevfs(rs, devfsNew)
	}
	p.planRCConf()
	p.planBridgeNow()
	p.planSendmailStop()
	p.planModules()
}

// devfsRuleset returns the devfs ruleset the jail uses and, when the
// install adds it to /etc/devfs.rules, its block.
func (p *planner) devfsRuleset() (int, string) {
	switch {
	case len(p.v.Recipe.Host.DevfsUnhide) > 0 && (p.old == nil || p.old.DevfsRuleset == 4 || p.old.DevfsRuleset == 0):
		rs := p.freeRuleset()
		return rs, devfsBlock(p.v.Jail.Name, rs, p.v.Recipe.Host.DevfsUnhide, p.vnet != nil)
	case p.vnet != nil && p.old == nil:
		// devfsrules_jail_vnet: devfsrules_jail plus pf.
		return 5, ""
	}
	return p.st.DevfsRuleset, ""
}

// backup copies a host file into the jail's backup directory before the
// step after it edits the file. Backups go first so every later edit has
// one.
func (p *planner) backup(file string) {
	j := p.v.Jail
	if !p.backupDir {
		p.mkdir("create the backup directory", state.BackupDir(j.Name), 0o700, true, false)
		p.backupDir = true
	}
	target := state.BackupPath(j.Name, file)
	p.add(plan.Step{Name: "back up " + file, Action: plan.ActBackup, Path: file, Target: target,
		Undo: []plan.Step{{Action: plan.ActRemove, Path: target}}})
	if !slices.ContainsFunc(p.st.Resources, func(r state.Resource) bool { return r.Kind == state.ResBackup && r.Path == target }) {
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResBackup, Path: target})
	}
}

// planJailConf writes /etc/jail.conf.d/NAME.conf, or rewrites it when it
// differs; a running jail then restarts to take the new parameters.
func (p *planner) planJailConf(rs int) {
	j := p.v.Jail
	base := ""
	if p.st.Thin {
		base = p.thinBase()
	}
	conf := renderJailConf(jailConfInput{v: p.v, iface: j.Interface, devfsRuleset: rs, base: base, vnet: p.vnet, loopback: p.loopback, ports: p.st.Ports})
	confPath := state.JailConfPath(j.Name)
	p.mkdir("create "+state.JailConfDir, state.JailConfDir, 0o755, false, true)
	old, err := p.sys.ReadFile(confPath)
	switch {
	case err != nil:
		p.add(plan.Step{Name: "write " + confPath, Action: plan.ActWrite, Path: confPath, Mode: "0644",
			Content: plan.Content(conf), Undo: []plan.Step{{Action: plan.ActRemove, Path: confPath}}})
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResFile, Path: confPath})
	case !bytes.Equal(old, conf):
		undo := []plan.Step{{Action: plan.ActWrite, Path: confPath, Mode: "0644", Content: plan.Content(old)}}
		p.add(plan.Step{Name: "rewrite " + confPath, Action: plan.ActWrite, Path: confPath, Mode: "0644",
			Content: plan.Content(conf), Diff: plan.UnifiedDiff(confPath, old, conf), Undo: undo})
		if p.jailRunning {
			p.restarted = true
		}
	}
}

// planInclude puts the .include line in /etc/jail.conf: added, never
// rewritten.
func (p *planner) planInclude() {
	jc, err := p.sys.ReadFile("/etc/jail.conf")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		line := IncludeLine + "\n"
		p.add(plan.Step{Name: "create /etc/jail.conf with the .include line", Action: plan.ActWrite, Path: "/etc/jail.conf", Mode: "0644",
			Content: plan.Content([]byte(line)), Undo: []plan.Step{{Action: plan.ActRemove, Path: "/etc/jail.conf"}}})
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResLine, Path: "/etc/jail.conf", Text: line, Created: true, Shared: true})
	case err == nil && !HasInclude(jc):
		p.backup("/etc/jail.conf")
		line := IncludeLine + "\n"
		next := appendText(jc, line)
		p.add(plan.Step{Name: "add the .include line to /etc/jail.conf", Action: plan.ActWrite, Path: "/etc/jail.conf", Mode: "0644",
			Content: plan.Content(next), Diff: plan.UnifiedDiff("/etc/jail.conf", jc, next),
			Undo: []plan.Step{{Action: plan.ActWrite, Path: "/etc/jail.conf", Mode: "0644", Content: plan.Content(jc)}}})
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResLine, Path: "/etc/jail.conf", Text: line, Shared: true})
	}
}

// planDevfs appends the jail's ruleset block to /etc/devfs.rules and
// loads it.
func (p *planner) planDevfs(rs int, block string) {
	rules, err := p.sys.ReadFile("/etc/devfs.rules")
	existed := err == nil
	if existed {
		p.backup("/etc/devfs.rules")
	}
	next := appendText(rules, block)
	undo := []plan.Step{{Action: plan.ActRemove, Path: "/etc/devfs.rules"}}
	if existed {
		undo = []plan.Step{{Action: plan.ActWrite, Path: "/etc/devfs.rules", Mode: "0644", Content: plan.Content(rules)}}
	}
	undo = append(undo, plan.Step{Action: plan.ActRun, Argv: []string{"service", "devfs", "restart"}})
	s := plan.Step{Name: fmt.Sprintf("add devfs ruleset %d to /etc/devfs.rules", rs), Action: plan.ActWrite, Path: "/etc/devfs.rules",
		Mode: "0644", Content: plan.Content(next), Undo: undo}
	if existed {
		s.Diff = plan.UnifiedDiff("/etc/devfs.rules", rules, next)
	}
	p.add(s)
	p.add(plan.Step{Name: "load the devfs rules", Action: plan.ActRun, Argv: []string{"service", "devfs", "restart"}})
	p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResDevfs, Path: "/etc/devfs.rules", Text: block, Created: !existed})
}

// planRCConf sets jail_enable and what the recipe needs in the host's
// rc.conf, in one sysrc call, recording each value it replaces.
func (p *planner) planRCConf() {
	rcData, _ := p.sys.ReadFile("/etc/rc.conf")
	rc := freebsd.NewRCConf()
	rc.Parse("/etc/rc.conf", rcData)
	want, bridgeVars := p.rcWant(rc)
	var set, unset, restore []string
	for _, w := range want {
		cur, had := rc.Lookup(w.Name)
		if had && cur.Value == w.Value {
			continue
		}
		if had && strings.EqualFold(cur.Value, w.Value) {
			continue
		}
		set = append(set, w.Name+"="+w.Value)
		if had {
			restore = append(restore, w.Name+"="+cur.Value)
		} else {
			unset = append(unset, w.Name)
		}
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResRCVar, Path: "/etc/rc.conf", Name: w.Name, Value: w.Value,
			Old: cur.Value, HadOld: had, Shared: w.Name == "jail_enable" || slices.Contains(bridgeVars, w)})
	}
	if len(set) == 0 {
		return
	}
	if rcData != nil {
		p.backup("/etc/rc.conf")
	}
	var undo []plan.Step
	if len(unset) > 0 {
		undo = append(undo, plan.Step{Action: plan.ActRun, Argv: append([]string{"sysrc", "-x"}, unset...)})
	}
	if len(restore) > 0 {
		undo = append(undo, plan.Step{Action: plan.ActRun, Argv: append([]string{"sysrc"}, restore...)})
	}
	p.add(plan.Step{Name: "set " + strings.Join(set, " ") + " in the host's rc.conf", Action: plan.ActRun,
		Argv: append([]string{"sysrc"}, set...), Undo: undo})
}

// rcWant returns the host rc.conf values the jail needs, and which of them
// are the VNET bridge's (shared by every VNET jail).
func (p *planner) rcWant(rc *freebsd.RCConf) (want, bridgeVars []recipe.RCVar) {
	want = []recipe.RCVar{{Name: "jail_enable", Value: "YES"}}
	want = append(want, p.v.Recipe.Host.RCConf...)
	bridgeVars = p.bridgeVars(func(name string) (string, bool) {
		v, ok := rc.Lookup(name)
		return v.Value, ok
	})
	want = append(want, bridgeVars...)
	if p.v.Recipe.Host.SendmailOff {
		// A mail jail takes port 25 on its address; the host's sendmail
		// must be fully off. "NO" alone still runs the submit queue on
		// 127.0.0.1:25, so the four settings rc.sendmail reads are set.
		want = append(want, sendmailOff...)
	}
	return want, bridgeVars
}

// planSendmailStop stops the host's sendmail now for a recipe that needs
// it off; rc.conf keeps it off at boot.
func (p *planner) planSendmailStop() {
	if p.v.Recipe.Host.SendmailOff && p.sendmailRunning() {
		p.add(plan.Step{Name: "stop the host's sendmail", Action: plan.ActRun, Argv: []string{"service", "sendmail", "onestop"},
			Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"service", "sendmail", "onestart"}}}})
	}
}

// planModules loads the kernel modules the recipe needs that the host
// has not loaded.
func (p *planner) planModules() {
	for _, m := range p.v.Recipe.Host.KernelModules {
		if slices.Contains(p.facts.Modules, m) {
			continue
		}
		p.add(plan.Step{Name: "load kernel module " + m, Action: plan.ActRun, Argv: []string{"kldload", "-n", m},
			Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"kldunload", m}}}})
	}
}

// freeRuleset returns a devfs ruleset number no file uses: 10 or above,
// never 5 (devfsrules_jail_vnet) or anything below.
func (p *planner) freeRuleset() int {
	n := 9
	if p.facts.Devfs != nil {
		for _, s := range p.facts.Devfs.Sets {
			if s.Number > n {
				n = s.Number
			}
		}
	}
	return n + 1
}
