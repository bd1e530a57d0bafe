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
	"github.com/jailkit/jailkit/hostcheck"
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
	j := p.v.Jail
	rs := p.st.DevfsRuleset
	var devfsNew string
	switch {
	case len(p.v.Recipe.Host.DevfsUnhide) > 0 && (p.old == nil || p.old.DevfsRuleset == 4 || p.old.DevfsRuleset == 0):
		rs = p.freeRuleset()
		devfsNew = devfsBlock(j.Name, rs, p.v.Recipe.Host.DevfsUnhide, p.vnet != nil)
	case p.vnet != nil && p.old == nil:
		// devfsrules_jail_vnet: devfsrules_jail plus pf.
		rs = 5
	}
	p.st.DevfsRuleset = rs
	base := ""
	if p.st.Thin {
		base = BaseDir(p.opts.JailsDir, j.Release, j.Arch)
	}
	conf := renderJailConf(jailConfInput{v: p.v, iface: j.Interface, devfsRuleset: rs, base: base, vnet: p.vnet})

	// Backups go first so every later edit has one.
	backup := func(file string) {
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

	confDirMade := p.mkdir("create "+state.JailConfDir, state.JailConfDir, 0o755, false, true)
	_ = confDirMade
	old, err := p.sys.ReadFile(state.JailConfPath(j.Name))
	switch {
	case err != nil:
		p.add(plan.Step{Name: "write " + state.JailConfPath(j.Name), Action: plan.ActWrite, Path: state.JailConfPath(j.Name), Mode: "0644",
			Content: plan.Content(conf), Undo: []plan.Step{{Action: plan.ActRemove, Path: state.JailConfPath(j.Name)}}})
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResFile, Path: state.JailConfPath(j.Name)})
	case !bytes.Equal(old, conf):
		undo := []plan.Step{{Action: plan.ActWrite, Path: state.JailConfPath(j.Name), Mode: "0644", Content: plan.Content(old)}}
		p.add(plan.Step{Name: "rewrite " + state.JailConfPath(j.Name), Action: plan.ActWrite, Path: state.JailConfPath(j.Name), Mode: "0644",
			Content: plan.Content(conf), Diff: plan.UnifiedDiff(state.JailConfPath(j.Name), old, conf), Undo: undo})
		if p.jailRunning {
			p.restarted = true
		}
	}

	// The .include line in /etc/jail.conf: added, never rewritten.
	jc, err := p.sys.ReadFile("/etc/jail.conf")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		line := IncludeLine + "\n"
		p.add(plan.Step{Name: "create /etc/jail.conf with the .include line", Action: plan.ActWrite, Path: "/etc/jail.conf", Mode: "0644",
			Content: plan.Content([]byte(line)), Undo: []plan.Step{{Action: plan.ActRemove, Path: "/etc/jail.conf"}}})
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResLine, Path: "/etc/jail.conf", Text: line, Created: true, Shared: true})
	case err == nil && !HasInclude(jc):
		backup("/etc/jail.conf")
		line := IncludeLine + "\n"
		next := appendText(jc, line)
		p.add(plan.Step{Name: "add the .include line to /etc/jail.conf", Action: plan.ActWrite, Path: "/etc/jail.conf", Mode: "0644",
			Content: plan.Content(next), Diff: plan.UnifiedDiff("/etc/jail.conf", jc, next),
			Undo: []plan.Step{{Action: plan.ActWrite, Path: "/etc/jail.conf", Mode: "0644", Content: plan.Content(jc)}}})
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResLine, Path: "/etc/jail.conf", Text: line, Shared: true})
	}

	if devfsNew != "" {
		rules, err := p.sys.ReadFile("/etc/devfs.rules")
		existed := err == nil
		if existed {
			backup("/etc/devfs.rules")
		}
		next := appendText(rules, devfsNew)
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
		p.st.Resources = append(p.st.Resources, state.Resource{Kind: state.ResDevfs, Path: "/etc/devfs.rules", Text: devfsNew, Created: !existed})
	}

	// rc.conf on the host: jail_enable and what the recipe needs, in one
	// sysrc call.
	rcData, _ := p.sys.ReadFile("/etc/rc.conf")
	rc := hostcheck.NewRCConf()
	rc.Parse("/etc/rc.conf", rcData)
	want := []recipe.RCVar{{Name: "jail_enable", Value: "YES"}}
	want = append(want, p.v.Recipe.Host.RCConf...)
	bridgeVars := p.bridgeVars(func(name string) (string, bool) {
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
	if len(set) > 0 {
		if rcData != nil {
			backup("/etc/rc.conf")
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
	p.planBridgeNow()
	if p.v.Recipe.Host.SendmailOff && p.sendmailRunning() {
		p.add(plan.Step{Name: "stop the host's sendmail", Action: plan.ActRun, Argv: []string{"service", "sendmail", "onestop"},
			Undo: []plan.Step{{Action: plan.ActRun, Argv: []string{"service", "sendmail", "onestart"}}}})
	}
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
