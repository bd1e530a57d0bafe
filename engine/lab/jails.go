package lab

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
)

// labEntry is one jails: item during checking.
type labEntry struct {
	idx   int
	y     *labJailYAML
	r     *recipe.Recipe
	first netip.Addr // explicit first address
	auto  bool
	count int // 1 for a plain entry
	// numbered is true for a classroom entry (one with count), whose
	// jails are named NAME01.. even when count is 1.
	numbered bool
	ok       bool
	badName  bool // the name has its error already
	grants   []string
}

func (c *labCheck) jails(l *Lab, items []labJailYAML, cat *recipe.Catalog) {
	entries := make([]*labEntry, len(items))
	total := 0
	for i := range items {
		entries[i] = c.entry(l, i, &items[i], cat)
		total += entries[i].count
	}
	if total > MaxJails {
		c.at(1, "jails: the lab expands to %d jails, more than %d; lower the counts", total, MaxJails)
		return
	}
	c.uniqueNames(entries)
	if l.Network.Subnet.IsValid() && l.Network.Gateway.IsValid() {
		c.allocate(l, entries)
	}
	// The checks across jails judge the jails that are whole: a broken
	// entry has its own error already.
	for _, e := range entries {
		if !e.ok || e.r == nil || !e.first.IsValid() {
			continue
		}
		names := expandNames(e.y.Name, e.count, e.numbered)
		for k, n := range names {
			j := &Jail{Name: n, Recipe: e.r, Addr: addr4(u32(e.first) + uint32(k)), Params: e.y.Params, Grants: e.grants,
				Line: c.jailLine(e.idx, ""), Auto: e.auto}
			if e.numbered {
				j.Group = e.y.Name
			}
			j.Hostname = strings.ToLower(strings.ReplaceAll(n, "_", "-")) + "." + l.Network.Domain
			l.Jails = append(l.Jails, j)
		}
	}
	c.crossChecks(l)
}

// entry checks one item of jails: on its own: its name, recipe, count,
// address and params.
func (c *labCheck) entry(l *Lab, i int, y *labJailYAML, cat *recipe.Catalog) *labEntry {
	e := &labEntry{idx: i, y: y, count: 1, ok: true}
	label := y.Name
	if label == "" {
		label = fmt.Sprintf("#%d", i+1)
	}
	bad := func(field, format string, args ...any) {
		c.at(c.jailLine(i, field), "jail %s: %s: %s", label, field, fmt.Sprintf(format, args...))
		e.ok = false
	}
	if y.Name == "" {
		bad("name", "is missing; give every jail a name")
		e.badName = true
	} else if err := recipe.ValidJailName(y.Name); err != nil || strings.ContainsRune(y.Name, '.') {
		bad("name", "%s is not a valid jail name; use letters, digits, '-' and '_'", inputerr.Quote(y.Name))
		e.badName = true
	}
	if y.Recipe == "" {
		bad("recipe", "is missing; name one of: %s", strings.Join(cat.Names(), ", "))
	} else if r, err := cat.Get(y.Recipe); err != nil {
		bad("recipe", "no recipe named %s; use one of: %s", inputerr.Quote(y.Recipe), strings.Join(cat.Names(), ", "))
	} else {
		e.r = r
	}
	if c.lines.jails[i]["count"] > 0 {
		if y.Count < 1 || y.Count > MaxJails {
			bad("count", "%d is not a number of jails from 1 to %d", y.Count, MaxJails)
		} else {
			e.count, e.numbered = y.Count, true
		}
	}
	switch y.Address {
	case "":
		bad("address", "is missing; give an address of %s or write address: auto", l.Network.Subnet)
	case "auto":
		e.auto = true
	default:
		a, err := netip.ParseAddr(y.Address)
		if err != nil || !a.Is4() {
			bad("address", "%s is not an IPv4 address; give one of %s or write address: auto", inputerr.Quote(y.Address), l.Network.Subnet)
		} else if why := recipe.CheckJailAddr(a, -1, l.Network.Interface); why != "" {
			bad("address", "%s %s; give another address of %s or write address: auto", a, why, l.Network.Subnet)
		} else {
			e.first = a
		}
	}
	if e.r != nil {
		c.params(e, label)
		c.grants(e, label)
	}
	return e
}

// grants checks the entry's grant: list: known capabilities, and every
// one its recipe declares, so a lab never weakens a jail unasked.
func (c *labCheck) grants(e *labEntry, label string) {
	line := c.jailLine(e.idx, "grant")
	g, err := recipe.ParseGrants("grant", e.y.Grant)
	if err != nil {
		var fe *inputerr.FieldError
		if errors.As(err, &fe) {
			c.at(line, "jail %s: grant: %s; %s", label, fe.Problem, fe.Hint)
		}
		e.ok = false
		return
	}
	e.grants = g
	if missing := e.r.MissingGrants(g); len(missing) > 0 {
		c.at(line, "jail %s: grant: recipe %s needs the grant of %s (see jailkit show %s); add grant: [%s] to the jail if you accept it",
			label, e.r.Name, strings.Join(missing, ", "), e.r.Name, strings.Join(e.r.Capabilities, ", "))
		e.ok = false
	}
}

// uniqueNames checks the names after classroom expansion: each once, and
// each still a valid jail name once numbered.
func (c *labCheck) uniqueNames(entries []*labEntry) {
	byName := map[string]string{} // expanded name -> label of its entry
	for _, e := range entries {
		if e.badName {
			continue
		}
		for _, n := range expandNames(e.y.Name, e.count, e.numbered) {
			if prev, dup := byName[n]; dup {
				c.at(c.jailLine(e.idx, "name"), "jail %s: name: %q is also the name of jail %s; give every jail its own name", e.y.Name, n, prev)
				e.ok = false
				continue
			}
			if err := recipe.ValidJailName(n); err != nil {
				c.at(c.jailLine(e.idx, "name"), "jail %s: name: %q is too long once numbered; shorten the name", e.y.Name, n)
				e.ok = false
			}
			byName[n] = e.y.Name
		}
	}
}

// expandNames numbers a classroom entry NAME01..NAMEnn; a plain entry
// keeps its name. The width grows with the count so names sort.
func expandNames(name string, count int, numbered bool) []string {
	if !numbered {
		return []string{name}
	}
	width := max(2, len(strconv.Itoa(count)))
	out := make([]string, count)
	for i := range out {
		out[i] = fmt.Sprintf("%s%0*d", name, width, i+1)
	}
	return out
}

// params checks each of an entry's settings against its recipe's type.
func (c *labCheck) params(e *labEntry, label string) {
	all := e.r.AllParams()
	byName := make(map[string]*recipe.Param, len(all))
	names := map[string]reflect.Type{}
	for i := range all {
		byName[all[i].Name] = &all[i]
		names[all[i].Name] = nil
	}
	seen := map[string]int{}
	for _, p := range e.y.Params {
		if prev, dup := seen[p.Name]; dup {
			c.at(p.Line, "jail %s: params.%s: is set twice (also at line %d); keep one", label, p.Name, prev)
			e.ok = false
			continue
		}
		seen[p.Name] = p.Line
		rp := byName[p.Name]
		if rp == nil && len(p.Name) > 64 {
			c.at(p.Line, "jail %s: params: a parameter name of %d bytes is longer than any; see jailkit show %s", label, len(p.Name), e.r.Name)
			e.ok = false
			continue
		}
		if rp == nil {
			c.at(p.Line, "jail %s: params.%s: recipe %s has no parameter %q%s; see jailkit show %s", label, p.Name, e.r.Name, p.Name, recipe.Suggest(p.Name, names), e.r.Name)
			e.ok = false
			continue
		}
		if _, err := rp.Parse(p.Value); err != nil {
			c.at(p.Line, "jail %s: params.%s: %v; %s", label, p.Name, err, rp.Hint())
			e.ok = false
		}
	}
}
