package getopt

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoSpec is an argv whose command (or subcommand) has no option
// string in testdata/getopt.txt: nobody has read how it parses.
var ErrNoSpec = errors.New("no option string from FreeBSD's source in engine/fakehost/getopt/testdata/getopt.txt")

// Check says whether FreeBSD would accept argv as a command line:
// argv is read with its command's option string from
// testdata/getopt.txt, a subcommand with its own, and a command that
// runs another (jexec) has that one checked too. A refusal is a
// *UsageError with the tool's message and exit status.
func Check(argv []string) error {
	_, err := Parse(argv)
	return err
}

// Parse reads argv as Check does and returns what the command's
// getopt returned.
func Parse(argv []string) (Parsed, error) {
	if len(argv) == 0 {
		return Parsed{}, errors.New("empty argv")
	}
	all, err := Specs()
	if err != nil {
		return Parsed{}, err
	}
	s := lookupSpec(all, argv[0])
	if s == nil {
		return Parsed{}, fmt.Errorf("%s: %w", argv[0], ErrNoSpec)
	}
	p, err := s.Parse(argv)
	if err != nil {
		return p, err
	}
	if s.Sub && len(p.Operands) > 0 {
		return parseSub(all, s, argv, p)
	}
	at := s.ExecAt
	if s.ExecAfterAssign {
		for at = 0; at < len(p.Operands) && strings.Contains(p.Operands[at], "="); at++ {
		}
	}
	if at >= 0 && len(p.Operands) > at {
		if err := Check(p.Operands[at:]); err != nil {
			return p, err
		}
	}
	return p, nil
}

// parseSub reads the subcommand p.Operands[0] of s with its own spec.
func parseSub(all map[string]*Spec, s *Spec, argv []string, p Parsed) (Parsed, error) {
	sub := p.Operands[0]
	ss := all[s.Name+" "+sub]
	if ss == nil {
		if s.Else != "" {
			// The pkg bootstrapper hands every other subcommand,
			// argv unchanged, to the real pkg once it is there.
			return Parse(append([]string{s.Else}, argv[1:]...))
		}
		return p, fmt.Errorf("%s %s: %w", argv[0], sub, ErrNoSpec)
	}
	sp, err := ss.Parse(append([]string{argv[0]}, p.Operands[1:]...))
	if err != nil {
		var ue *UsageError
		if errors.As(err, &ue) {
			ue.Argv = argv
		}
		return p, err
	}
	return Parsed{Opts: append(p.Opts, sp.Opts...), Operands: sp.Operands, Sub: sub}, nil
}
