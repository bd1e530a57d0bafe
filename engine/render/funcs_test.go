package render

import "testing"

func TestParseAddrPrefix(t *testing.T) {
	tests := []struct {
		raw      string
		addr     string
		bits     int
		wantFail bool
	}{
		{"192.0.2.53", "192.0.2.53", 32, false},
		{"192.0.2.53/24", "192.0.2.53", 24, false},
		{"2001:db8::53/64", "2001:db8::53", 64, false},
		{"192.0.2.53/40", "", 0, true},
		{"0.0.0.0", "", 0, true},
		{"224.0.0.1", "", 0, true},
		{"::ffff:192.0.2.1", "192.0.2.1", 32, false},
		{"fe80::1%em0", "", 0, true},
		{"nope", "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			a, bits, err := parseAddrPrefix(tt.raw, "")
			if tt.wantFail {
				if err == nil {
					t.Fatalf("parseAddrPrefix(%q) = %v/%d, want an error", tt.raw, a, bits)
				}
				return
			}
			if err != nil || a.String() != tt.addr || bits != tt.bits {
				t.Fatalf("parseAddrPrefix(%q) = %v/%d, %v; want %s/%d", tt.raw, a, bits, err, tt.addr, tt.bits)
			}
		})
	}
}

func TestTemplateFuncs(t *testing.T) {
	tests := []struct {
		name string
		got  func() (string, error)
		want string
	}{
		{"reverseZone v4", func() (string, error) { return reverseZone("192.0.2.53") }, "2.0.192.in-addr.arpa"},
		{"ptrLabel v4", func() (string, error) { return ptrLabel("192.0.2.53") }, "53"},
		{"reverseZone v6", func() (string, error) { return reverseZone("2001:db8::53") }, "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"},
		{"ptrLabel v6", func() (string, error) { return ptrLabel("2001:db8::53") }, "3.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0"},
		{"relName inside", func() (string, error) { return RelName("dns.home.lan", "home.lan"), nil }, "dns"},
		{"relName apex", func() (string, error) { return RelName("home.lan.", "home.lan"), nil }, "@"},
		{"relName outside", func() (string, error) { return RelName("dns.other.lan", "home.lan"), nil }, ""},
		{"relName suffix trap", func() (string, error) { return RelName("xhome.lan", "home.lan"), nil }, ""},
		{"networkOf", func() (string, error) { return networkOf("192.0.2.53", 24) }, "192.0.2.0/24"},
		{"rcQuote", func() (string, error) { return rcQuote("-q em0") }, `"-q em0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.got()
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{`a"b`, "a$b", "a`b", "a\\b", "a\nb"} {
		if _, err := rcQuote(bad); err == nil {
			t.Errorf("rcQuote(%q) = nil error, want a refusal", bad)
		}
	}
	if _, err := reverseZone("nope"); err == nil {
		t.Error("reverseZone(nope) = nil error")
	}
}

func TestFuncMapIsHermetic(t *testing.T) {
	fm := New().FuncMap()
	for _, n := range []string{"env", "expandenv", "now", "date", "randAlphaNum", "uuidv4", "genPrivateKey", "getHostByName"} {
		if _, ok := fm[n]; ok {
			t.Errorf("FuncMap has %q, which makes rendering depend on the outside world", n)
		}
	}
	for _, n := range []string{"join", "default", "upper", "reverseZone"} {
		if _, ok := fm[n]; !ok {
			t.Errorf("FuncMap lacks %q", n)
		}
	}
}

func TestCachedRegexFuncs(t *testing.T) {
	fm := New().FuncMap()
	match := fm["regexMatch"].(func(string, string) bool)
	if !match(`^[a-z]+$`, "abc") || match(`^[a-z]+$`, "ab1") || match(`(`, "x") {
		t.Error("regexMatch does not match like regexp.MatchString")
	}
	must := fm["mustRegexMatch"].(func(string, string) (bool, error))
	if _, err := must(`(`, "x"); err == nil {
		t.Error("mustRegexMatch accepted a bad pattern")
	}
	repl := fm["regexReplaceAll"].(func(string, string, string) string)
	if got := repl(`a(x*)b`, "-ab-axxb-", "${1}W"); got != "-W-xxW-" {
		t.Errorf("regexReplaceAll = %q", got)
	}
}
