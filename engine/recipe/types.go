package recipe

import (
	"fmt"
	"net/netip"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// ParamType names the type of a recipe parameter. Every value a template
// receives has been checked against its type, so a template can paste it into
// a config file without quoting tricks.
type ParamType string

// The parameter types a recipe may declare.
const (
	TypeString   ParamType = "string"
	TypeBool     ParamType = "bool"
	TypeInt      ParamType = "int"
	TypePort     ParamType = "port"
	TypeIPv4     ParamType = "ipv4"
	TypeIPv6     ParamType = "ipv6"
	TypeIP       ParamType = "ip"
	TypeCIDR     ParamType = "cidr"
	TypeHostname ParamType = "hostname"
	TypeDomain   ParamType = "domain"
	TypeEnum     ParamType = "enum"
	TypePath     ParamType = "path"
	TypeEmail    ParamType = "email"
)

// paramTypes lists every known type with the hint shown when a value does not fit.
var paramTypes = map[ParamType]string{
	TypeString:   "use printable text without quotes, backslashes, semicolons, braces or newlines",
	TypeBool:     "use true or false",
	TypeInt:      "use a whole number",
	TypePort:     "use a port number from 1 to 65535",
	TypeIPv4:     "use a dotted quad such as 192.0.2.53",
	TypeIPv6:     "use an IPv6 address such as 2001:db8::53",
	TypeIP:       "use an IPv4 or IPv6 address such as 192.0.2.53",
	TypeCIDR:     "use an address with a prefix length such as 192.0.2.0/24",
	TypeHostname: "use letters, digits and hyphens in dot-separated labels, such as dns.home.lan",
	TypeDomain:   "use a domain name such as home.lan",
	TypeEnum:     "use one of the listed values",
	TypePath:     "use an absolute path such as /usr/local/etc/ssl/cert.pem",
	TypeEmail:    "use an address such as hostmaster@home.lan",
}

var (
	labelRE    = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	jailNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$`)
	pathRE     = regexp.MustCompile(`^/[A-Za-z0-9._/+@%:-]*$`)
	localRE    = regexp.MustCompile(`^[A-Za-z0-9._%+-]{1,64}$`)
)

// ValidJailName reports whether name can name a jail and the files jailkit
// keeps for it: a letter or digit, then letters, digits, '-' or '_'. Dots are
// refused because jail(8) reads them as a hierarchy.
func ValidJailName(name string) error {
	if !jailNameRE.MatchString(name) {
		return fmt.Errorf("%s is not a valid jail name", inputerr.Quote(name))
	}
	return nil
}

// ValidHostname reports whether s is a host name of RFC 1123 labels.
func ValidHostname(s string) error {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return fmt.Errorf("%s is not a valid host name", inputerr.Quote(s))
	}
	for _, l := range strings.Split(s, ".") {
		if !labelRE.MatchString(l) {
			return fmt.Errorf("%s is not a valid host name", inputerr.Quote(s))
		}
	}
	return nil
}

// MaxValueLen bounds one value of a parameter (one item of a list): no
// configuration value comes near it, and a longer one is refused by its
// length before it is echoed or pasted anywhere.
const MaxValueLen = 4096

// TooLong says a value is longer than limit, naming both lengths and not
// the value.
func TooLong(n, limit int) error {
	return fmt.Errorf("value is %d bytes long, more than the limit of %d", n, limit)
}

// ParseValue checks raw against the type t (and choices for an enum) and
// returns the value a template receives: string, bool or int.
func ParseValue(t ParamType, raw string, choices []string, min, max *int) (any, error) {
	if len(raw) > MaxValueLen {
		return nil, TooLong(len(raw), MaxValueLen)
	}
	switch t {
	case TypeString:
		// checkChars also refuses C1 controls (U+009B is a terminal CSI)
		// and bidi overrides: values end up in notes and plans on a terminal.
		if strings.ContainsAny(raw, "\"'\\;{}`$\n\r\t") || checkChars(raw, false) != "" {
			return nil, fmt.Errorf("%s contains a character that is not allowed", inputerr.Quote(raw))
		}
		return raw, nil
	case TypeBool:
		return parseBool(raw)
	case TypeInt:
		return parseInt(raw, min, max)
	case TypePort:
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%s is not a port from 1 to 65535", inputerr.Quote(raw))
		}
		return n, nil
	case TypeIPv4, TypeIPv6, TypeIP:
		return parseIP(t, raw)
	case TypeCIDR:
		p, err := netip.ParsePrefix(raw)
		if err != nil {
			return nil, fmt.Errorf("%s is not an address with a prefix length", inputerr.Quote(raw))
		}
		return p.Masked().String(), nil
	case TypeHostname, TypeDomain:
		if err := ValidHostname(raw); err != nil {
			return nil, err
		}
		return strings.ToLower(strings.TrimSuffix(raw, ".")), nil
	case TypeEnum:
		if slices.Contains(choices, raw) {
			return raw, nil
		}
		return nil, fmt.Errorf("%s is not one of %s", inputerr.Quote(raw), strings.Join(choices, ", "))
	case TypePath:
		if !pathRE.MatchString(raw) || path.Clean(raw) != raw {
			return nil, fmt.Errorf("%s is not a clean absolute path", inputerr.Quote(raw))
		}
		return raw, nil
	case TypeEmail:
		local, domain, ok := strings.Cut(raw, "@")
		if !ok || !localRE.MatchString(local) || ValidHostname(domain) != nil {
			return nil, fmt.Errorf("%s is not a mail address", inputerr.Quote(raw))
		}
		return raw, nil
	}
	return nil, fmt.Errorf("unknown type %q", t)
}

// parseBool takes what strconv does and the yes/no, on/off of rc.conf.
func parseBool(raw string) (any, error) {
	b, err := strconv.ParseBool(raw)
	if err == nil {
		return b, nil
	}
	switch strings.ToLower(raw) {
	case "yes", "on":
		return true, nil
	case "no", "off":
		return false, nil
	}
	return nil, fmt.Errorf("%s is not true or false", inputerr.Quote(raw))
}

func parseInt(raw string, min, max *int) (any, error) {
	n, err := strconv.Atoi(raw)
	if err != nil {
		return nil, fmt.Errorf("%s is not a whole number", inputerr.Quote(raw))
	}
	if min != nil && n < *min {
		return nil, fmt.Errorf("%d is below the minimum %d", n, *min)
	}
	if max != nil && n > *max {
		return nil, fmt.Errorf("%d is above the maximum %d", n, *max)
	}
	return n, nil
}

// parseIP takes an address of the family t asks for, without a zone, in
// its canonical form.
func parseIP(t ParamType, raw string) (any, error) {
	a, err := netip.ParseAddr(raw)
	if err != nil || a.Zone() != "" {
		return nil, fmt.Errorf("%s is not an IP address", inputerr.Quote(raw))
	}
	if t == TypeIPv4 && !a.Is4() {
		return nil, fmt.Errorf("%s is not an IPv4 address", inputerr.Quote(raw))
	}
	if t == TypeIPv6 && !a.Is6() {
		return nil, fmt.Errorf("%s is not an IPv6 address", inputerr.Quote(raw))
	}
	return a.String(), nil
}

// SplitList splits a --set list value on commas, dropping blanks, so that
// "a, b,,c" and "a,b,c" mean the same.
func SplitList(raw string) []string {
	var out []string
	for _, f := range strings.Split(raw, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Hint says how a good value of type t looks.
func (t ParamType) Hint() string { return paramTypes[t] }
