package fakehost

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/fakehost/fakeconf"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// sockstat lists the host's listeners and those of its jails.
func (h *Host) sockstat(a []string) ([]byte, error) { return h.sockstatIn(a, "") }

// sockstatIn is sockstat run on the host (inside "") or inside a jail
// by jexec. A VNET jail's sockets live in its own network stack: only
// sockstat run inside it shows them, as on FreeBSD, where the host's
// pcblist sysctls list the host's stack only.
func (h *Host) sockstatIn(a []string, inside string) ([]byte, error) {
	cfg, st, err := h.configAndState()
	if err != nil {
		return nil, err
	}
	_, major, _ := freebsd.ParseRelease([]byte(cfg.OSRelease))
	libxo := slices.ContainsFunc(a, func(w string) bool {
		return w == "--libxo" || strings.HasPrefix(w, "--libxo=") || strings.HasPrefix(w, "--libxo:")
	})
	p := mustParse(a)
	if libxo && major < 15 {
		// sockstat gained libxo in 15 (usr.bin/sockstat/main.c); the
		// older usr.bin/sockstat/sockstat.c has none.
		return nil, fail(a, "sockstat: illegal option -- -")
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
		ls = append(ls, h.jailListeners(cfg, j, &pid)...)
	}
	if libxo {
		return fakeconf.SockstatJSON(ls), nil
	}
	return fakeconf.SockstatText(ls, major, p.Has("w")), nil
}

// sockstatJail returns the name of the jail "-j JAIL" (a name or a JID)
// asks for, or "" without -j.
func sockstatJail(st State, a []string) (string, error) {
	only := ""
	if arg, ok := mustParse(a).Arg("j"); ok {
		only = arg
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
// of its addresses (or the one its BindFrom file names, or the wildcard);
// each service takes the next pid. A shared-IP jail's wildcard bind is
// pinned to the jail's address when it has only one IPv4 address
// (sys/netinet/in_jail.c, prison_local_ip4).
func (h *Host) jailListeners(cfg Config, j Jail, pid *int) []Listener {
	var ls []Listener
	for _, name := range j.Running {
		svc := cfg.Services[name]
		*pid++
		ip4s, ip6s := j.IP4, j.IP6
		if svc.BindFrom != "" {
			ip4s, ip6s = []string{h.localAddress(j, svc.BindFrom)}, nil
			if ip4s[0] == "*" && !j.VNet && len(j.IP4) == 1 {
				ip4s = j.IP4
			}
		}
		for _, p := range svc.Ports {
			for _, ip := range ip4s {
				ls = append(ls, Listener{User: "root", Command: svc.Command, PID: *pid, Proto: p.Proto + "4", Addr: ip, Port: p.Port})
			}
			for _, ip := range ip6s {
				ls = append(ls, Listener{User: "root", Command: svc.Command, PID: *pid, Proto: p.Proto + "6", Addr: ip, Port: p.Port})
			}
		}
	}
	return ls
}

// localAddress reads "local-address ADDR;" from a file in the jail, or
// returns "*".
func (h *Host) localAddress(j Jail, file string) string {
	sub, err := h.files.OpenRoot(j.Path)
	if err != nil {
		return "*"
	}
	data, err := sub.ReadFile(file)
	if err != nil {
		return "*"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "local-address "); ok {
			return strings.TrimSuffix(strings.TrimSpace(rest), ";")
		}
	}
	return "*"
}
