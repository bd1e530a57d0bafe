package freebsd

// Format source: usr.bin/sockstat/main.c in the FreeBSD source tree
// (FreeBSD 15) emits the libxo fields read here.

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// xoNumber accepts a libxo value that may be a JSON number or a string.
type xoNumber struct {
	n  int
	ok bool
}

// UnmarshalJSON takes 5 or "5" and ignores anything else.
func (x *xoNumber) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.Atoi(s)
	if err == nil {
		x.n, x.ok = n, true
	}
	return nil
}

// xoString accepts a libxo value that may be a string or a number (a UID
// printed with -n).
type xoString string

// UnmarshalJSON takes a string, or keeps a number's text.
func (x *xoString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*x = xoString(s)
		return nil
	}
	*x = xoString(strings.TrimSpace(string(b)))
	return nil
}

type xoAddr struct {
	Address xoString `json:"address"`
	Port    xoNumber `json:"port"`
	Path    xoString `json:"path"`
}

// xoSocket is one element of sockstat's libxo "socket" list.
type xoSocket struct {
	User    xoString `json:"user"`
	Command xoString `json:"command"`
	PID     xoNumber `json:"pid"`
	FD      xoNumber `json:"fd"`
	Proto   xoString `json:"proto"`
	Local   *xoAddr  `json:"local"`
	Foreign *xoAddr  `json:"foreign"`
	State   xoString `json:"conn-state"`
}

// ParseSockstatJSON reads `sockstat --libxo json` output (FreeBSD 15):
// {"sockstat": {"socket": [{"user", "command", "pid", "fd", "proto",
// "local": {"address", "port"} or {"path"}, "foreign": {...},
// "conn-state"}]}}. It is ReadSockstatJSON over data.
func ParseSockstatJSON(data []byte) ([]Socket, error) {
	return ReadSockstatJSON(bytes.NewReader(data))
}

// socket converts one libxo socket; ok is false for a protocol sockstat's
// text would not print either.
func (r *xoSocket) socket() (Socket, bool) {
	s := Socket{User: string(r.User), Command: string(r.Command), PID: -1, FD: -1,
		Proto: strings.TrimSpace(string(r.Proto)), State: string(r.State)}
	if r.PID.ok {
		s.PID = r.PID.n
	}
	if r.FD.ok {
		s.FD = r.FD.n
	}
	_, p, ok := splitProto(s.Proto)
	if !ok {
		return Socket{}, false
	}
	s.Proto = p
	var path string
	s.Local, path = xoEndpoint(r.Local)
	if s.Unix() {
		s.Path = path
	}
	s.Foreign, _ = xoEndpoint(r.Foreign)
	return s, true
}

// xoEndpoint converts a libxo local or foreign object: an address and port,
// or the path of a unix socket.
func xoEndpoint(a *xoAddr) (Endpoint, string) {
	if a == nil {
		return Endpoint{}, ""
	}
	if a.Path != "" {
		return Endpoint{}, string(a.Path)
	}
	port := 0
	if a.Port.ok && a.Port.n > 0 && a.Port.n <= 65535 {
		port = a.Port.n
	}
	e, _ := ParseEndpoint(string(a.Address) + ":" + strconv.Itoa(port))
	e.Port = port
	return e, ""
}
