package freebsd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Endpoint is one side of a socket as sockstat prints it.
type Endpoint struct {
	// Addr is the address; it is not valid when Wildcard is set or when
	// sockstat printed something that is not an address.
	Addr netip.Addr
	// Wildcard means sockstat printed "*": every address.
	Wildcard bool
	// Port is 0 when sockstat printed "*" for the port.
	Port int
}

// String prints the endpoint the way sockstat does.
func (e Endpoint) String() string {
	host := "*"
	if !e.Wildcard {
		if !e.Addr.IsValid() {
			return "?"
		}
		host = e.Addr.String()
	}
	if e.Port == 0 {
		return host + ":*"
	}
	return host + ":" + strconv.Itoa(e.Port)
}

// Socket is one row of sockstat output.
type Socket struct {
	User    string // user name or UID; "" for a socket no process owns
	Command string // process name, cut to 10 characters by sockstat's text output
	PID     int    // -1 when unknown
	FD      int    // -1 when unknown
	// Proto is tcp4, tcp6, tcp46, udp4, udp6, udp46, sctp4, divert4, ...
	// or stream, dgram, seqpac for unix sockets.
	Proto   string
	Local   Endpoint
	Foreign Endpoint
	// Path is the bound path of a unix socket, if any.
	Path string
	// State is the TCP or SCTP state when sockstat -s printed one.
	State string
}

// Unix reports whether the socket is a unix(4) socket.
func (s Socket) Unix() bool {
	return s.Proto == "stream" || s.Proto == "dgram" || s.Proto == "seqpac"
}

// Transport returns "tcp", "udp", "sctp", "divert", "udplite" or "unix".
func (s Socket) Transport() string {
	if s.Unix() {
		return "unix"
	}
	return strings.TrimRight(s.Proto, "46")
}

// Owner names the process for messages: "sshd (pid 1021)" or "an unowned socket".
func (s Socket) Owner() string {
	if s.Command == "" {
		return "a socket no process owns"
	}
	if s.PID >= 0 {
		return fmt.Sprintf("%s (pid %d)", s.Command, s.PID)
	}
	return s.Command
}

// protoBases are the protocol names sockstat prints, before the 4/6 suffix.
var protoBases = []string{"tcp", "udplite", "udp", "sctp", "divert", "raw"}

// splitProto recognises a PROTO column, optionally preceded by digits that a
// 4-digit FD glued to it ("1024tcp4"). It returns the FD digits ("" when not
// glued) and the protocol.
func splitProto(tok string) (fd, proto string, ok bool) {
	i := 0
	for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
		i++
	}
	p := tok[i:]
	switch p {
	case "stream", "dgram", "seqpac":
		return tok[:i], p, true
	}
	for _, b := range protoBases {
		if !strings.HasPrefix(p, b) {
			continue
		}
		switch p[len(b):] {
		case "4", "6", "46", "":
			return tok[:i], p, true
		}
	}
	return "", "", false
}

// ParseEndpoint reads "ADDR:PORT" as sockstat prints it: "*" for any
// address or port, IPv6 without brackets and possibly with a scope id
// ("fe80::1%lo0:123"), so the port is split on the last colon.
func ParseEndpoint(s string) (Endpoint, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return Endpoint{}, false
	}
	host, port := s[:i], s[i+1:]
	var e Endpoint
	if port != "*" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 0 || n > 65535 {
			return Endpoint{}, false
		}
		e.Port = n
	}
	if host == "*" {
		e.Wildcard = true
		return e, true
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	a, err := netip.ParseAddr(host)
	if err != nil {
		return Endpoint{}, false
	}
	if a.Is4In6() {
		a = a.Unmap()
	}
	if a.IsUnspecified() {
		e.Wildcard = true
		return e, true
	}
	e.Addr = a
	return e, true
}

// ParseSockstat reads the text output of sockstat on FreeBSD 13, 14 and 15,
// with or without -s, -w or a header. It works by fields: the first token
// that is a protocol name (possibly with a glued FD) splits the owner
// columns from the addresses. Lines it cannot read are skipped; the count
// of skipped lines is returned so the caller can say the output was odd.
func ParseSockstat(data []byte) (socks []Socket, skipped int) {
	socks = make([]Socket, 0, bytes.Count(data, []byte{'\n'})+1)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if fields[0] == "USER" && len(fields) > 1 && fields[1] == "COMMAND" {
			continue
		}
		// An SCTP socket bound to several addresses prints the extra
		// addresses on continuation lines that start with blanks (13, 14)
		// or with "??" placeholders (15); they add nothing the checks use.
		s, ok := parseSockstatLine(fields)
		if !ok {
			if line[0] == ' ' || line[0] == '\t' || isUnknown(fields[0]) {
				continue
			}
			skipped++
			continue
		}
		socks = append(socks, s)
	}
	if sc.Err() != nil {
		skipped++
	}
	return socks, skipped
}

func parseSockstatLine(f []string) (Socket, bool) {
	// USER COMMAND PID FD PROTO is the shortest owner part; a glued FD
	// makes it USER COMMAND PID FDPROTO. A COMMAND with blanks in it
	// only pushes the protocol further right.
	pi := -1
	var fdDigits, proto string
	for i := 3; i < len(f); i++ {
		d, p, ok := splitProto(f[i])
		if !ok {
			continue
		}
		if d != "" || isNum(f[i-1]) || isUnknown(f[i-1]) {
			pi, fdDigits, proto = i, d, p
			break
		}
	}
	if pi < 0 {
		return Socket{}, false
	}
	s := Socket{Proto: proto, PID: -1, FD: -1}
	var pidTok, fdTok string
	cmdEnd := 0
	if fdDigits != "" {
		fdTok, pidTok, cmdEnd = fdDigits, f[pi-1], pi-1
	} else {
		fdTok, pidTok, cmdEnd = f[pi-1], f[pi-2], pi-2
	}
	if cmdEnd < 1 {
		return Socket{}, false
	}
	if !isUnknown(f[0]) {
		s.User = f[0]
		s.Command = strings.Join(f[1:cmdEnd], " ")
		if isUnknown(s.Command) {
			s.Command = ""
		}
	}
	if n, err := strconv.Atoi(pidTok); err == nil {
		s.PID = n
	} else if !isUnknown(pidTok) {
		return Socket{}, false
	}
	if n, err := strconv.Atoi(fdTok); err == nil {
		s.FD = n
	} else if !isUnknown(fdTok) {
		return Socket{}, false
	}
	rest := f[pi+1:]
	if s.Unix() {
		// The local column of a unix socket is a path (which may hold
		// blanks), "(not connected)", "??" or a "->"/"<-" peer list.
		var path []string
		for _, t := range rest {
			if t == "->" || t == "<-" || strings.HasPrefix(t, "[") || isUnknown(t) {
				break
			}
			path = append(path, t)
		}
		if p := strings.Join(path, " "); strings.HasPrefix(p, "/") {
			s.Path = p
		}
		return s, true
	}
	if len(rest) == 0 {
		return Socket{}, false
	}
	l, ok := ParseEndpoint(rest[0])
	if !ok {
		return Socket{}, false
	}
	s.Local = l
	if len(rest) > 1 {
		if fe, ok := ParseEndpoint(rest[1]); ok {
			s.Foreign = fe
			rest = rest[2:]
		} else {
			rest = rest[1:]
		}
	} else {
		rest = nil
	}
	for _, t := range rest {
		if isTCPState(t) {
			s.State = t
		}
	}
	return s, true
}

func isNum(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isUnknown matches the placeholder sockstat prints for a socket no process
// owns: "?" up to 14, "??" on 15.
func isUnknown(s string) bool { return s == "?" || s == "??" }

func isTCPState(s string) bool {
	switch s {
	case "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "CLOSE_WAIT",
		"FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2", "TIME_WAIT",
		"BOUND", "COOKIE_WAIT", "COOKIE_ECHOED", "SHUTDOWN_SENT",
		"SHUTDOWN_RECEIVED", "SHUTDOWN_ACK_SENT", "SHUTDOWN_PENDING":
		return true
	}
	return false
}

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

// ParseSockstatJSON reads `sockstat --libxo json` output (FreeBSD 15):
// {"sockstat": {"socket": [{"user", "command", "pid", "fd", "proto",
// "local": {"address", "port"} or {"path"}, "foreign": {...},
// "conn-state"}]}}.
func ParseSockstatJSON(data []byte) ([]Socket, error) {
	var doc struct {
		Sockstat struct {
			Socket []struct {
				User    xoString `json:"user"`
				Command xoString `json:"command"`
				PID     xoNumber `json:"pid"`
				FD      xoNumber `json:"fd"`
				Proto   xoString `json:"proto"`
				Local   *xoAddr  `json:"local"`
				Foreign *xoAddr  `json:"foreign"`
				State   xoString `json:"conn-state"`
			} `json:"socket"`
		} `json:"sockstat"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("sockstat json: %w", err)
	}
	out := make([]Socket, 0, len(doc.Sockstat.Socket))
	for _, r := range doc.Sockstat.Socket {
		s := Socket{User: string(r.User), Command: string(r.Command), PID: -1, FD: -1,
			Proto: strings.TrimSpace(string(r.Proto)), State: string(r.State)}
		if r.PID.ok {
			s.PID = r.PID.n
		}
		if r.FD.ok {
			s.FD = r.FD.n
		}
		if _, p, ok := splitProto(s.Proto); ok {
			s.Proto = p
		} else {
			continue
		}
		conv := func(a *xoAddr) (Endpoint, string) {
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
		var p string
		s.Local, p = conv(r.Local)
		if s.Unix() {
			s.Path = p
		}
		s.Foreign, _ = conv(r.Foreign)
		out = append(out, s)
	}
	return out, nil
}
