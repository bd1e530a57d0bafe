package fakehost

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/system"
)

var rcLineRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=`)

// sysrc handles "sysrc [-j JAIL] NAME=VALUE ...", "sysrc -x NAME ..." and
// "sysrc -n NAME" on /etc/rc.conf, editing one line in place like the
// real sysrc does.
func (h *Host) sysrc(a []string) ([]byte, error) {
	file := "/etc/rc.conf"
	o, err := h.sysrcOptions(a)
	if err != nil {
		return nil, err
	}
	data, err := o.sys.ReadFile(file)
	if err != nil && !errors.Is(err, fsNotExist) {
		return nil, err
	}
	rc := rcLines(strings.SplitAfter(string(data), "\n"))
	if len(rc) > 0 && rc[len(rc)-1] == "" {
		rc = rc[:len(rc)-1]
	}
	var out strings.Builder
	for _, arg := range o.args {
		if err := o.apply(a, &rc, arg, &out); err != nil {
			return nil, err
		}
	}
	if o.valueOnly {
		return []byte(out.String()), nil
	}
	if err := o.sys.WriteFile(file, []byte(strings.Join(rc, "")), 0o644); err != nil {
		return nil, err
	}
	return []byte(out.String()), nil
}

// sysrcOpts is a parsed sysrc command line.
type sysrcOpts struct {
	sys       system.System // the host's root, or the -j jail's
	remove    bool          // -x
	valueOnly bool          // -n
	args      []string      // the operands
}

// sysrcOptions reads sysrc's options up to its first operand.
func (h *Host) sysrcOptions(a []string) (sysrcOpts, error) {
	o := sysrcOpts{sys: system.System(h.files), args: a[1:]}
	for len(o.args) > 0 && strings.HasPrefix(o.args[0], "-") {
		switch o.args[0] {
		case "-x":
			o.remove = true
		case "-n":
			o.valueOnly = true
		case "-j":
			if len(o.args) < 2 {
				return o, fail(a, "sysrc: -j needs a jail")
			}
			j, err := h.running(o.args[1])
			if err != nil {
				return o, fail(a, "sysrc: %v", err)
			}
			sub, err := h.files.OpenRoot(j.Path)
			if err != nil {
				return o, err
			}
			o.sys = sub
			o.args = o.args[1:]
		default:
			return o, fail(a, "sysrc: unknown option %s", o.args[0])
		}
		o.args = o.args[1:]
	}
	return o, nil
}

// apply carries out one operand on rc, writing what sysrc prints to out.
func (o sysrcOpts) apply(a []string, rc *rcLines, arg string, out *strings.Builder) error {
	name, value, isSet := strings.Cut(arg, "=")
	i := rc.find(name)
	switch {
	case o.valueOnly:
		if i < 0 {
			return fail(a, "sysrc: unknown variable '%s'", name)
		}
		_, v, _ := strings.Cut(strings.TrimSpace((*rc)[i]), "=")
		out.WriteString(strings.Trim(v, `"`) + "\n")
	case o.remove:
		if i >= 0 {
			*rc = slices.Delete(*rc, i, i+1)
		}
	case !isSet:
		return fail(a, "sysrc: %s: not NAME=VALUE", arg)
	default:
		rc.set(i, name, value, out)
	}
	return nil
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
