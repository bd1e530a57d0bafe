package recipe

import (
	"errors"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// FuzzParseRecipe feeds arbitrary YAML to the recipe decoder: it must never
// panic, and every error it returns must be an input error.
func FuzzParseRecipe(f *testing.F) {
	f.Add([]byte(goodRecipe))
	f.Add([]byte("name: [\n"))
	f.Add([]byte("params:\n  - &a {name: x}\n  - *a\n"))
	f.Add([]byte("rc_conf: [1, 2]\nhost: {rc_conf: {a: {b: c}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRecipe("fuzz.yaml", data, testTemplates)
		if err != nil {
			if !errors.Is(err, inputerr.ErrInput) {
				t.Fatalf("error is not an input error: %v", err)
			}
			return
		}
		if r.Name == "" || r.APIVersion != APIVersion {
			t.Fatalf("accepted a recipe without name or apiVersion: %+v", r)
		}
		for _, f := range r.Files {
			if CheckJailPath(f.Path) != nil {
				t.Fatalf("accepted a bad path %q", f.Path)
			}
		}
	})
}

// FuzzParseValue checks that whatever a user passes with --set, a value
// that is accepted cannot break out of a config file's quoting.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "home.lan", `x"; };`, "a\nb", "2001:db8::1/64", "hostmaster@home.lan", "/usr/local/etc"} {
		f.Add(s)
	}
	types := []ParamType{TypeString, TypeIP, TypeIPv4, TypeIPv6, TypeCIDR, TypeHostname, TypeDomain, TypePath, TypeEmail}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, typ := range types {
			v, err := ParseValue(typ, raw, nil, nil, nil)
			if err != nil {
				continue
			}
			s := v.(string)
			if strings.ContainsAny(s, "\"\\;{}\n\r`$") {
				t.Fatalf("type %s accepted %q, which can escape a config file", typ, s)
			}
		}
	})
}
