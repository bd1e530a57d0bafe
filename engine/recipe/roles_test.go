package recipe

import (
	"strings"
	"testing"
)

func TestRolesValidate(t *testing.T) {
	const head = `apiVersion: jailkit/v1
name: app
summary: an app
params:
  - {name: zone, type: domain, default: home.lan}
  - {name: records, type: string, list: true, default: []}
  - {name: side, type: enum, choices: [primary, secondary], default: primary}
  - {name: flavour, type: enum, choices: [a, b], default: a}
  - {name: net, type: cidr}
  - {name: nets, type: cidr, list: true, default: []}
  - {name: prio, type: int, default: 10}
`
	tests := []struct {
		name, roles string
		want        []string // empty: valid
	}{
		{"dns with every param", "  dns: {zone: zone, records: records, server: side}\n", nil},
		{"dhcp and mail together", "  dhcp: {subnet: net}\n  mail: {domain: zone, networks: nets, mx_priority: prio}\n", nil},
		{"required param unnamed", "  dns: {zone: zone}\n", []string{"app.yaml:12: roles.dns.records: name the parameter that takes it"}},
		{"unknown param", "  mail: {domain: nosuch}\n", []string{`app.yaml:12: roles.mail.domain: "nosuch" is not a parameter of this recipe; name one of type domain`}},
		{"a list where one value goes", "  dhcp: {subnet: nets}\n", []string{"app.yaml:10: roles.dhcp.subnet: parameter nets is of type list of cidr; the role needs cidr"}},
		{"server without primary and secondary", "  dns: {zone: zone, records: records, server: flavour}\n", []string{"app.yaml:8: roles.dns.server: parameter flavour must have the choices primary and secondary"}},
		{"unknown role", "  ntp: {}\n", []string{`unknown field "ntp"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRecipe("app.yaml", []byte(head+"roles:\n"+tt.roles), testTemplates)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("ParseRecipe: %v", err)
				}
				if r.Roles.DNS == nil && r.Roles.DHCP == nil && r.Roles.Mail == nil {
					t.Fatalf("no role decoded: %+v", r.Roles)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestDNSRoleIsPrimary(t *testing.T) {
	d := &DNSRole{Server: "side"}
	for _, tt := range []struct {
		params map[string]any
		want   bool
	}{
		{map[string]any{"side": "primary"}, true},
		{map[string]any{"side": ""}, true},
		{map[string]any{}, true},
		{map[string]any{"side": "secondary"}, false},
	} {
		if got := d.IsPrimary(tt.params); got != tt.want {
			t.Errorf("IsPrimary(%v) = %v, want %v", tt.params, got, tt.want)
		}
	}
	if !(&DNSRole{}).IsPrimary(map[string]any{"side": "secondary"}) {
		t.Error("a role without a server param is the primary")
	}
}
