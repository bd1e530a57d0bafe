package freebsd

// Format source: usr.sbin/jls/jls.c in the FreeBSD source tree prints the
// plain, -n and libxo forms read here.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
)

// Jail is one jail: running (from jls) or configured (from jail.conf).
type Jail struct {
	JID      int // 0 for a jail that is configured but not running
	Name     string
	Hostname string
	Path     string
	IP4, IP6 []netip.Addr
	// Params holds every parameter as text: booleans as "true"/"false"
	// (jail.conf's allow.noX becomes allow.X = "false"), numbers in decimal,
	// lists joined with commas.
	Params map[string]string
	// Source is "jls" for a running jail, or the jail.conf file that
	// defines it.
	Source string
}

// Running reports whether the jail came from jls.
func (j *Jail) Running() bool { return j.Source == "jls" }

// VNet reports whether the jail has its own network stack.
func (j *Jail) VNet() bool {
	v := j.Params["vnet"]
	return v == "new" || v == "true" || v == "1"
}

// Addrs returns every address of the jail.
func (j *Jail) Addrs() []netip.Addr {
	out := make([]netip.Addr, 0, len(j.IP4)+len(j.IP6))
	out = append(out, j.IP4...)
	return append(out, j.IP6...)
}

// ParseJlsJSON reads `jls --libxo json -n`:
// {"jail-information": {"jail": [{"jid": 1, "name": "dns", "ip4.addr": [..], ...}]}}.
// Keys are the jail parameter names; booleans are real JSON booleans. It
// is ReadJlsJSON over data.
func ParseJlsJSON(data []byte) ([]Jail, error) {
	return ReadJlsJSON(bytes.NewReader(data))
}

// jsonText flattens a JSON value to the text form Params uses: a string
// as is, a boolean as true or false, a number in decimal, a list's items
// joined with commas, null as "", an object as compact JSON, and "" for
// a number no float64 holds. The values jls prints (plain strings,
// integers, booleans, lists of addresses) are read without a decoder.
func jsonText(raw json.RawMessage) string {
	if s, ok := plainJSONText(raw); ok {
		return s
	}
	return decodedJSONText(raw)
}

// decodedJSONText is jsonText through json.Unmarshal, for any value.
func decodedJSONText(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			b, _ := json.Marshal(e)
			parts = append(parts, jsonText(b))
		}
		return strings.Join(parts, ",")
	case nil:
		return ""
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// plainJSONText reads true, false, null, an integer of up to 15 digits
// (exact in a float64, so printed as written), a string of printable
// ASCII without escapes, or a list of such strings; ok is false for
// anything else, which jsonText decodes.
func plainJSONText(raw []byte) (string, bool) {
	raw = bytes.TrimSpace(raw)
	switch string(raw) {
	case "true", "false":
		return string(raw), true
	case "null":
		return "", true
	}
	if len(raw) == 0 {
		return "", false
	}
	if digits := bytes.TrimPrefix(raw, []byte("-")); len(digits) > 0 && len(digits) <= 15 && isNum(string(digits)) {
		return string(raw), true
	}
	if raw[0] == '"' {
		s, rest, ok := plainJSONString(raw)
		return s, ok && len(rest) == 0
	}
	if raw[0] != '[' {
		return "", false
	}
	var parts []string
	rest := bytes.TrimLeft(raw[1:], " \t\r\n")
	if string(rest) == "]" {
		return "", true
	}
	for {
		s, r, ok := plainJSONString(rest)
		if !ok {
			return "", false
		}
		parts = append(parts, s)
		r = bytes.TrimLeft(r, " \t\r\n")
		switch {
		case string(r) == "]":
			return strings.Join(parts, ","), true
		case len(r) == 0 || r[0] != ',':
			return "", false
		}
		rest = bytes.TrimLeft(r[1:], " \t\r\n")
	}
}

// plainJSONString reads a string of printable ASCII without escapes at
// the start of b and returns it and what follows.
func plainJSONString(b []byte) (string, []byte, bool) {
	if len(b) < 2 || b[0] != '"' {
		return "", nil, false
	}
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return string(b[1:i]), b[i+1:], true
		case c < 0x20 || c > 0x7e || c == '\\':
			return "", nil, false
		}
	}
	return "", nil, false
}

// fillJail sets the typed fields from Params.
func fillJail(j *Jail) {
	p := j.Params
	if n, err := strconv.Atoi(p["jid"]); err == nil {
		j.JID = n
	}
	j.Name = p["name"]
	j.Hostname = p["host.hostname"]
	j.Path = p["path"]
	j.IP4 = parseAddrList(p["ip4.addr"])
	j.IP6 = parseAddrList(p["ip6.addr"])
	if j.Name == "" && j.JID > 0 {
		j.Name = strconv.Itoa(j.JID)
	}
}

// parseAddrList reads "a,b" lists as jls and jail.conf give them, each item
// possibly "IF|ADDR/LEN" (jail.conf) or "ADDR netmask M" forms.
func parseAddrList(s string) []netip.Addr {
	var out []netip.Addr
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if i := strings.IndexByte(item, '|'); i >= 0 {
			item = item[i+1:]
		}
		if i := strings.IndexAny(item, "/ "); i >= 0 {
			item = item[:i]
		}
		if a, err := netip.ParseAddr(item); err == nil {
			out = append(out, a.Unmap())
		}
	}
	return out
}

// ParseJls reads plain `jls` output: "JID  IP Address  Hostname  Path".
// Only the first IPv4 address shows and the IP column is blank for a VNET
// or address-less jail, so a row has three or four fields; the second is
// an address only when it parses as one. Plain jls has no names: the name
// is taken from the last element of the path.
func ParseJls(data []byte) []Jail {
	var out []Jail
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1024*1024)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] == "JID" {
			continue
		}
		jid, err := strconv.Atoi(f[0])
		if err != nil || jid <= 0 {
			continue
		}
		j := Jail{JID: jid, Params: map[string]string{"jid": f[0]}, Source: "jls"}
		rest := f[1:]
		if a, err := netip.ParseAddr(rest[0]); err == nil {
			j.IP4 = []netip.Addr{a.Unmap()}
			j.Params["ip4.addr"] = a.String()
			rest = rest[1:]
		}
		if len(rest) > 0 {
			j.Path = rest[len(rest)-1]
			j.Params["path"] = j.Path
			rest = rest[:len(rest)-1]
		}
		if len(rest) > 0 {
			j.Hostname = strings.Join(rest, " ")
			j.Params["host.hostname"] = j.Hostname
		}
		j.Name = strconv.Itoa(jid)
		if k := strings.LastIndexByte(j.Path, '/'); k >= 0 && k+1 < len(j.Path) {
			j.Name = j.Path[k+1:]
		}
		out = append(out, j)
	}
	return out
}

// ParseJlsParams reads `jls -n` text: one jail per line as name=value
// pairs, booleans as a bare "persist" or "nopersist", values with blanks
// in double quotes.
func ParseJlsParams(data []byte) []Jail {
	var out []Jail
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 4*1024*1024)
	for sc.Scan() {
		toks := splitQuoted(sc.Text(), `"`, true)
		if len(toks) == 0 {
			continue
		}
		j := Jail{Params: make(map[string]string, len(toks)), Source: "jls"}
		for _, t := range toks {
			if k, v, ok := strings.Cut(t, "="); ok {
				j.Params[k] = v
				continue
			}
			k, v := boolParam(t)
			j.Params[k] = v
		}
		fillJail(&j)
		if j.JID > 0 {
			out = append(out, j)
		}
	}
	return out
}

// boolParam turns "persist" into persist=true and "allow.noraw_sockets" or
// "nopersist" into the positive name with "false".
func boolParam(t string) (string, string) {
	dot := strings.LastIndexByte(t, '.')
	prefix, last := t[:dot+1], t[dot+1:]
	if strings.HasPrefix(last, "no") && len(last) > 2 {
		return prefix + last[2:], "false"
	}
	return t, "true"
}
