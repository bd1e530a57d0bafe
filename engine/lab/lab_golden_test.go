package lab

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The -update flag rewrites golden files. It is registered in init, after
// every package-level variable, so a golden test elsewhere in the package
// that declares the same flag keeps working.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func labUpdating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// labGolden compares got with testdata/lab/NAME, or rewrites it with -update.
func labGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "lab", name)
	if labUpdating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./engine -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("plan differs from %s (run with -update if the change is intended):\n%s", path, labFirstDiff(string(want), string(got)))
	}
}

func labExample(t testing.TB, name string) *Lab {
	t.Helper()
	file := "../../docs/examples/" + name
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Parse("docs/examples/"+name, data, labCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLabPlanGolden pins the whole plan of the homelab example, text and
// JSON: the cross-wiring shows in it (the zone's records, dhcpd's options,
// every resolv.conf), so a change to any of it is seen in review.
func TestLabPlanGolden(t *testing.T) {
	for _, name := range []string{"homelab", "classroom"} {
		t.Run(name, func(t *testing.T) {
			p, err := PlanOffline(labExample(t, name+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			labGolden(t, name+".txt", []byte(p.Text()))
			js, err := p.JSON()
			if err != nil {
				t.Fatal(err)
			}
			labGolden(t, name+".json", append(js, '\n'))
		})
	}
}

// labFirstDiff shows the first line where two texts part, with its number.
func labFirstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, wl, gl)
		}
	}
	return "(same lines, different bytes)"
}

// TestLabHomelabWiring checks the promises of the cross-wiring in the
// homelab's rendered files themselves, independent of the golden files.
func TestLabHomelabWiring(t *testing.T) {
	l := labExample(t, "homelab.yaml")
	p, err := PlanOffline(l)
	if err != nil {
		t.Fatal(err)
	}
	file := func(jail, path string) string {
		t.Helper()
		for _, j := range p.Jails {
			if j.Name != jail {
				continue
			}
			for _, f := range j.Files {
				if f.Path == path {
					return f.Content
				}
			}
		}
		t.Fatalf("jail %s renders no %s", jail, path)
		return ""
	}
	zone := file("dns", "/usr/local/etc/namedb/primary/forward.db")
	rev := file("dns", "/usr/local/etc/namedb/primary/reverse.db")
	for _, j := range l.Jails {
		label := strings.TrimSuffix(j.Hostname, ".home.lan")
		if !strings.Contains(zone, "\n"+label+"\tIN\tA\t"+j.Addr.String()+"\n") {
			t.Errorf("zone has no A record for %s %s:\n%s", label, j.Addr, zone)
		}
		last := j.Addr.As4()[3]
		if !strings.Contains(rev, fmt.Sprintf("\n%d\tIN\tPTR\t%s.\n", last, j.Hostname)) {
			t.Errorf("reverse zone has no PTR for %s:\n%s", j.Addr, rev)
		}
		if !strings.Contains(file(j.Name, "/etc/resolv.conf"), "\nnameserver 192.168.1.53\n") {
			t.Errorf("jail %s does not resolve through the lab's DNS", j.Name)
		}
	}
	if !strings.Contains(zone, "\n@\tIN\tMX\t10 mail\n") {
		t.Errorf("zone has no MX for the mail jail:\n%s", zone)
	}
	dhcpd := file("dhcp", "/usr/local/etc/dhcpd.conf")
	for _, want := range []string{"option domain-name-servers 192.168.1.53;", `option domain-name "home.lan";`, "option routers 192.168.1.1;", "range 192.168.1.100 192.168.1.199;"} {
		if !strings.Contains(dhcpd, want) {
			t.Errorf("dhcpd.conf lacks %q:\n%s", want, dhcpd)
		}
	}
	main := file("mail", "/usr/local/etc/postfix/main.cf")
	for _, want := range []string{"myhostname = mail.home.lan\n", "mydomain = home.lan\n", "$mydomain\n"} {
		if !strings.Contains(main, want) {
			t.Errorf("main.cf lacks %q", want)
		}
	}
	if !strings.Contains(file("www", "/usr/local/etc/apache24/httpd.conf"), "ServerName www.home.lan\n") {
		t.Errorf("httpd.conf does not name www.home.lan")
	}
}
