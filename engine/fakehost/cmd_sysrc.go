package fakehost

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/fakehost/getopt"
	"github.com/jailkit/jailkit/engine/system"
)

var rcLineRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=`)

// sysrc handles "sysrc [-j JAIL] [-f FILE] NAME=VALUE ...", "sysrc -x
// NAME ...", "sysrc -n NAME" and "sysrc NAME" on /etc/rc.conf (or
// FILE), editing one line in place like the real sysrc does. Its options
// are read with getopts (usr.sbin/sysrc/sysrc), so they come before the
// first NAME and may be clustered (-xj JAIL).
func (h *Host) sysrc(a []string) ([]byte, error) {
	o, err := h.sysrcOptions(a)
	if err != nil {
		return nil, err
	}
	data, err := o.sys.ReadFile(o.file)
	if err != nil && !errors.Is(err, fsNotExist) {
		return nil, err
	}
	rc := rcLines(strings.SplitAfter(string(data), "\n"))
	if len(rc) > 0 && rc[len(rc)-1] == "" {
		rc = rc[:len(rc)-1]
	}
	var out strings.Builder
	changed := false
	for _, arg := range o.args {
		c, err := o.apply(a, &rc, arg, &out)
		if err != nil {
			return nil, err
		}
		changed = changed || c
	}
	if !changed {
		return []byte(out.String()), nil
	}
	if err := o.sys.WriteFile(o.file, []byte(strings.Join(rc, "")), 0o644); err != nil {
		return nil, err
	}
	return []byte(out.String()), nil
}

// sysrcOpts is a parsed sysrc command line.
type sysrcOpts struct {
	sys       system.System // the host's root, or the -j jail's
	file      string        // -f, /etc/rc.conf without it
	remove    bool          // -x
	valueOnly bool          // -n
	ignore    bool          // -i
	args      []string      // the operands
}

// sysrcOptions reads sysrc's options; those the fake host does not
// simulate fail saying so rather than being ignored.
func (h *Host) sysrcOptions(a []string) (sysrcOpts, error) {
	p := mustParse(a)
	o := sysrcOpts{sys: system.System(h.files), file: "/etc/rc.conf", args: p.Operands}
	for _, opt := range p.Opts {
		switch opt.Name {
		case "x":
			o.remove = true
		case "n":
			o.valueOnly = true
		case "i":
			o.ignore = true
		case "q", "v":
		case "f":
			o.file = opt.Arg
		case "j":
			j, err := h.running(opt.Arg)
			if err != nil {
				return o, fail(a, "jexec: %v", err)
			}
			sub, err := h.files.OpenRoot(j.Path)
			if err != nil {
				return o, err
			}
			o.sys = sub
		default:
			return o, fail(a, "fakehost: sysrc -%s is not simulated", opt.Name)
		}
	}
	if len(o.args) == 0 {
		// sysrc: "[ $# -eq 0 -a ! "$SHOW_ALL" ] && usage".
		s, _ := getopt.Specs()
		return o, failStatus(a, 1, "%s", s["sysrc"].Usage)
	}
	return o, nil
}

// apply carries out one operand on rc, writing what sysrc prints to out;
// changed says rc changed.
func (o sysrcOpts) apply(a []string, rc *rcLines, arg string, out *strings.Builder) (changed bool, err error) {
	name, value, isSet := strings.Cut(arg, "=")
	i := rc.find(name)
	switch {
	case o.remove:
		if i >= 0 {
			*rc = slices.Delete(*rc, i, i+1)
			return true, nil
		}
		return false, nil
	case isSet && !o.valueOnly:
		rc.set(i, name, value, out)
		return true, nil
	case i < 0 && o.ignore:
		return false, nil
	case i < 0:
		return false, fail(a, "sysrc: unknown variable '%s'", name)
	}
	_, v, _ := strings.Cut(strings.TrimSpace((*rc)[i]), "=")
	if o.valueOnly {
		out.WriteString(strings.Trim(v, `"`) + "\n")
	} else {
		fmt.Fprintf(out, "%s: %s\n", name, strings.Trim(v, `"`))
	}
	return false, nil
}

// rcLines is an rc.conf as its lines, each with its newline (the last
// one may lack it).
type rcLines []string

// find returns the index of the last line that sets name, or -1.
func (rc rcLines) find(name string) int {
	idx := -1
	for i, l := range rc {
		if m := rcLineRE.FindStringSubmatch(l); m != nil && m[1] == name {
			idx = i
		}
	}
	return idx
}

// set makes name VALUE on line i, or on a new last line when i is -1,
// and reports the change to out as sysrc does.
func (rc *rcLines) set(i int, name, value string, out *strings.Builder) {
	lines := *rc
	line := name + "=\"" + value + "\"\n"
	if i >= 0 {
		fmt.Fprintf(out, "%s: %s -> %s\n", name, strings.Trim(strings.SplitN(strings.TrimSpace(lines[i]), "=", 2)[1], `"`), value)
		lines[i] = line
	} else {
		fmt.Fprintf(out, "%s:  -> %s\n", name, value)
		if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
			lines[n-1] += "\n"
		}
		lines = append(lines, line)
	}
	*rc = lines
}
