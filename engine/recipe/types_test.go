package recipe

import (
	"strings"
	"testing"
)

func TestParseValue(t *testing.T) {
	one, ten := 1, 10
	tests := []struct {
		typ     ParamType
		raw     string
		choices []string
		want    any
		wantErr string
	}{
		{TypeString, "hello world", nil, "hello world", ""},
		{TypeString, `x"; };`, nil, nil, "not allowed"},
		{TypeString, "a\nb", nil, nil, "not allowed"},
		{TypeString, "$(reboot)", nil, nil, "not allowed"},
		{TypeString, "\u009b2J", nil, nil, "not allowed"},
		{TypeString, "\u202eevil", nil, nil, "not allowed"},
		{TypeString, "caf\u00e9", nil, "caf\u00e9", ""},
		{TypeBool, "yes", nil, true, ""},
		{TypeBool, "false", nil, false, ""},
		{TypeBool, "maybe", nil, nil, "not true or false"},
		{TypeInt, "7", nil, 7, ""},
		{TypeInt, "0", nil, nil, "below the minimum 1"},
		{TypeInt, "11", nil, nil, "above the maximum 10"},
		{TypePort, "53", nil, 53, ""},
		{TypePort, "0", nil, nil, "not a port"},
		{TypePort, "65536", nil, nil, "not a port"},
		{TypeIPv4, "192.0.2.1", nil, "192.0.2.1", ""},
		{TypeIPv4, "2001:db8::1", nil, nil, "not an IPv4"},
		{TypeIPv4, "300.1.1.1", nil, nil, "not an IP address"},
		{TypeIPv6, "2001:DB8::1", nil, "2001:db8::1", ""},
		{TypeIPv6, "192.0.2.1", nil, nil, "not an IPv6"},
		{TypeIP, "fe80::1%em0", nil, nil, "not an IP address"},
		{TypeCIDR, "192.0.2.7/24", nil, "192.0.2.0/24", ""},
		{TypeCIDR, "192.0.2.7", nil, nil, "prefix length"},
		{TypeHostname, "Dns.Home.Lan.", nil, "dns.home.lan", ""},
		{TypeHostname, "bad host", nil, nil, "not a valid host name"},
		{TypeHostname, "-bad.lan", nil, nil, "not a valid host name"},
		{TypeDomain, `x"; };`, nil, nil, "not a valid host name"},
		{TypeEnum, "primary", []string{"primary", "secondary"}, "primary", ""},
		{TypeEnum, "tertiary", []string{"primary", "secondary"}, nil, "not one of primary, secondary"},
		{TypePath, "/usr/local/etc/ssl/cert.pem", nil, "/usr/local/etc/ssl/cert.pem", ""},
		{TypePath, "/usr/../etc/passwd", nil, nil, "clean absolute path"},
		{TypePath, "relative/file", nil, nil, "clean absolute path"},
		{TypeEmail, "hostmaster@home.lan", nil, "hostmaster@home.lan", ""},
		{TypeEmail, "hostmaster@", nil, nil, "not a mail address"},
		{TypeEmail, `0@"@0`, nil, nil, "not a mail address"},
		{TypeEmail, "a@b@home.lan", nil, nil, "not a mail address"},
		{ParamType("nope"), "x", nil, nil, "unknown type"},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ)+"/"+tt.raw, func(t *testing.T) {
			got, err := ParseValue(tt.typ, tt.raw, tt.choices, &one, &ten)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseValue(%s, %q) error = %v, want one containing %q", tt.typ, tt.raw, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseValue(%s, %q) = %v, %v; want %v", tt.typ, tt.raw, got, err, tt.want)
			}
		})
	}
}

func TestValidJailName(t *testing.T) {
	for _, good := range []string{"dns", "www-1", "Lab_01", "a"} {
		if err := ValidJailName(good); err != nil {
			t.Errorf("ValidJailName(%q) = %v, want nil", good, err)
		}
	}
	for _, bad := range []string{"", "a;b", "../x", "a.b", "-x", "a b", strings.Repeat("x", 64)} {
		if err := ValidJailName(bad); err == nil {
			t.Errorf("ValidJailName(%q) = nil, want an error", bad)
		}
	}
}
