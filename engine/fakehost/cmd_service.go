package fakehost

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/system"
)

// hostService stops or starts a host daemon of Config.Listeners, as
// "service sendmail onestop" does on FreeBSD.
func (h *Host) hostService(a []string, name, verb string) ([]byte, error) {
	cfg, st, err := h.configAndState()
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(cfg.Listeners, func(l Listener) bool { return l.Command == name }) {
		return nil, fail(a, "%s does not exist in /etc/rc.d or the local startup directories (/usr/local/etc/rc.d)", name)
	}
	stopped := slices.Contains(st.StoppedHost, name)
	switch {
	case verb == "onestop" && stopped:
		return nil, fail(a, "%s not running? (check /var/run/%s.pid).", name, name)
	case verb == "onestop":
		st.StoppedHost = append(st.StoppedHost, name)
		return []byte("Stopping " + name + ".\n"), h.saveState(st)
	case !stopped:
		return nil, fail(a, "%s already running? (pid=950).", name)
	default:
		st.StoppedHost = slices.DeleteFunc(st.StoppedHost, func(s string) bool { return s == name })
		return []byte("Starting " + name + ".\n"), h.saveState(st)
	}
}

// service handles "service -j NAME SVC start|stop|restart|status",
// "service devfs restart" and "service SVC onestop|onestart" on the
// host, read with service.sh's getopts 'j:ehlrRv'
// (usr.sbin/service/service.sh; -j runs "jexec -l JAIL service ...").
func (h *Host) service(a []string) ([]byte, error) {
	p := mustParse(a)
	jail, inJail := p.Arg("j")
	for _, o := range p.Opts {
		if o.Name != "j" && o.Name != "v" {
			return nil, fail(a, "fakehost: service -%s is not simulated", o.Name)
		}
	}
	if len(p.Operands) != 2 {
		return nil, fail(a, "fakehost: service %s is not simulated", strings.Join(p.Operands, " "))
	}
	svc, verb := p.Operands[0], p.Operands[1]
	switch {
	case inJail:
		return h.jailService(a, jail, svc, verb)
	case svc == "devfs" && verb == "restart":
		return nil, nil
	case verb == "onestop" || verb == "onestart":
		return h.hostService(a, svc, verb)
	}
	return nil, fail(a, "fakehost: service %s %s on the host is not simulated", svc, verb)
}

// jailService handles "service -j JAIL SVC VERB" for a service of
// Config.Services whose package the jail has.
func (h *Host) jailService(a []string, jail, name, verb string) ([]byte, error) {
	cfg, st, err := h.configAndState()
	if err != nil {
		return nil, err
	}
	idx := jailIndex(st, jail)
	if idx < 0 {
		return nil, fail(a, "jexec: jail \"%s\" not found", jail)
	}
	j := &st.Jails[idx]
	svc, known := cfg.Services[name]
	sub, err := h.files.OpenRoot(j.Path)
	if err != nil {
		return nil, err
	}
	installed, _ := sub.ReadFile("/var/db/pkg/installed")
	if !known || (svc.Package != "" && !slices.Contains(strings.Fields(string(installed)), svc.Package)) {
		return nil, fail(a, "%s does not exist in /etc/rc.d or the local startup directories (/usr/local/etc/rc.d)", name)
	}
	running := slices.Contains(j.Running, name)
	switch verb {
	case "status":
		if running {
			return []byte(name + " is running as pid 2001.\n"), nil
		}
		return nil, fail(a, "%s is not running.", name)
	case "stop":
		if !running {
			return nil, fail(a, "%s not running? (check /var/run/%s.pid).", name, name)
		}
		j.Running = slices.DeleteFunc(j.Running, func(s string) bool { return s == name })
		return []byte("Stopping " + name + ".\n"), h.saveState(st)
	case "start", "restart":
		if msg, ok := enabledIn(sub, name, svc, verb); !ok {
			// libexec/rc/rc.subr run_rc_command: a service whose
			// rcvar is not YES says so on standard output and
			// returns 0, starting nothing.
			return []byte(msg), nil
		}
		if verb == "start" && running {
			return nil, fail(a, "%s already running? (pid=2001).", name)
		}
		if !running {
			j.Running = append(j.Running, name)
		}
		return []byte("Starting " + name + ".\n"), h.saveState(st)
	}
	return nil, fail(a, "service: unknown verb %s", verb)
}

// enabledIn says whether the jail's rc.conf, under sub, sets the rcvar
// of service name to YES, and otherwise what rc.subr prints for verb.
func enabledIn(sub system.System, name string, svc Service, verb string) (msg string, ok bool) {
	rc, _ := sub.ReadFile("/etc/rc.conf")
	rcvar := svc.RCVar
	if rcvar == "" {
		rcvar = name + "_enable"
	}
	if regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(rcvar) + `="?(YES|yes)"?`).Match(rc) {
		return "", true
	}
	return fmt.Sprintf("Cannot '%s' %s. Set %s to YES in /etc/rc.conf or use 'one%s' instead of '%s'.\n", verb, name, rcvar, verb, verb), false
}
