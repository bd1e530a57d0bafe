package fakehost

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/jailkit/jailkit/engine/system"
)

// ErrNoOptSpec is an argv whose command (or subcommand) has no option
// string in testdata/getopt.txt: nobody has read how it parses.
var ErrNoOptSpec = errors.New("no option string from FreeBSD's source in engine/fakehost/testdata/getopt.txt")

// CheckArgv says whether FreeBSD would accept argv as a command line:
// argv is read with its command's option string from
// testdata/getopt.txt, a subcommand with its own, and a command that
// runs another (jexec) has that one checked too. A refusal is a
// *UsageError with the tool's message and exit status.
func CheckArgv(argv []string) error {
	_, err := ParseArgv(argv)
	return err
}

// ParseArgv reads argv as CheckArgv does and returns what the command's
// getopt returned.
func ParseArgv(argv []string) (Parsed, error) {
	if len(argv) == 0 {
		return Parsed{}, errors.New("empty argv")
	}
	all, err := OptSpecs()
	if err != nil {
		return Parsed{}, err
	}
	s := lookupSpec(all, argv[0])
	if s == nil {
		return Parsed{}, fmt.Errorf("%s: %w", argv[0], ErrNoOptSpec)
	}
	p, err := s.Parse(argv)
	if err != nil {
		return p, err
	}
	if s.Sub && len(p.Operands) > 0 {
		return parseSub(all, s, argv, p)
	}
	if s.ExecAt >= 0 && len(p.Operands) > s.ExecAt {
		if err := CheckArgv(p.Operands[s.ExecAt:]); err != nil {
			return p, err
		}
	}
	return p, nil
}

// parseSub reads the subcommand p.Operands[0] of s with its own spec.
func parseSub(all map[string]*OptSpec, s *OptSpec, argv []string, p Parsed) (Parsed, error) {
	sub := p.Operands[0]
	ss := all[s.Name+" "+sub]
	if ss == nil {
		if s.Else != "" {
			// The pkg bootstrapper hands every other subcommand,
			// argv unchanged, to the real pkg once it is there.
			return ParseArgv(append([]string{s.Else}, argv[1:]...))
		}
		return p, fmt.Errorf("%s %s: %w", argv[0], sub, ErrNoOptSpec)
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

// refuse turns a refused argv into what running it gives: an ExitError
// with the tool's exit status and message.
func refuse(argv []string, err error) error {
	var ue *UsageError
	if errors.As(err, &ue) {
		return &system.ExitError{Argv: argv, Err: fmt.Errorf("exit status %d", ue.Status), Stderr: ue.Msg}
	}
	return err
}

// mustParse re-reads an argv run already checked (Host.run checks every
// argv before its handler sees it).
func mustParse(a []string) Parsed {
	p, err := ParseArgv(a)
	if err != nil {
		panic(fmt.Sprintf("fakehost: %v was checked before: %v", a, err))
	}
	return p
}

// failStatus is a command that ran and exited with status, msg on
// standard error.
func failStatus(argv []string, status int, format string, args ...any) error {
	return &system.ExitError{Argv: argv, Err: fmt.Errorf("exit status %d", status), Stderr: fmt.Sprintf(format, args...)}
}

// base is argv0 without its directory, as commands are looked up.
func base(argv0 string) string { return path.Base(strings.TrimSpace(argv0)) }
