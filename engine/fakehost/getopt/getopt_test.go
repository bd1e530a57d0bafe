package getopt

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSources checks that every line of the table names where it was
// read.
func TestSources(t *testing.T) {
	all, err := Specs()
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range all {
		if !strings.Contains(s.Source, "freebsd/") {
			t.Errorf("%s: source %q names no FreeBSD repository", name, s.Source)
		}
	}
}

// TestParseOptTableErrors checks that a damaged table is refused, not
// half read.
func TestParseOptTableErrors(t *testing.T) {
	for _, line := range []string{
		"x | getopt | a | - | 0+ | - | 1 | -",
		"x | nosuch | a | - | 0+ | - | 1 | - | src",
		"x | getopt | a | - | many | - | 1 | - | src",
		"x | getopt | a | - | 0+ | bogus | 1 | - | src",
		"x | getopt | a | - | 0+ | - | one | - | src",
		"x | getopt | a | - | 0+ | - | 1 | - | src\nx | getopt | a | - | 0+ | - | 1 | - | src",
	} {
		if _, err := parseOptTable(line); err == nil {
			t.Errorf("%q was accepted", line)
		}
	}
}

// TestGetoptSemantics pins the getopt(3) rules the emulation follows
// (lib/libc/stdlib/getopt.c): clustering, attached and separate
// arguments, "--", "-" as an operand, and stopping at the first operand.
func TestGetoptSemantics(t *testing.T) {
	s := &Spec{Name: "t", Kind: "getopt", Opts: "ab:c", MaxOps: -1, ExecAt: -1}
	for _, tc := range []struct {
		argv []string
		want Parsed
	}{
		{[]string{"t", "-ac", "x"}, Parsed{Opts: []Opt{{"a", ""}, {"c", ""}}, Operands: []string{"x"}}},
		{[]string{"t", "-bARG", "x"}, Parsed{Opts: []Opt{{"b", "ARG"}}, Operands: []string{"x"}}},
		{[]string{"t", "-ab", "ARG"}, Parsed{Opts: []Opt{{"a", ""}, {"b", "ARG"}}}},
		{[]string{"t", "-b", "-a"}, Parsed{Opts: []Opt{{"b", "-a"}}}},
		{[]string{"t", "--", "-a"}, Parsed{Operands: []string{"-a"}}},
		{[]string{"t", "-", "-a"}, Parsed{Operands: []string{"-", "-a"}}},
		{[]string{"t", "x", "-a"}, Parsed{Operands: []string{"x", "-a"}}},
	} {
		got, err := s.Parse(tc.argv)
		if err != nil {
			t.Errorf("%v: %v", tc.argv, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tc.argv, diff)
		}
	}
}

// TestGetoptLongSemantics pins getopt_long(3): permutation without '+',
// long options by unique prefix, =ARG and a separate ARG.
func TestGetoptLongSemantics(t *testing.T) {
	s := &Spec{Name: "t", Kind: "getopt_long", Opts: "o:q", Long: map[string]bool{"output": true, "quiet": false, "quit": false},
		MaxOps: -1, ExecAt: -1}
	got, err := s.Parse([]string{"t", "URL", "-o", "F", "--output=G", "--out", "H", "--quie"})
	if err != nil {
		t.Fatal(err)
	}
	want := Parsed{Opts: []Opt{{"o", "F"}, {"output", "G"}, {"output", "H"}, {"quiet", ""}}, Operands: []string{"URL"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	s.Opts = "+o:q"
	got, _ = s.Parse([]string{"t", "URL", "-q"})
	if diff := cmp.Diff(Parsed{Operands: []string{"URL", "-q"}}, got); diff != "" {
		t.Errorf("a leading + must stop at the first operand (-want +got):\n%s", diff)
	}
}

// refusal is one argv a command must refuse, with the start of its
// message and its exit status.
type refusal struct {
	argv   []string
	msg    string
	status int
}

// acceptedArgv are command lines FreeBSD takes, in the spellings plans
// use and in others the same parsers allow.
var acceptedArgv = [][]string{
	{"jail", "-f", "/etc/jail.conf.d/dns.conf", "-c", "dns"},
	{"jail", "-f/etc/jail.conf.d/dns.conf", "-c", "dns"},
	{"jail", "-f", "/etc/jail.conf", "-rc", "dns"},
	{"jail", "-c", "-r", "dns"},
	{"jail", "-r", "dns", "web"},
	{"jexec", "-l", "dns", "/usr/sbin/pkg", "bootstrap", "-y"},
	{"jexec", "dns", "sockstat", "-46l"},
	{"jexec", "-l", "dns", "pkg", "install", "-y", "bind920"},
	{"jexec", "-l", "dns", "env", "ASSUME_ALWAYS_YES=yes", "pkg", "bootstrap", "-y"},
	{"env", "UNAME_m=i386", "UNAME_p=i386", "freebsd-update", "-b", "/j", "fetch"},
	{"env", "-", "PATH=/bin", "sysrc", "-n", "hostname"},
	{"jls"},
	{"jls", "--libxo", "json", "-n"},
	{"jls", "--libxo=json", "-nj", "dns"},
	{"sockstat", "-46l", "-j", "dns"},
	{"sockstat", "-46lj5"},
	{"sockstat", "--libxo", "json", "-46lw"},
	{"sysrc", "-j", "dns", "named_enable=YES"},
	{"sysrc", "-xj", "dns", "named_enable"},
	{"sysrc", "-n", "jail_enable"},
	{"service", "-j", "dns", "named", "start"},
	{"service", "devfs", "restart"},
	{"fetch", "-o", "-", "https://example.org/MANIFEST"},
	{"fetch", "https://example.org/base.txz", "--output=/tmp/base.txz"},
	{"tar", "-xf", "/m/base.txz", "-C", "/j", "--unlink", "./etc"},
	{"tar", "xpf", "/m/base.txz", "-C", "/j"},
	{"tar", "--extract", "--file", "/m/base.txz", "--directory=/j", "--unlink-f"},
	{"freebsd-update", "-b", "/j", "--currently-running", "14.3-RELEASE", "--not-running-from-cron", "fetch", "install"},
	{"freebsd-update", "-b", "/j", "-d", "/w", "--currently-running", "14.3-RELEASE-p2", "--not-running-from-cron", "rollback"},
	{"etcupdate", "extract", "-D", "/j", "-d", "/w", "-t", "/w/old.tar"},
	{"etcupdate", "-D", "/j", "-d", "/w", "-t", "/w/new.tar"},
	{"etcupdate", "status", "-D", "/j", "-d", "/w"},
	{"tar", "-c", "-f", "/w/new.tar", "-C", "/b", "--exclude", "etc/passwd", "--exclude", "etc/*.db", "etc", "root"},
	{"kldload", "-n", "if_bridge", "if_epair"},
	{"kldunload", "if_epair"},
	{"kldstat", "-q", "-m", "if_bridge"},
	{"ifconfig", "-l"},
	{"ifconfig", "epair3", "create", "up"},
	{"zfs", "create", "zroot/jails/dns"},
	{"zfs", "destroy", "-r", "zroot/jails/dns"},
	{"zfs", "list", "-H", "-o", "name,mountpoint"},
	{"chflags", "-R", "0", "/jails/dns"},
	{"chflags", "-R", "noschg", "/jails/dns"},
	{"df", "-k", "/jails"},
	{"freebsd-version"},
	{"pkg", "-j", "dns", "install", "-y", "bind920"},
	{"pkg", "-j", "dns", "delete", "-y", "bind920"},
	{"pkg", "install", "--yes", "bind920"},
	{"/usr/sbin/pkg", "bootstrap", "-y"},
	{"/usr/sbin/pkg", "bootstrap", "-f", "-y"},
	{"/usr/sbin/pkg", "install", "-y", "bind920"},
}

// refusedArgv are command lines the real tool refuses, with its message
// and status.
var refusedArgv = []refusal{
	{[]string{"jail", "-x", "dns"}, "jail: illegal option -- x", 1},
	{[]string{"etcupdate", "-X"}, "Illegal option -X", 1},
	{[]string{"jail", "-f"}, "jail: option requires an argument -- f", 1},
	{[]string{"jexec"}, "too few operands\nusage: jexec", 1},
	{[]string{"jexec", "-d", "/", "dns", "ls"}, "jexec: illegal option -- d", 1},
	{[]string{"jexec", "dns", "sockstat", "-Z"}, "sockstat: illegal option -- Z", 1},
	{[]string{"env", "A=b", "pkg", "-Q", "install", "x"}, "pkg: illegal option -- Q", 1},
	{[]string{"env", "-u", "A", "pkg"}, "env: illegal option -- u", 1},
	{[]string{"jls", "-x"}, "jls: illegal option -- x\nusage: jls", 1},
	{[]string{"sockstat", "-46l", "-j"}, "sockstat: option requires an argument -- j", 1},
	{[]string{"sockstat", "--wide"}, "sockstat: illegal option -- -", 1},
	{[]string{"sysrc", "-y", "a=b"}, "Illegal option -y\nUsage: sysrc", 1},
	{[]string{"sysrc", "-j"}, "No arg for -j option", 1},
	{[]string{"service", "-x", "named", "start"}, "Illegal option -x", 1},
	{[]string{"fetch", "-z", "URL"}, "fetch: invalid option -- z", 1},
	{[]string{"fetch", "--outptu=x", "URL"}, "fetch: unrecognized option `--outptu'", 1},
	{[]string{"fetch", "URL", "-o"}, "fetch: option requires an argument -- o", 1},
	{[]string{"fetch", "--no-p", "URL"}, "fetch: option `--no-p' is ambiguous", 1},
	{[]string{"fetch", "--quiet=yes", "URL"}, "fetch: option `--quiet' doesn't allow an argument", 1},
	{[]string{"tar", "-xf"}, "tar: Option -f requires an argument", 1},
	{[]string{"tar", "-x", "--unlinked"}, "tar: Option --unlinked is not supported", 1},
	{[]string{"tar", "-x", "--un"}, "tar: Ambiguous option --un", 1},
	{[]string{"tar", "xE", "f"}, "tar: unknown option E", 1},
	{[]string{"freebsd-update", "-b"}, "-b needs an argument", 0},
	{[]string{"freebsd-update", "-b", "/j", "fecth"}, "\"fecth\" is neither an option nor a command", 0},
	{[]string{"freebsd-update", "-b", "/j"}, "too few operands", 0},
	{[]string{"kldload", "-f", "if_bridge"}, "kldload: illegal option -- f", 1},
	{[]string{"kldload", "-n"}, "too few operands\nusage: kldload", 1},
	{[]string{"kldunload", "-x", "if_bridge"}, "kldunload: illegal option -- x", 64},
	{[]string{"ifconfig", "-j", "dns", "-l"}, "ifconfig: illegal option -- j", 1},
	{[]string{"zfs", "create", "-x", "zroot/a"}, "invalid option 'x'", 2},
	{[]string{"zfs", "create", "-o"}, "missing argument for 'o' option", 2},
	{[]string{"zfs", "destroy", "-r"}, "too few operands", 2},
	{[]string{"zfs", "send", "zroot/a@x"}, "no option string", 0},
	{[]string{"chflags", "-R", "0"}, "too few operands\nusage: chflags", 1},
	{[]string{"df", "-Z"}, "df: invalid option -- Z", 64},
	{[]string{"pkg", "-y", "install", "x"}, "pkg: illegal option -- y", 1},
	{[]string{"pkg", "-j", "dns", "install", "-z", "x"}, "pkg: illegal option -- z\nUsage: pkg install", 1},
	{[]string{"pkg", "-j", "dns", "install", "-y"}, "too few operands", 1},
	{[]string{"pkg", "-j", "dns", "autoremove"}, "no option string", 0},
	{[]string{"/usr/sbin/pkg", "bootstrap", "-y", "extra"}, "too many operands", 1},
	{[]string{"nosuchtool", "-x"}, "no option string", 0},
}

// TestArgvTables runs every accepted argv and every refused one through
// Check, the check the fake host makes before each command.
func TestArgvTables(t *testing.T) {
	for _, argv := range acceptedArgv {
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			if err := Check(argv); err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}
	for _, tc := range refusedArgv {
		t.Run(strings.Join(tc.argv, " "), func(t *testing.T) {
			err := Check(tc.argv)
			var ue *UsageError
			switch {
			case err == nil:
				t.Fatal("accepted")
			case errors.Is(err, ErrNoSpec):
				if tc.msg != "no option string" {
					t.Errorf("no spec: %v", err)
				}
			case !errors.As(err, &ue):
				t.Errorf("not a usage error: %v", err)
			case !strings.HasPrefix(ue.Msg, tc.msg) || ue.Status != tc.status:
				t.Errorf("got status %d %q, want %d %q", ue.Status, ue.Msg, tc.status, tc.msg)
			}
		})
	}
}
