package install

import (
	"context"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

// TestInstallFollowsValues: the packages, services and post-checked ports
// of an install come from the values, not only from the recipe's fixed
// lists: www with php adds php83 and php_fpm, x11 installs its apps and
// checks the port sshd_port names.
func TestInstallFollowsValues(t *testing.T) {
	tests := []struct {
		recipe string
		spec   render.JailSpec
		want   []string
		absent []string
	}{
		{"www", render.JailSpec{IPs: []string{"192.0.2.80"}}, []string{"jexec -l www /usr/sbin/pkg install -y apache24", "service -j www apache24 restart"},
			[]string{"php83", "php_fpm"}},
		{"www", render.JailSpec{IPs: []string{"192.0.2.80"}, Sets: []string{"php=true", "php_listen=tcp"}},
			[]string{"jexec -l www /usr/sbin/pkg install -y apache24 php83", "service -j www php_fpm restart", "tcp/80, tcp/9000 listens on 192.0.2.80"}, nil},
		{"x11", render.JailSpec{IPs: []string{"192.0.2.70"}, Sets: []string{"apps=xclock,xeyes", "sshd_port=2222"}},
			[]string{"jexec -l x11 /usr/sbin/pkg install -y xauth xclock xeyes", "tcp/2222 listens on 192.0.2.70"}, []string{"tcp/22 "}},
	}
	for _, tt := range tests {
		t.Run(tt.recipe+" "+strings.Join(tt.spec.Sets, " "), func(t *testing.T) {
			h := newFakeHost(t)
			p, err := PlanInstall(context.Background(), system.NewDryRun(h), loadRecipe(t, tt.recipe), tt.spec, testOpts())
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, s := range p.Steps {
				lines = append(lines, s.Name+" | "+strings.Join(s.Argv, " "))
			}
			text := strings.Join(lines, "\n")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("plan lacks %q:\n%s", w, text)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(text, a) {
					t.Errorf("plan has %q:\n%s", a, text)
				}
			}
		})
	}
}
