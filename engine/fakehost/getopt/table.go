package getopt

import (
	_ "embed"
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"
)

// getoptTable is testdata/getopt.txt: each simulated command's option
// string as FreeBSD's source has it, with the source it was read from.
//
//go:embed testdata/getopt.txt
var getoptTable string

// Spec is one line of testdata/getopt.txt: how one FreeBSD command (or
// subcommand) reads its argv.
type Spec struct {
	Name   string
	Kind   string          // getopt, getopt_long, sh_getopts, bsdtar, words
	Opts   string          // the option string as in the source
	Long   map[string]bool // long option (or command word) -> takes an argument
	MinOps int             // operands accepted after the options
	MaxOps int             // -1 for no limit
	Libxo  bool            // xo_parse_args takes --libxo first
	Sub    bool            // the first operand names a subcommand
	ExecAt int             // operands from here on are a command; -1 for none
	// ExecAfterAssign says the command comes after the leading
	// NAME=VALUE operands (env).
	ExecAfterAssign bool
	Posix           bool   // getopt_long messages under POSIXLY_CORRECT
	Lenient         bool   // unknown options are ignored
	Else            string // spec for a subcommand the table lacks
	Status          int    // exit status of usage()
	Usage           string // first line of usage(), "" when not read
	Source          string
}

// Opt is one option getopt returned: its letter (or long name) and
// argument.
type Opt struct {
	Name string
	Arg  string
}

// Parsed is an argv as the command's getopt sees it.
type Parsed struct {
	Opts     []Opt
	Operands []string
	// Sub is the subcommand of a command with subcommands (pkg, zfs);
	// Opts then holds the command's options and the subcommand's, and
	// Operands the subcommand's.
	Sub string
}

// Has says whether option name was given.
func (p Parsed) Has(name string) bool {
	for _, o := range p.Opts {
		if o.Name == name {
			return true
		}
	}
	return false
}

// Arg returns the argument of the last option name, and whether it was
// given.
func (p Parsed) Arg(name string) (string, bool) {
	arg, ok := "", false
	for _, o := range p.Opts {
		if o.Name == name {
			arg, ok = o.Arg, true
		}
	}
	return arg, ok
}

// UsageError is an argv the command refuses: Msg is what it prints on
// standard error and Status its exit status.
type UsageError struct {
	Argv   []string
	Status int
	Msg    string
}

func (e *UsageError) Error() string {
	return fmt.Sprintf("%s: exit status %d: %s", strings.Join(e.Argv, " "), e.Status, e.Msg)
}

var (
	specsOnce sync.Once
	specs     map[string]*Spec
	specsErr  error
)

// Specs returns the parsed table of testdata/getopt.txt by name.
func Specs() (map[string]*Spec, error) {
	specsOnce.Do(func() { specs, specsErr = parseOptTable(getoptTable) })
	return specs, specsErr
}

// parseOptTable reads the " | "-separated lines of the table.
func parseOptTable(text string) (map[string]*Spec, error) {
	out := map[string]*Spec{}
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, " | ")
		if len(f) < 9 {
			return nil, fmt.Errorf("getopt.txt:%d: %d fields, want 9", n+1, len(f))
		}
		// Only USAGE may hold " | " itself (sysrc's does).
		usage := strings.Join(f[7:len(f)-1], " | ")
		s := &Spec{Name: f[0], Kind: f[1], Opts: dash(f[2]), Long: map[string]bool{}, ExecAt: -1, Usage: dash(usage), Source: f[len(f)-1]}
		switch s.Kind {
		case "getopt", "getopt_long", "sh_getopts", "bsdtar", "words":
		default:
			return nil, fmt.Errorf("getopt.txt:%d: unknown kind %q", n+1, s.Kind)
		}
		for _, l := range strings.Split(dash(f[3]), ",") {
			if l != "" {
				name, arg := strings.CutSuffix(l, "=")
				s.Long[name] = arg
			}
		}
		var err error
		if s.MinOps, s.MaxOps, err = parseOperands(f[4]); err != nil {
			return nil, fmt.Errorf("getopt.txt:%d: %w", n+1, err)
		}
		if err := s.setFlags(dash(f[5])); err != nil {
			return nil, fmt.Errorf("getopt.txt:%d: %w", n+1, err)
		}
		if s.Status, err = strconv.Atoi(f[6]); err != nil {
			return nil, fmt.Errorf("getopt.txt:%d: status: %w", n+1, err)
		}
		if out[s.Name] != nil {
			return nil, fmt.Errorf("getopt.txt:%d: %s twice", n+1, s.Name)
		}
		out[s.Name] = s
	}
	return out, nil
}

func dash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// parseOperands reads N, N+ or N-M.
func parseOperands(f string) (lo, hi int, err error) {
	if n, ok := strings.CutSuffix(f, "+"); ok {
		lo, err = strconv.Atoi(n)
		return lo, -1, err
	}
	a, b, ok := strings.Cut(f, "-")
	if lo, err = strconv.Atoi(a); err != nil || !ok {
		return lo, lo, err
	}
	hi, err = strconv.Atoi(b)
	return lo, hi, err
}

func (s *Spec) setFlags(flags string) error {
	for _, fl := range strings.Split(flags, ",") {
		switch {
		case fl == "":
		case fl == "libxo":
			s.Libxo = true
		case fl == "sub":
			s.Sub = true
		case fl == "posix":
			s.Posix = true
		case fl == "lenient":
			s.Lenient = true
		case fl == "exec@assign":
			s.ExecAfterAssign = true
		case strings.HasPrefix(fl, "exec@"):
			n, err := strconv.Atoi(strings.TrimPrefix(fl, "exec@"))
			if err != nil {
				return err
			}
			s.ExecAt = n
		case strings.HasPrefix(fl, "else="):
			s.Else = strings.TrimPrefix(fl, "else=")
		default:
			return fmt.Errorf("unknown flag %q", fl)
		}
	}
	return nil
}

// Lookup returns the spec of the command argv0 (nil when the table has
// none).
func Lookup(argv0 string) *Spec {
	all, err := Specs()
	if err != nil {
		return nil
	}
	return lookupSpec(all, argv0)
}

// lookupSpec finds the spec of argv0: as given, then by its base name.
func lookupSpec(all map[string]*Spec, argv0 string) *Spec {
	if s := all[argv0]; s != nil {
		return s
	}
	return all[path.Base(argv0)]
}

// Parse reads argv (argv[0] included) the way the command's own option
// parser does, and refuses what it refuses.
func (s *Spec) Parse(argv []string) (Parsed, error) {
	prog := path.Base(argv[0])
	args := argv[1:]
	if s.Libxo {
		args = StripLibxo(args)
	}
	var p Parsed
	var msg string
	switch s.Kind {
	case "getopt", "sh_getopts", "getopt_long":
		p, msg = s.parseGetopt(args, prog)
	case "bsdtar":
		p, msg = s.parseBsdtar(args, prog)
	case "words":
		p, msg = s.parseWords(args)
	}
	if msg == "" && len(p.Operands) < s.MinOps {
		msg = "too few operands"
	}
	if msg == "" && s.MaxOps >= 0 && len(p.Operands) > s.MaxOps && s.ExecAt < 0 && !s.ExecAfterAssign {
		msg = "too many operands"
	}
	if msg != "" {
		return p, s.usageError(argv, msg)
	}
	return p, nil
}

// usageError is what the command prints when it refuses argv: the
// parser's complaint, then the first line of its usage().
func (s *Spec) usageError(argv []string, msg string) *UsageError {
	if s.Usage != "" {
		msg += "\n" + s.Usage
	}
	return &UsageError{Argv: argv, Status: s.Status, Msg: msg}
}

// StripLibxo drops the libxo options xo_parse_args(3) consumes:
// "--libxo X", "--libxo=X" and "--libxo:X".
func StripLibxo(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--libxo" && i+1 < len(args):
			i++
		case strings.HasPrefix(a, "--libxo=") || strings.HasPrefix(a, "--libxo:"):
		default:
			out = append(out, a)
		}
	}
	return out
}
