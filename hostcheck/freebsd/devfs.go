package freebsd

// Format source: sbin/devfs/rule.c in the FreeBSD source tree reads the
// rules ("add include", "add path PATTERN hide"), libexec/rc/rc.subr
// (devfs_rulesets_from_file) reads the [name=number] sections, and
// sbin/devfs/devfs.rules is the file installed as
// /etc/defaults/devfs.rules.

import (
	"bufio"
	"bytes"
	"path"
	"strconv"
	"strings"
)

// DevfsRule is one "add ..." line of a devfs.rules ruleset.
type DevfsRule struct {
	// Include names another ruleset ("devfsrules_jail", without the $)
	// or gives its number.
	Include string
	// Path is the pattern of "path PATTERN"; empty means every node.
	Path string
	// Action is "hide", "unhide" or another devfs(8) action (user, group,
	// mode); "" for an include.
	Action string
}

// DevfsRuleset is one [name=number] section.
type DevfsRuleset struct {
	Name   string
	Number int
	Rules  []DevfsRule
	File   string
	Line   int
}

// DevfsRules is every ruleset found, defaults first.
type DevfsRules struct {
	Sets []*DevfsRuleset
}

// Parse adds the rulesets of one devfs.rules file. A later
// section with the same name replaces the earlier one, as devfs(8)'s rc
// script does when it loads /etc/defaults/devfs.rules and then
// /etc/devfs.rules.
func (d *DevfsRules) Parse(file string, data []byte) {
	var cur *DevfsRuleset
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if line[0] == '[' {
			cur = parseRulesetHeader(line, file, n)
			if cur != nil {
				d.replace(cur)
			}
			continue
		}
		if cur == nil {
			continue
		}
		if r, ok := parseDevfsRule(line); ok {
			cur.Rules = append(cur.Rules, r)
		}
	}
}

// parseRulesetHeader reads "[name=number]"; it returns nil for a header
// it cannot read, whose rules are then skipped.
func parseRulesetHeader(line, file string, n int) *DevfsRuleset {
	end := strings.IndexByte(line, ']')
	if end < 0 {
		return nil
	}
	name, num, ok := strings.Cut(line[1:end], "=")
	if !ok {
		return nil
	}
	nr, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || nr < 0 || nr > 65535 {
		return nil
	}
	return &DevfsRuleset{Name: strings.TrimSpace(name), Number: nr, File: file, Line: n}
}

// parseDevfsRule reads one "add ..." line: "add include $name" (or a
// number), or "add [path PATTERN] [type ...] action [argument]".
func parseDevfsRule(line string) (DevfsRule, bool) {
	f := splitQuoted(line, `'"`, false)
	if len(f) < 2 || f[0] != "add" {
		return DevfsRule{}, false
	}
	f = f[1:]
	if f[0] == "include" {
		if len(f) > 1 {
			return DevfsRule{Include: strings.TrimPrefix(f[1], "$")}, true
		}
		return DevfsRule{}, false
	}
	var r DevfsRule
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case "path":
			if i+1 < len(f) {
				r.Path = f[i+1]
				i++
			}
		case "type":
			i++
		case "hide", "unhide":
			r.Action = f[i]
		case "user", "group", "mode":
			if r.Action == "" {
				r.Action = f[i]
			}
			i++
		}
	}
	return r, true
}

func (d *DevfsRules) replace(rs *DevfsRuleset) {
	for i, s := range d.Sets {
		if s.Name == rs.Name {
			d.Sets[i] = rs
			return
		}
	}
	d.Sets = append(d.Sets, rs)
}

// Find returns the ruleset with that name, or with that number when ref is
// all digits.
func (d *DevfsRules) Find(ref string) *DevfsRuleset {
	if d == nil {
		return nil
	}
	if n, err := strconv.Atoi(ref); err == nil {
		for _, s := range d.Sets {
			if s.Number == n {
				return s
			}
		}
		return nil
	}
	for _, s := range d.Sets {
		if s.Name == ref {
			return s
		}
	}
	return nil
}

// Expand returns the rules of a ruleset with every include replaced by the
// included ruleset's rules, in order. A loop of includes stops at the
// second visit; an unknown include is listed in missing.
func (d *DevfsRules) Expand(rs *DevfsRuleset) (rules []DevfsRule, included []string, missing []string) {
	seen := map[string]bool{}
	var walk func(*DevfsRuleset, int)
	walk = func(s *DevfsRuleset, depth int) {
		if s == nil || seen[s.Name] || depth > 32 {
			return
		}
		seen[s.Name] = true
		for _, r := range s.Rules {
			if r.Include == "" {
				rules = append(rules, r)
				continue
			}
			inc := d.Find(r.Include)
			if inc == nil {
				missing = append(missing, r.Include)
				continue
			}
			included = append(included, inc.Name)
			walk(inc, depth+1)
		}
	}
	walk(rs, 0)
	return rules, included, missing
}

// Visible reports whether the expanded rules leave device name visible in
// a jail: every rule that matches applies in order, the last one wins, and
// a node no rule hides stays visible.
func Visible(rules []DevfsRule, name string) bool {
	vis := true
	for _, r := range rules {
		if r.Action != "hide" && r.Action != "unhide" {
			continue
		}
		if r.Path != "" {
			if ok, err := path.Match(r.Path, name); err != nil || !ok {
				continue
			}
		}
		vis = r.Action == "unhide"
	}
	return vis
}
