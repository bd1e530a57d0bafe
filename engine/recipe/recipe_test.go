package recipe

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// goodRecipe and testTemplates are a small recipe that uses every part of
// the format; the render tests use it too.
var (
	goodRecipe    = readTestdata("testdata/app/app.yaml")
	testTemplates = os.DirFS("testdata/app/templates")
)

func readTestdata(name string) string {
	data, err := os.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(data)
}

func TestParseRecipeGood(t *testing.T) {
	r, err := ParseRecipe("app.yaml", []byte(goodRecipe), testTemplates)
	if err != nil {
		t.Fatalf("ParseRecipe: %v", err)
	}
	if r.Name != "app" || len(r.Params) != 4 || r.Params[1].Line != 8 || r.Files[0].Line != 20 {
		t.Fatalf("decoded %+v", r)
	}
	if got := []string{r.RCConf[0].Name, r.RCConf[1].Name}; got[0] != "app_enable" || got[1] != "app_flags" {
		t.Fatalf("rc_conf order lost: %v", got)
	}
}

func TestParseRecipeErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown top field", strings.Replace(goodRecipe, "summary:", "sumary: x\nsummary:", 1),
			[]string{`app.yaml:3: unknown field "sumary" (did you mean "summary"?)`}},
		{"unknown nested field", strings.Replace(goodRecipe, "    default: 8080", "    default: 8080\n    colour: red", 1),
			[]string{`app.yaml:8: unknown field "colour"`}},
		{"bad default type", strings.Replace(goodRecipe, "default: 8080", "default: http", 1),
			[]string{`app.yaml:5: param "port" default: "http" is not a port`}},
		{"list default for scalar", strings.Replace(goodRecipe, "default: 8080", "default: [1]", 1),
			[]string{`param "port" default: is a list but the param is not`}},
		{"escaping path", strings.Replace(goodRecipe, "/usr/local/etc/app.conf", "/usr/local/../../etc/master.passwd", 1),
			[]string{`must be a clean path inside the jail without ..`}},
		{"relative path", strings.Replace(goodRecipe, "/usr/local/etc/app.conf", "usr/local/etc/app.conf", 1),
			[]string{`must be an absolute path inside the jail`}},
		{"setuid mode", strings.Replace(goodRecipe, `"0640"`, `"4755"`, 1),
			[]string{`setuid and setgid bits are not allowed`}},
		{"missing template", strings.Replace(goodRecipe, "app/app.conf.tmpl", "app/nope.tmpl", 1),
			[]string{`template "app/nope.tmpl" does not exist`}},
		{"template escaping", strings.Replace(goodRecipe, "app/app.conf.tmpl", "../../etc/passwd", 1),
			[]string{`must be a relative name inside the templates directory`}},
		{"wrong api", strings.Replace(goodRecipe, "jailkit/v1", "jailkit/v9", 1),
			[]string{`apiVersion is "jailkit/v9"`}},
		{"enum without choices", strings.Replace(goodRecipe, "    choices: [a, b]\n", "", 1),
			[]string{`param "mode" is an enum without choices`, `param "mode" default: "a" is not one of`}},
		{"shadow base param", strings.Replace(goodRecipe, "name: peers", "name: resolvers", 1),
			[]string{`param "resolvers" is defined twice`}},
		{"bad rc name", strings.Replace(goodRecipe, "app_enable:", "app-enable:", 1),
			[]string{`rc_conf name "app-enable"`}},
		{"bad listen", strings.Replace(goodRecipe, "{proto: tcp, port: 8080}", "{proto: sctp, port: 0}", 1),
			[]string{`proto "sctp" must be tcp or udp`, `port 0 must be from 1 to 65535`}},
		{"not yaml", "name: [", []string{`app.yaml:1: did not find expected node content`}},
		{"empty", "", []string{`the recipe is empty`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRecipe("app.yaml", []byte(tt.yaml), testTemplates)
			if err == nil {
				t.Fatal("ParseRecipe succeeded, want errors")
			}
			if !errors.Is(err, inputerr.ErrInput) {
				t.Errorf("error %v is not an input error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("errors\n%v\nlack %q", err, w)
				}
			}
		})
	}
}

func TestParseRecipeReportsAllAtOnce(t *testing.T) {
	y := strings.NewReplacer("summary:", "sumary: x\nsummary:", "default: 8080", "default: http", `"0640"`, `"9999"`).Replace(goodRecipe)
	_, err := ParseRecipe("app.yaml", []byte(y), testTemplates)
	var list inputerr.ErrorList
	if !errors.As(err, &list) || len(list) != 3 {
		t.Fatalf("want 3 errors at once, got %v", err)
	}
}
