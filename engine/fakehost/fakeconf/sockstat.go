package fakeconf

import (
	"encoding/json"
	"fmt"
	"strings"
)

// SockstatText prints the columns of sockstat's text output. LOCAL and
// FOREIGN ADDRESS are 21 wide and cut there unless -w; -w makes them 45
// before 15 (usr.bin/sockstat/sockstat.c) and as wide as the longest
// address from 15 on (usr.bin/sockstat/main.c,
// calculate_sock_column_widths).
func SockstatText(ls []Listener, major int, wide bool) []byte {
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

// SockstatJSON prints sockstat --libxo json: {"__version": "1",
// "sockstat": {"socket": [...]}} (usr.bin/sockstat/main.c, display and
// display_sock; numbers are JSON numbers, a wildcard address is "*").
func SockstatJSON(ls []Listener) []byte {
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
