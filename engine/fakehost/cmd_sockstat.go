package fakehost

import (
	"fmt"
	"slices"
	"strings"
)

// sockstat lists the host's listeners and those of its jails.
func (h *Host) sockstat(a []string) ([]byte, error) { return h.sockstatIn(a, "") }

// sockstatIn is sockstat run on the host (inside "") or inside a jail
// by jexec. A VNET jail's sockets live in its own network stack: only
// sockstat run inside it shows them, as on FreeBSD, where the host's
// pcblist sysctls list the host's stack only.
func (h *Host) sockstatIn(a []string, inside string) ([]byte, error) {
	if slices.Contains(a, "--libxo") {
		// 14.x sockstat has no libxo output; callers fall back to text.
		return nil, fail(a, "sockstat: illegal option -- -")
	}
	cfg, st, err := h.configAndState()
	if err != nil {
		return nil, err
	}
	only, err := sockstatJail(st, a)
	if err != nil {
		return nil, err
	}
	var ls []Listener
	if only == "" {
		for _, l := range cfg.Listeners {
			if !slices.Contains(st.StoppedHost, l.Command) {
				ls = append(ls, l)
			}
		}
	}
	pid := 2000
	if inside != "" {
		only = inside
		ls = nil
	}
	for _, j := range st.Jails {
		if only != "" && j.Name != only {
			continue
		}
		if j.VNet != (inside == j.Name) {
			continue
		}
		ls = append(ls, jailListeners(cfg, j, &pid)...)
	}
	var b strings.Builder
	b.WriteString("USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS      \n")
	for i, l := range ls {
		fmt.Fprintf(&b, "%-8s %-10.10s %5d %-3d %-6s %-21s %s\n", l.User, l.Command, l.PID, 4+i, l.Proto,
			fmt.Sprintf("%s:%d", l.Addr, l.Port), "*:*")
	}
	return []byte(b.String()), nil
}

// sockstatJail returns the name of the jail "-j JAIL" (a name or a JID)
// asks for, or "" without -j.
func sockstatJail(st State, a []string) (string, error) {
	only := ""
	if i := slices.Index(a, "-j"); i >= 0 && i+1 < len(a) {
		only = a[i+1]
		found := false
		for _, j := range st.Jails {
			if j.Name == only || fmt.Sprint(j.JID) == only {
				found, only = true, j.Name
			}
		}
		if !found {
			return "", fail(a, "sockstat: jail \"%s\" not found", only)
		}
	}
	return only, nil
}

// jailListeners lists the sockets of the services running in j, on each
// of its addresses; each service takes the next pid.
func jailListeners(cfg Config, j Jail, pid *int) []Listener {
	var ls []Listener
	for _, name := range j.Running {
		svc := cfg.Services[name]
		*pid++
		for _, p := range svc.Ports {
			for _, ip := range j.IP4 {
				ls = append(ls, Listener{User: "root", Command: svc.Command, PID: *pid, Proto: p.Proto + "4", Addr: ip, Port: p.Port})
			}
			for _, ip := range j.IP6 {
				ls = append(ls, Listener{User: "root", Command: svc.Command, PID: *pid, Proto: p.Proto + "6", Addr: ip, Port: p.Port})
			}
		}
	}
	return ls
}
