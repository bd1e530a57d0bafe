package recipes_test

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
)

var update = flag.Bool("update", false, "rewrite golden files")

// specFromArgs reads a testdata/values/NAME.args file: one flag per line,
// as a user would type it after "jailkit render NAME".
func specFromArgs(t testing.TB, file string) render.JailSpec {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var spec render.JailSpec
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		flagName, val, _ := strings.Cut(line, " ")
		switch flagName {
		case "--ip":
			spec.IPs = append(spec.IPs, val)
		case "--name":
			spec.Name = val
		case "--hostname":
			spec.Hostname = val
		case "--set":
			spec.Sets = append(spec.Sets, val)
		case "--release":
			spec.Release = val
		case "--arch":
			spec.Arch = val
		default:
			t.Fatalf("%s: unknown flag %q", file, flagName)
		}
	}
	return spec
}

// RenderCase renders recipe name with the values in testdata/values/CASE.args.
func renderCase(t testing.TB, recipeName, argsFile string) []render.File {
	t.Helper()
	c, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Get(recipeName)
	if err != nil {
		t.Fatal(err)
	}
	v, err := render.NewValues(r, specFromArgs(t, argsFile))
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Render(v)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestGolden renders every case in testdata/values (NAME.args or
// NAME-VARIANT.args for recipe NAME) and compares each file with
// testdata/golden/CASE/PATH. Run "go test ./recipes -update" after an
// intended change and review the diff.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/values/*.args")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases in testdata/values: %v", err)
	}
	c, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, file := range cases {
		name := strings.TrimSuffix(filepath.Base(file), ".args")
		recipe, _, _ := strings.Cut(name, "-")
		covered[recipe] = true
		t.Run(name, func(t *testing.T) {
			files := renderCase(t, recipe, file)
			dir := filepath.Join("testdata/golden", name)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
			}
			want := map[string]bool{}
			for _, f := range files {
				if f.Dir {
					continue
				}
				golden := filepath.Join(dir, filepath.FromSlash(f.Path))
				want[golden] = true
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, f.Content, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				got, err := os.ReadFile(golden)
				if err != nil {
					t.Errorf("%s: no golden file (run go test ./recipes -update): %v", f.Path, err)
					continue
				}
				if diff := cmp.Diff(string(got), string(f.Content)); diff != "" {
					t.Errorf("%s differs from %s (-golden +rendered):\n%s", f.Path, golden, diff)
				}
			}
			// A golden file that is no longer rendered is stale.
			filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() && !want[p] {
					t.Errorf("%s is not rendered any more; run go test ./recipes -update", p)
				}
				return nil
			})
		})
	}
	for _, r := range c.List() {
		if !covered[r.Name] {
			t.Errorf("recipe %s has no golden case in testdata/values", r.Name)
		}
	}
}

// casesOf returns every testdata/values case of recipe: NAME.args and
// NAME-VARIANT.args.
func casesOf(t testing.TB, recipeName string) []string {
	t.Helper()
	var cases []string
	for _, pattern := range []string{recipeName + ".args", recipeName + "-*.args"} {
		m, err := filepath.Glob(filepath.Join("testdata/values", pattern))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, m...)
	}
	if len(cases) == 0 {
		t.Fatalf("no %s cases in testdata/values", recipeName)
	}
	return cases
}

// breakFile applies edit to the rendered file at p, for a broken control
// that a daemon's checker must reject. An edit that changes nothing means
// the template moved on and the control no longer breaks anything.
func breakFile(t testing.TB, p string, edit func(string) string) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	broken := edit(string(data))
	if broken == string(data) {
		t.Fatalf("the edit did not change %s; the test is stale", p)
	}
	if err := os.WriteFile(p, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
}

// benchmarkRender measures rendering recipe with one case's values, from
// values to bytes: the pure part of every render and install.
func benchmarkRender(b *testing.B, recipeName, argsFile string) {
	c, err := recipe.LoadCatalog()
	if err != nil {
		b.Fatal(err)
	}
	r, err := c.Get(recipeName)
	if err != nil {
		b.Fatal(err)
	}
	v, err := render.NewValues(r, specFromArgs(b, filepath.Join("testdata/values", argsFile)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render.Render(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderDNS(b *testing.B)        { benchmarkRender(b, "dns", "dns.args") }
func BenchmarkRenderDNSRecords(b *testing.B) { benchmarkRender(b, "dns", "dns-records.args") }
func BenchmarkRenderWWW(b *testing.B)        { benchmarkRender(b, "www", "www-tls-php.args") }
func BenchmarkRenderMail(b *testing.B)       { benchmarkRender(b, "mail", "mail-relay.args") }
func BenchmarkRenderDHCP(b *testing.B)       { benchmarkRender(b, "dhcp", "dhcp-static.args") }
func BenchmarkRenderX11(b *testing.B)        { benchmarkRender(b, "x11", "x11-sshd.args") }
