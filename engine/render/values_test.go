package render

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
)

// goodRecipe and testTemplates are the recipe package's test recipe.
var (
	goodRecipe    = string(must(os.ReadFile("../recipe/testdata/app/app.yaml")))
	testTemplates = os.DirFS("../recipe/testdata/app/templates")
)

func must(data []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return data
}

func newTestValues(t *testing.T, src string, spec JailSpec) *Values {
	t.Helper()
	r, err := recipe.ParseRecipe("app.yaml", []byte(src), testTemplates)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValues(r, spec)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNewValues(t *testing.T) {
	v := newTestValues(t, goodRecipe, JailSpec{IPs: []string{"192.0.2.9/24,2001:db8::9"}, Sets: []string{"secret_name=x", "peers=192.0.2.2, 192.0.2.3", "port=9000", "port=9001"}})
	j := v.Jail
	if j.Name != "app" || j.Hostname != "app.home.lan" || j.Domain != "home.lan" || j.IP4 != "192.0.2.9" || j.Prefix4 != 24 ||
		j.IP6 != "2001:db8::9" || j.Prefix6 != 128 || j.Path != "/usr/local/jails/containers/app" || j.Release != DefaultRelease {
		t.Fatalf("jail = %+v", j)
	}
	if v.Params["port"] != 9001 {
		t.Errorf("a later --set must win: port = %v", v.Params["port"])
	}
	if p := v.Params["peers"].([]any); len(p) != 2 || p[1] != "192.0.2.3" {
		t.Errorf("peers = %v", p)
	}
	if v.Params["loghost"] != "" || len(v.Params["resolvers"].([]any)) != 0 {
		t.Errorf("base params: %v", v.Params)
	}
}

func TestNewValuesErrors(t *testing.T) {
	r, err := recipe.ParseRecipe("app.yaml", []byte(goodRecipe), testTemplates)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		spec JailSpec
		want []string
	}{
		{"required param", JailSpec{IPs: []string{"192.0.2.9"}}, []string{"--set secret_name: is required"}},
		{"no ip", JailSpec{Sets: []string{"secret_name=x"}}, []string{"--ip: is required"}},
		{"unknown param", JailSpec{IPs: []string{"192.0.2.9"}, Sets: []string{"secret_name=x", "nope=1"}}, []string{`--set nope: recipe app has no parameter "nope"`}},
		{"not k=v", JailSpec{IPs: []string{"192.0.2.9"}, Sets: []string{"secret_name=x", "novalue"}}, []string{`--set: "novalue" is not NAME=VALUE`}},
		{"bad release", JailSpec{IPs: []string{"192.0.2.9"}, Release: "14.3", Sets: []string{"secret_name=x"}}, []string{`--release: "14.3" is not a FreeBSD release name`}},
		{"bad arch", JailSpec{IPs: []string{"192.0.2.9"}, Arch: "sparc64", Sets: []string{"secret_name=x"}}, []string{`--arch: "sparc64" is not a supported architecture`}},
		{"bad interface", JailSpec{IPs: []string{"192.0.2.9"}, Interface: "em0;x", Sets: []string{"secret_name=x"}}, []string{`--interface: "em0;x" is not an interface name`}},
		{"many at once", JailSpec{IPs: []string{"1.2.3.400"}, Name: "a b", Sets: []string{"port=0"}}, []string{"--name:", "--ip:", "--set port:", "--set secret_name: is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewValues(r, tt.spec)
			if err == nil || !errors.Is(err, inputerr.ErrInput) {
				t.Fatalf("NewValues = %v, want an input error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("errors\n%v\nlack %q", err, w)
				}
			}
		})
	}
}

func TestRenderErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		tmpl, want string
	}{
		{"app/broken.tmpl", `templates/app/broken.tmpl:2: unexpected "}" in operand`},
		{"app/missing.tmpl", `templates/app/missing.tmpl:3: at <.Params.nosuch>: map has no entry for key "nosuch"`},
		{"app/failing.tmpl", `templates/app/failing.tmpl:2: refused on purpose`},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl, func(t *testing.T) {
			v := newTestValues(t, strings.Replace(goodRecipe, "app/app.conf.tmpl", tt.tmpl, 1), JailSpec{IPs: []string{"192.0.2.9"}, Sets: []string{"secret_name=x"}})
			v.Recipe.Templates = testTemplates
			_, err := Render(v)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Render error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRenderHelpersAndWhen(t *testing.T) {
	y := strings.Replace(goodRecipe, "    owner: app\n", "    owner: app\n  - template: app/usehelper.tmpl\n    path: /etc/helper\n  - template: app/usehelper.tmpl\n    path: /etc/never\n    when: \"{{ eq .Params.mode \\\"b\\\" }}\"\n", 1)
	v := newTestValues(t, y, JailSpec{IPs: []string{"192.0.2.9"}, Sets: []string{"secret_name=x"}})
	files, err := Render(v)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Path] = string(f.Content)
	}
	if got["/etc/helper"] != "x" {
		t.Errorf("helper template not applied: %q", got["/etc/helper"])
	}
	if _, ok := got["/etc/never"]; ok {
		t.Error("a file whose when is false was rendered")
	}
	if got["/usr/local/etc/app.conf"] != "listen 192.0.2.9:8080\npeers 192.0.2.1\nname x\n" {
		t.Errorf("app.conf = %q", got["/usr/local/etc/app.conf"])
	}
	if !strings.Contains(got["/etc/rc.conf"], `app_flags="-p 8080"`) {
		t.Errorf("rc.conf lacks the rendered rc_conf value:\n%s", got["/etc/rc.conf"])
	}
}

func TestWriteOneRefusesEscapes(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "usr/local"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "usr/local/etc")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../..", filepath.Join(dir, "up")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, f := range []File{
		{Path: "/usr/local/etc/app.conf", Mode: 0o644, Content: []byte("x")},
		{Path: "/usr/local/etc/sub", Dir: true, Mode: 0o755},
		{Path: "/up/etc/passwd", Mode: 0o644, Content: []byte("x")},
		{Path: "/../etc/passwd", Mode: 0o644, Content: []byte("x")},
	} {
		if err := WriteOne(root, f, nil); err == nil {
			t.Errorf("WriteOne(%s) followed a link out of the root", f.Path)
		}
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 0 {
		t.Fatalf("files appeared outside the root: %v", entries)
	}
	// A good write leaves no temporary file behind and sets the mode.
	if err := WriteOne(root, File{Path: "/etc/x.conf", Mode: 0o640, Content: []byte("y")}, nil); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "etc/x.conf"))
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("stat = %v, %v", fi, err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "etc/.jailkit-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

const condRecipe = `apiVersion: jailkit/v1
name: cond
summary: conditional parts
packages: [base-pkg]
packages_from: [apps]
params:
  - name: apps
    type: string
    list: true
    default: [xterm]
  - name: php
    type: bool
    default: false
  - name: port
    type: port
    default: 2222
files:
  - template: app/app.conf.tmpl
    path: /etc/app.conf
rc_conf:
  app_enable: "YES"
services: [app]
listens:
  - {proto: tcp, port: 22, port_param: port}
conditional:
  - when: "{{ .Params.php }}"
    packages: [php83]
    services: [php_fpm]
    rc_conf:
      php_fpm_enable: "YES"
    listens:
      - {proto: tcp, port: 9000}
notes: "ssh -p {{ .Params.port }} user@{{ .Jail.Hostname }}"
`

func TestValuesConditionalPackagesListensNotes(t *testing.T) {
	y := strings.Replace(condRecipe, "app/app.conf.tmpl", "app/usehelper.tmpl", 1)
	tests := []struct {
		name      string
		sets      []string
		pkgs      []string
		services  []string
		ports     []int
		rcHas     string
		rcHasNot  string
		notesWant string
	}{
		{"php off", nil, []string{"base-pkg", "xterm"}, []string{"app"}, []int{2222}, `app_enable="YES"`, "php_fpm_enable", "ssh -p 2222 user@cond.home.lan"},
		{"php on", []string{"php=true", "apps=xclock,xterm,xclock", "port=22"}, []string{"base-pkg", "xclock", "xterm", "php83"},
			[]string{"app", "php_fpm"}, []int{22, 9000}, `php_fpm_enable="YES"`, "", "ssh -p 22 user@cond.home.lan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestValues(t, y, JailSpec{IPs: []string{"192.0.2.9"}, Sets: tt.sets})
			if got := v.Packages(); strings.Join(got, " ") != strings.Join(tt.pkgs, " ") {
				t.Errorf("Packages() = %v, want %v", got, tt.pkgs)
			}
			if got := v.Services(); strings.Join(got, " ") != strings.Join(tt.services, " ") {
				t.Errorf("Services() = %v, want %v", got, tt.services)
			}
			ls, err := v.Listens()
			if err != nil || len(ls) != len(tt.ports) {
				t.Fatalf("Listens() = %v, %v; want ports %v", ls, err, tt.ports)
			}
			for i, l := range ls {
				if l.Port != tt.ports[i] {
					t.Errorf("Listens()[%d].Port = %d, want %d", i, l.Port, tt.ports[i])
				}
			}
			files, err := Render(v)
			if err != nil {
				t.Fatal(err)
			}
			rc := string(files[0].Content)
			if !strings.Contains(rc, tt.rcHas) || (tt.rcHasNot != "" && strings.Contains(rc, tt.rcHasNot)) {
				t.Errorf("rc.conf:\n%s\nwant %q and not %q", rc, tt.rcHas, tt.rcHasNot)
			}
			if n, err := v.Notes(); err != nil || n != tt.notesWant {
				t.Errorf("Notes() = %q, %v; want %q", n, err, tt.notesWant)
			}
		})
	}
	r, _ := recipe.ParseRecipe("cond.yaml", []byte(y), testTemplates)
	if _, err := NewValues(r, JailSpec{IPs: []string{"192.0.2.9"}, Sets: []string{"apps=x term"}}); err == nil ||
		!strings.Contains(err.Error(), `--set apps: "x term" is not a package name`) {
		t.Errorf("a bad package name in apps: %v", err)
	}
	for _, bad := range []struct{ from, to, want string }{
		{"packages_from: [apps]", "packages_from: [php]", `packages_from: "php" must name a string param`},
		{"port_param: port", "port_param: apps", `port_param "apps" must name a port param`},
		{`when: "{{ .Params.php }}"`, `when: "yes"`, `must be a template expression`},
		{"packages: [php83]", "packages: [\"php 83\"]", `package "php 83" is not a valid package name`},
	} {
		_, err := recipe.ParseRecipe("cond.yaml", []byte(strings.Replace(y, bad.from, bad.to, 1)), testTemplates)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s -> %s: error %v, want %q", bad.from, bad.to, err, bad.want)
		}
	}
}
