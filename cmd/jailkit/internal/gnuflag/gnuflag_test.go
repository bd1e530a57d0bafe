package gnuflag

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func newSet() (*flag.FlagSet, *string, *bool, *int) {
	fs := flag.NewFlagSet("jailkit render", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	ip := fs.String("ip", "", "")
	fs.String("interface", "", "")
	dry := fs.Bool("dry-run", false, "")
	jobs := fs.Int("jobs", 1, "")
	return fs, ip, dry, jobs
}

func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		stop      bool
		pos       []string
		ip        string
		dry       bool
		jobs      int
		err, hint string
	}{
		{name: "interspersed", args: []string{"dns", "--ip", "192.0.2.1", "x", "--dry-run"}, pos: []string{"dns", "x"}, ip: "192.0.2.1", dry: true, jobs: 1},
		{name: "equals", args: []string{"--ip=192.0.2.1", "--jobs=3", "--dry-run=false"}, ip: "192.0.2.1", jobs: 3},
		{name: "single dash", args: []string{"-ip", "a", "dns"}, pos: []string{"dns"}, ip: "a", jobs: 1},
		{name: "double dash ends flags", args: []string{"--", "--ip", "x"}, pos: []string{"--ip", "x"}, jobs: 1},
		{name: "lone dash is positional", args: []string{"-"}, pos: []string{"-"}, jobs: 1},
		{name: "stop at positional", args: []string{"--dry-run", "install", "--ip", "x"}, stop: true, pos: []string{"install", "--ip", "x"}, dry: true, jobs: 1},
		{name: "negative value", args: []string{"--jobs", "-1"}, jobs: -1},
		{name: "unknown near", args: []string{"--ipp", "x"}, err: "unknown flag --ipp", hint: "did you mean --ip? (see jailkit help render)"},
		{name: "unknown as typed", args: []string{"-dryrun"}, err: "unknown flag -dryrun", hint: "did you mean --dry-run? (see jailkit help render)"},
		{name: "unknown far", args: []string{"--colour"}, err: "unknown flag --colour", hint: "see jailkit help render"},
		{name: "triple dash", args: []string{"---ip", "x"}, err: "unknown flag ---ip"},
		{name: "missing value", args: []string{"dns", "--ip"}, err: "flag --ip needs a value"},
		{name: "bad value", args: []string{"--jobs", "many"}, err: `invalid value "many" for flag --jobs: parse error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, ip, dry, jobs := newSet()
			pos, err := Parse(fs, tt.args, tt.stop, "jailkit help render")
			if tt.err != "" {
				var ge *Error
				if !errors.As(err, &ge) || ge.Msg != tt.err {
					t.Fatalf("Parse = %v, want %q", err, tt.err)
				}
				if tt.hint != "" && ge.Hint != tt.hint {
					t.Errorf("hint = %q, want %q", ge.Hint, tt.hint)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d := cmp.Diff(tt.pos, pos); d != "" {
				t.Errorf("positional (-want +got):\n%s", d)
			}
			if *ip != tt.ip || *dry != tt.dry || *jobs != tt.jobs {
				t.Errorf("ip, dry-run, jobs = %q %v %d, want %q %v %d", *ip, *dry, *jobs, tt.ip, tt.dry, tt.jobs)
			}
		})
	}
}

func TestNearest(t *testing.T) {
	cmds := []string{"recipes", "show", "render", "install", "uninstall", "list", "check", "collect", "lab", "lint", "version"}
	tests := []struct{ in, want string }{
		{"instal", "install"}, {"isntall", "install"}, {"recipies", "recipes"}, {"shwo", "show"},
		{"ver", "version"}, {"frobnicate", ""}, {"xyz", ""}, {"", ""},
	}
	for _, tt := range tests {
		if got := Nearest(tt.in, cmds); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMentions(t *testing.T) {
	text := "  --ip IP   the address\n  --ipv6 X\n  --dry-run"
	for name, want := range map[string]bool{"ip": true, "ipv6": true, "dry-run": true, "dry": false, "i": false, "format": false} {
		if got := Mentions(text, name); got != want {
			t.Errorf("Mentions(%q) = %v, want %v", name, got, want)
		}
	}
}

// FuzzParse: any argument list either parses or fails with an Error whose
// message names a flag, and never panics; positional arguments come back
// in order and unchanged.
func FuzzParse(f *testing.F) {
	f.Add("dns\x00--ip\x00192.0.2.1\x00--dry-run")
	f.Add("--jobs=x\x00--\x00-")
	f.Add("---\x00-\x00--=\x00--ip=")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		fs, _, _, _ := newSet()
		pos, err := Parse(fs, args, false, "jailkit help render")
		if err != nil {
			var ge *Error
			if !errors.As(err, &ge) || !strings.Contains(ge.Msg, "flag") {
				t.Fatalf("error %v is not a flag Error", err)
			}
			return
		}
		for _, p := range pos {
			if !contains(args, p) {
				t.Fatalf("positional %q is not among the arguments", p)
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
