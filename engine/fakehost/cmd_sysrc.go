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
	sys := system.System(h.files)
	args := a[1:]
	remove, valueOnly := false, false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-x":
			remove = true
		case "-n":
			valueOnly = true
		case "-j":
			if len(args) < 2 {
				return nil, fail(a, "sysrc: -j needs a jail")
			}
			j, err := h.running(args[1])
			if err != nil {
				return nil, fail(a, "sysrc: %v", err)
			}
			sub, err := h.files.OpenRoot(j.Path)
			if err != nil {
				return nil, err
			}
			sys = sub
			args = args[1:]
		default:
			return nil, fail(a, "sysrc: unknown option %s", args[0])
		}
		args = args[1:]
	}
	data, err := sys.ReadFile(file)
	if err != nil && !errors.Is(err, fsNotExist) {
		return nil, err
	}
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	find := func(name string) int {
		idx := -1
		for i, l := range lines {
			if m := rcLineRE.FindStringSubmatch(l); m != nil && m[1] == name {
				idx = i
			}
		}
		return idx
	}
	var out strings.Builder
	for _, arg := range args {
		name, value, isSet := strings.Cut(arg, "=")
		i := find(name)
		switch {
		case valueOnly:
			if i < 0 {
				return nil, fail(a, "sysrc: unknown variable '%s'", name)
			}
			_, v, _ := strings.Cut(strings.TrimSpace(lines[i]), "=")
			out.WriteString(strings.Trim(v, `"`) + "\n")
			continue
		case remove:
			if i >= 0 {
				lines = slices.Delete(lines, i, i+1)
			}
			continue
		case !isSet:
			return nil, fail(a, "sysrc: %s: not NAME=VALUE", arg)
		}
		line := name + "=\"" + value + "\"\n"
		if i >= 0 {
			fmt.Fprintf(&out, "%s: %s -> %s\n", name, strings.Trim(strings.SplitN(strings.TrimSpace(lines[i]), "=", 2)[1], `"`), value)
			lines[i] = line
		} else {
			fmt.Fprintf(&out, "%s:  -> %s\n", name, value)
			if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
				lines[n-1] += "\n"
			}
			lines = append(lines, line)
		}
	}
	if valueOnly {
		return []byte(out.String()), nil
	}
	if err := sys.WriteFile(file, []byte(strings.Join(lines, "")), 0o644); err != nil {
		return nil, err
	}
	return []byte(out.String()), nil
}
