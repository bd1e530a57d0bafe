package install

import (
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/templates"
)

// TestJailConfCapabilities: a granted capability writes its parameters in
// place of the hardening line it replaces, never both, and the recipe's
// own jail_params come from the vocabulary only.
func TestJailConfCapabilities(t *testing.T) {
	tests := []struct {
		name, yaml string
		want, not  []string
	}{
		{"no capability", "", []string{"\tallow.nosysvipc;\n", "\tallow.noraw_sockets;\n", "\tsecurelevel = 2;\n"}, []string{"sysvshm", "Granted"}},
		{"sysvipc", "capabilities: [sysvipc]\n",
			[]string{"\t# Granted capabilities: sysvipc.\n", "\tsysvmsg = new;\n", "\tsysvsem = new;\n", "\tsysvshm = new;\n", "\tallow.noraw_sockets;\n"},
			[]string{"allow.nosysvipc", "allow.sysvipc", "inherit"}},
		{"raw sockets and mlock", "capabilities: [mlock, raw_sockets]\n",
			[]string{"\tallow.raw_sockets;\n", "\tallow.mlock;\n", "\tallow.nosysvipc;\n"}, []string{"allow.noraw_sockets"}},
		{"a higher securelevel", "host:\n  jail_params:\n    securelevel: \"3\"\n    stop.timeout: \"30\"\n",
			[]string{"\tsecurelevel = 3;\n", "\tstop.timeout = \"30\";\n"}, []string{"securelevel = 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "apiVersion: jailkit/v1\nname: db\nversion: \"2.0\"\nsummary: a database\n" + tt.yaml
			r, err := recipe.ParseRecipe("db.yaml", []byte(src), templates.FS)
			if err != nil {
				t.Fatal(err)
			}
			v, err := render.NewValues(r, render.JailSpec{IPs: []string{"192.0.2.5"}})
			if err != nil {
				t.Fatal(err)
			}
			conf := string(renderJailConf(jailConfInput{v: v, iface: "em0", devfsRuleset: 4}))
			for _, w := range tt.want {
				if !strings.Contains(conf, w) {
					t.Errorf("jail.conf lacks %q:\n%s", w, conf)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(conf, n) {
					t.Errorf("jail.conf has %q:\n%s", n, conf)
				}
			}
			if strings.Count(conf, "{") != 1 || strings.Count(conf, "}") != 1 {
				t.Errorf("jail.conf is not one block:\n%s", conf)
			}
		})
	}
}
