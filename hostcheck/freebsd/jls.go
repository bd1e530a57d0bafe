package freebsd

// Format source: usr.sbin/jls/jls.c in the FreeBSD source tree prints the
// plain, -n and libxo forms read here.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
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
// Keys are the jail parameter names; booleans are real JSON booleans.
func ParseJlsJSON(data []byte) ([]Jail, error) {
	var doc struct {
		Info struct {
			Jail []map[string]json.RawMessage `json:"jail"`
		} `json:"jail-information"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("jls json: %w", err)
	}
	out := make([]Jail, 0, len(doc.Info.Jail))
	for _, m := range doc.Info.Jail {
		j := Jail{Params: make(map[string]string, len(m)), Source: "jls"}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			j.Params[k] = jsonText(m[k])
		}
		fillJail(&j)
		out = append(out, j)
	}
	return out, nil
}

// jsonText flattens a JSON value to the text form Params uses.
func jsonText(raw json.RawMessage) string {
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
