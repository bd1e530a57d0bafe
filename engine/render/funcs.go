package render

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

// nonReproducible are sprig functions that read the clock, the time zone,
// the environment, randomness or the network, or whose result depends on
// the operating system (the os* path functions): rendering must give the
// same bytes every time, everywhere. TestFuncMapAllowList pins what is
// left.
var nonReproducible = []string{
	"env", "expandenv", "now", "date", "dateInZone", "date_in_zone", "dateModify", "date_modify",
	"mustDateModify", "must_date_modify",
	"htmlDate", "htmlDateInZone", "ago", "duration", "durationRound", "unixEpoch", "toDate", "mustToDate",
	"randAlphaNum", "randAlpha", "randAscii", "randNumeric", "randBytes", "randInt", "uuidv4", "shuffle",
	"genPrivateKey", "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
	"genSignedCert", "genSignedCertWithKey", "buildCustomCert", "derivePassword", "getHostByName", "bcrypt", "htpasswd",
	"encryptAES", "decryptAES",
	"osBase", "osClean", "osDir", "osExt", "osIsAbs", "hello",
}

// hermeticFuncs is sprig's hermetic function map without the
// non-reproducible functions, built once: sprig assembles a map of some two
// hundred functions on every call, which was most of a render's time. It
// is never changed after it is built; each Engine copies it.
var hermeticFuncs = sync.OnceValue(func() template.FuncMap {
	fm := sprig.HermeticTxtFuncMap()
	for _, n := range nonReproducible {
		delete(fm, n)
	}
	fm["reverseZone"] = reverseZone
	fm["ptrLabel"] = ptrLabel
	fm["relName"] = RelName
	fm["networkOf"] = networkOf
	fm["rcQuote"] = rcQuote
	return fm
})

// funcMap returns the functions e's templates may call: the hermetic set,
// with sprig's regular expression functions replaced by ones that compile
// each pattern once (sprig compiles on every call; recipes that validate
// values with regexMatch in loops spent most of a render there).
func (e *Engine) funcMap() template.FuncMap {
	fm := template.FuncMap{}
	for k, v := range hermeticFuncs() {
		fm[k] = v
	}
	fm["regexMatch"] = func(re, s string) bool { r, err := e.regexp(re); return err == nil && r.MatchString(s) }
	fm["mustRegexMatch"] = func(re, s string) (bool, error) {
		r, err := e.regexp(re)
		if err != nil {
			return false, err
		}
		return r.MatchString(s), nil
	}
	fm["regexReplaceAll"] = func(re, s, repl string) string {
		r, err := e.regexp(re)
		if err != nil {
			return s
		}
		return r.ReplaceAllString(s, repl)
	}
	return fm
}

// reverseZone returns the in-addr.arpa zone of the /24 (IPv4) or the
// ip6.arpa zone of the /64 (IPv6) holding addr.
func reverseZone(addr string) (string, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return "", fmt.Errorf("reverseZone: %q is not an address", addr)
	}
	if a.Is4() {
		b := a.As4()
		return fmt.Sprintf("%d.%d.%d.in-addr.arpa", b[2], b[1], b[0]), nil
	}
	b := a.As16()
	return nibbles(b[:8]) + "ip6.arpa", nil
}

// ptrLabel returns addr's name relative to its reverseZone.
func ptrLabel(addr string) (string, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return "", fmt.Errorf("ptrLabel: %q is not an address", addr)
	}
	if a.Is4() {
		return strconv.Itoa(int(a.As4()[3])), nil
	}
	b := a.As16()
	return strings.TrimSuffix(nibbles(b[8:]), "."), nil
}

func nibbles(b []byte) string {
	var sb strings.Builder
	for i := len(b) - 1; i >= 0; i-- {
		fmt.Fprintf(&sb, "%x.%x.", b[i]&0xf, b[i]>>4)
	}
	return sb.String()
}

// RelName returns name relative to zone ("dns" for dns.home.lan in
// home.lan), "@" for the apex, or "" when name lies outside zone.
func RelName(name, zone string) string {
	name, zone = strings.TrimSuffix(name, "."), strings.TrimSuffix(zone, ".")
	if name == zone {
		return "@"
	}
	if strings.HasSuffix(name, "."+zone) {
		return strings.TrimSuffix(name, "."+zone)
	}
	return ""
}

// networkOf returns the network of addr/bits, such as 192.0.2.0/24.
func networkOf(addr string, bits int) (string, error) {
	p, err := netip.ParsePrefix(fmt.Sprintf("%s/%d", addr, bits))
	if err != nil {
		return "", fmt.Errorf("networkOf: %w", err)
	}
	return p.Masked().String(), nil
}

var rcUnsafe = regexp.MustCompile("[\"\\\\$`\n\r]")

// rcQuote quotes v for rc.conf, refusing what sh would expand inside
// double quotes.
func rcQuote(v string) (string, error) {
	if rcUnsafe.MatchString(v) {
		return "", fmt.Errorf("rc.conf value %q contains a quote, backslash, $, backquote or newline", v)
	}
	return `"` + v + `"`, nil
}
