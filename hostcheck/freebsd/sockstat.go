package freebsd

// Format source: usr.bin/sockstat/sockstat.c in the FreeBSD source tree
// prints the text read here on 13 and 14, usr.bin/sockstat/main.c on 15.

import (
	"bytes"
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
// It is ReadSockstat over data, with room for every line made at once.
func ParseSockstat(data []byte) (socks []Socket, skipped int) {
	return readSockstat(bytes.NewReader(data), bytes.Count(data, []byte{'\n'})+1)
}

// parseSockstatLine reads one line's fields; ep reads an address column
// (ParseEndpoint, or a cache in front of it).
func parseSockstatLine(f []string, ep func(string) (Endpoint, bool)) (Socket, bool) {
	pi, fdDigits, proto := findProto(f)
	if pi < 0 {
		return Socket{}, false
	}
	s := Socket{Proto: proto, PID: -1, FD: -1}
	if !s.parseOwner(f, pi, fdDigits) {
		return Socket{}, false
	}
	rest := f[pi+1:]
	if s.Unix() {
		s.Path = unixPath(rest)
		return s, true
	}
	if !s.parseAddrs(rest, ep) {
		return Socket{}, false
	}
	return s, true
}

// findProto returns the index of the PROTO column, the digits of an FD
// glued to it and the protocol; the index is -1 when there is none.
// USER COMMAND PID FD PROTO is the shortest owner part; a glued FD makes
// it USER COMMAND PID FDPROTO. A COMMAND with blanks in it only pushes the
// protocol further right.
func findProto(f []string) (pi int, fdDigits, proto string) {
	for i := 3; i < len(f); i++ {
		d, p, ok := splitProto(f[i])
		if !ok {
			continue
		}
		if d != "" || isNum(f[i-1]) || isUnknown(f[i-1]) {
			return i, d, p
		}
	}
	return -1, "", ""
}

// parseOwner fills User, Command, PID and FD from the columns before the
// protocol at f[pi]; it reports false when PID or FD is not a number or a
// placeholder.
func (s *Socket) parseOwner(f []string, pi int, fdDigits string) bool {
	var pidTok, fdTok string
	cmdEnd := 0
	if fdDigits != "" {
		fdTok, pidTok, cmdEnd = fdDigits, f[pi-1], pi-1
	} else {
		fdTok, pidTok, cmdEnd = f[pi-1], f[pi-2], pi-2
	}
	if cmdEnd < 1 {
		return false
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
		return false
	}
	if n, err := strconv.Atoi(fdTok); err == nil {
		s.FD = n
	} else if !isUnknown(fdTok) {
		return false
	}
	return true
}

// unixPath reads the local column of a unix socket, which is a path (that
// may hold blanks), "(not connected)", "??" or a "->"/"<-" peer list; it
// returns the path, or "" when there is none.
func unixPath(rest []string) string {
	var path []string
	for _, t := range rest {
		if t == "->" || t == "<-" || strings.HasPrefix(t, "[") || isUnknown(t) {
			break
		}
		path = append(path, t)
	}
	if p := strings.Join(path, " "); strings.HasPrefix(p, "/") {
		return p
	}
	return ""
}

// parseAddrs fills Local, Foreign and State from the columns after the
// protocol; it reports false when the local address is missing or unread.
func (s *Socket) parseAddrs(rest []string, ep func(string) (Endpoint, bool)) bool {
	if len(rest) == 0 {
		return false
	}
	l, ok := ep(rest[0])
	if !ok {
		return false
	}
	s.Local = l
	if len(rest) > 1 {
		if fe, ok := ep(rest[1]); ok {
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
	return true
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
