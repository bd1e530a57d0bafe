package install

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"

	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
)

// newState starts the state this install records; a re-install keeps
// what the earlier one recorded (resources, thin or thick, the devfs
// ruleset) so uninstall still finds all of it.
func (p *planner) newState() *state.State {
	j := p.v.Jail
	st := &state.State{Format: 1, Name: j.Name, Recipe: p.v.Recipe.Name, RecipeVersion: p.v.Recipe.Version,
		JailkitVersion: p.opts.Version, Hostname: j.Hostname, IP4: nonNilStrings(j.IP4s), IP6: nonNilStrings(j.IP6s),
		Interface: j.Interface, Release: j.Release, Arch: j.Arch, Thin: !p.opts.Thick, Path: j.Path,
		Conf: state.JailConfPath(j.Name), Params: p.v.Params, DevfsRuleset: 4,
		Packages: nonNilStrings(p.v.Packages()), Services: nonNilStrings(p.v.Services()), VNet: p.vnet, Ports: p.opts.Ports}
	if j.Prefix4 != 32 {
		st.Prefix4 = j.Prefix4
	}
	if j.Prefix6 != 128 {
		st.Prefix6 = j.Prefix6
	}
	if p.old != nil {
		st.Thin = p.old.Thin
		st.Ports = st.Ports || p.old.Ports
		st.Resources = append(st.Resources, p.old.Resources...)
		st.DevfsRuleset = p.old.DevfsRuleset
		if p.old.JailkitVersion != "" && p.opts.Version == "" {
			st.JailkitVersion = p.old.JailkitVersion
		}
	}
	if st.Resources == nil {
		st.Resources = []state.Resource{}
	}
	return st
}

// nonNilStrings copies s, as [] when it is nil: the state file then
// reads the same whether a list was empty or never set.
func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string{}, s...)
}

// planState writes the state file when it differs from what is there.
func (p *planner) planState(files []render.File) error {
	for _, f := range files {
		rec := state.FileRecord{Path: f.Path, Dir: f.Dir, Mode: plan.ModeString(f.Mode), Owner: f.Owner, Group: f.Group}
		if !f.Dir {
			sum := sha256.Sum256(f.Content)
			rec.SHA256 = hex.EncodeToString(sum[:])
		}
		p.st.Files = append(p.st.Files, rec)
	}
	p.st.Sets = nonNilStrings(p.sets)
	data := p.st.Marshal()
	old, err := p.sys.ReadFile(state.StatePath(p.v.Jail.Name))
	if err == nil && bytes.Equal(old, data) {
		return nil
	}
	s := plan.Step{Name: "record the jail in " + state.StatePath(p.v.Jail.Name), Action: plan.ActWrite, Path: state.StatePath(p.v.Jail.Name), Mode: "0644",
		Content: plan.Content(data), Undo: []plan.Step{{Action: plan.ActRemove, Path: state.StatePath(p.v.Jail.Name)}}}
	if err == nil {
		s.Diff = plan.UnifiedDiff(state.StatePath(p.v.Jail.Name), old, data)
		s.Undo = []plan.Step{{Action: plan.ActWrite, Path: state.StatePath(p.v.Jail.Name), Mode: "0644", Content: plan.Content(old)}}
	} else if !p.exists(state.StateDir) {
		p.mkdir("create "+state.StateDir, state.StateDir, 0o700, false, true)
	}
	p.add(s)
	return nil
}
