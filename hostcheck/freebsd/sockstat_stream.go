package freebsd

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// ReadSockstat reads sockstat text from r line by line, as ParseSockstat
// reads a buffer, without holding the whole output: a host with a
// hundred thousand sockets is read in one pass with no allocation per
// line. User, command and protocol names are interned, and each address
// column is parsed once however many sockets share it.
func ReadSockstat(r io.Reader) (socks []Socket, skipped int) {
	return readSockstat(r, 0)
}

// readSockstat reads r; hint, when known, is the most sockets there can
// be (the line count), so the result is allocated once.
func readSockstat(r io.Reader, hint int) ([]Socket, int) {
	p := &sockParser{intern: map[string]string{}, eps: map[string]endpointResult{}, chunked: hint <= 0}
	if hint > 0 {
		p.out = make([]Socket, 0, hint)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1024*1024)
	for sc.Scan() {
		p.line(sc.Bytes())
	}
	if sc.Err() != nil {
		p.skipped++
	}
	return p.sockets(), p.skipped
}

// sockParser holds what reading one sockstat output reuses from line to
// line.
type sockParser struct {
	fields  []string
	intern  map[string]string
	eps     map[string]endpointResult
	out     []Socket
	full    [][]Socket // filled chunks, when no hint sized out
	chunked bool
	skipped int
}

type endpointResult struct {
	e  Endpoint
	ok bool
}

// Bounds on the caches, so odd output cannot grow them without end.
const (
	maxInterned  = 1 << 14
	maxEndpoints = 1 << 16
	sockChunk    = 4096
)

// line reads one line. The fields alias the scanner's buffer, which the
// next line overwrites: a string kept in a Socket is always interned,
// cloned or a constant, never a slice of the line.
func (p *sockParser) line(b []byte) {
	line := unsafe.String(unsafe.SliceData(b), len(b))
	fields := p.split(line)
	if len(fields) == 0 {
		return
	}
	if fields[0] == "USER" && len(fields) > 1 && fields[1] == "COMMAND" {
		return
	}
	// An SCTP socket bound to several addresses prints the extra
	// addresses on continuation lines that start with blanks (13, 14)
	// or with "??" placeholders (15); they add nothing the checks use.
	s, ok := parseSockstatLine(fields, p.endpoint)
	if !ok {
		if line[0] == ' ' || line[0] == '\t' || isUnknown(fields[0]) {
			return
		}
		p.skipped++
		return
	}
	s.User, s.Command, s.Proto, s.State = p.str(s.User), p.str(s.Command), p.str(s.Proto), p.str(s.State)
	s.Path = strings.Clone(s.Path)
	p.add(s)
}

// split cuts line into fields as strings.Fields does, into a reused slice;
// a line with a non-ASCII byte goes to strings.Fields itself, which knows
// every Unicode space.
func (p *sockParser) split(line string) []string {
	f := p.fields[:0]
	start := -1
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c >= utf8.RuneSelf {
			return strings.Fields(line)
		}
		space := c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
		switch {
		case space && start >= 0:
			f = append(f, line[start:i])
			start = -1
		case !space && start < 0:
			start = i
		}
	}
	if start >= 0 {
		f = append(f, line[start:])
	}
	p.fields = f
	return f
}

// str returns s as a string the parser owns: one copy per distinct
// value (a user, a command, a protocol name), "" as it is.
func (p *sockParser) str(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := p.intern[s]; ok {
		return v
	}
	c := strings.Clone(s)
	if len(p.intern) < maxInterned {
		p.intern[c] = c
	}
	return c
}

// endpoint parses an address column once per distinct text.
func (p *sockParser) endpoint(tok string) (Endpoint, bool) {
	if r, ok := p.eps[tok]; ok {
		return r.e, r.ok
	}
	e, ok := ParseEndpoint(tok)
	if len(p.eps) < maxEndpoints {
		p.eps[strings.Clone(tok)] = endpointResult{e, ok}
	}
	return e, ok
}

// add appends a socket. Without a size hint, sockets go into chunks of a
// fixed size, so a long output is not copied again and again as one
// slice grows.
func (p *sockParser) add(s Socket) {
	if p.chunked && len(p.out) == cap(p.out) {
		if len(p.out) > 0 {
			p.full = append(p.full, p.out)
		}
		p.out = make([]Socket, 0, sockChunk)
	}
	p.out = append(p.out, s)
}

// sockets returns every socket read, in order, in one slice.
func (p *sockParser) sockets() []Socket {
	if p.full == nil {
		if p.out == nil {
			return []Socket{}
		}
		return p.out
	}
	all := make([]Socket, 0, len(p.full)*sockChunk+len(p.out))
	for _, c := range p.full {
		all = append(all, c...)
	}
	return append(all, p.out...)
}
