package fakehost

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

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
	libxo := slices.Contains(a, "--libxo")
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
		return sockstatJSON(ls), nil
	}
	return sockstatText(ls, major, slices.ContainsFunc(a, func(w string) bool {
		return strings.HasPrefix(w, "-") && !strings.HasPrefix(w, "--") && strings.ContainsRune(w, 'w')
	})), nil
}

// sockstatText prints the columns of sockstat's text output. LOCAL and
// FOREIGN ADDRESS are 21 wide and cut there unless -w; -w makes them 45
// before 15 (usr.bin/sockstat/sockstat.c) and as wide as the longest
// address from 15 on (usr.bin/sockstat/main.c,
// calculate_sock_column_widths).
func sockstatText(ls []Listener, major int, wide bool) []byte {
	width := 21
	if wide {
		width = 45
		if major >= 15 {
			width = len("LOCAL ADDRESS")
			for _, l := range ls {
				width = max(width, len(fmt.Sprintf("%s:%d", l.Addr, l.Port)))
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "USER     COMMAND    PID   FD  PROTO  %-*s %-*s\n", width, "LOCAL ADDRESS", width, "FOREIGN ADDRESS")
	for i, l := range ls {
		fmt.Fprintf(&b, "%-8s %-10.10s %5d %-3d %-6s %-*.*s %-*.*s\n", l.User, l.Command, l.PID, 4+i, l.Proto,
			width, width, fmt.Sprintf("%s:%d", l.Addr, l.Port), width, width, "*:*")
	}
	return []byte(b.String())
}

// sockstatJSON prints sockstat --libxo json: {"__version": "1",
// "sockstat": {"socket": [...]}} (usr.bin/sockstat/main.c, display and
// display_sock; numbers are JSON numbers, a wildcard address is "*").
func sockstatJSON(ls []Listener) []byte {
	type addr struct {
		Address string `json:"address"`
		Port    int    `json:"port"`
	}
	type sock struct {
		User    string `json:"user"`
		Command string `json:"command"`
		PID     int    `json:"pid"`
		FD      int    `json:"fd"`
		Proto   string `json:"proto"`
		Local   addr   `json:"local"`
		Foreign addr   `json:"foreign"`
	}
	var doc struct {
		Version  string `json:"__version"`
		Sockstat struct {
			Socket []sock `json:"socket"`
		} `json:"sockstat"`
	}
	doc.Version = "1"
	doc.Sockstat.Socket = []sock{}
	for i, l := range ls {
		doc.Sockstat.Socket = append(doc.Sockstat.Socket, sock{User: l.User, Command: l.Command, PID: l.PID, FD: 4 + i,
			Proto: l.Proto, Local: addr{l.Addr, l.Port}, Foreign: addr{"*", 0}})
	}
	out, _ := json.Marshal(doc)
	return append(out, '\n')
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
