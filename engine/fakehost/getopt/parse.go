package getopt

import (
	"fmt"
	"strings"
)

// shortOpt looks letter c up in a getopt option string: known says it is
// an option, arg that it takes an argument. ':' is never an option, and
// the leading '+' or ':' modifiers are not letters.
func shortOpt(opts string, c byte) (known, arg bool) {
	opts = strings.TrimLeft(opts, "+:")
	if c == ':' {
		return false, false
	}
	i := strings.IndexByte(opts, c)
	if i < 0 {
		return false, false
	}
	return true, i+1 < len(opts) && opts[i+1] == ':'
}

// shortMsgs are the complaints of one parser about an unknown letter and
// a missing argument.
type shortMsgs struct{ unknown, noArg string }

func (s *Spec) msgs(prog string) shortMsgs {
	switch {
	case s.Kind == "sh_getopts":
		// bin/sh/options.c getopts: out2fmt_flush, no program name.
		return shortMsgs{"Illegal option -%c", "No arg for -%c option"}
	case s.Kind == "getopt_long" && !s.Posix:
		// getopt_long.c with GNU_COMPATIBLE: gnuoptchar.
		return shortMsgs{prog + ": invalid option -- %c", prog + ": option requires an argument -- %c"}
	case strings.HasPrefix(s.Opts, ":"):
		// A leading ':' silences getopt; zfs then says it itself
		// (zfs_main.c zfs_do_create).
		return shortMsgs{"invalid option '%c'", "missing argument for '%c' option"}
	}
	// lib/libc/stdlib/getopt.c (and getopt_long.c's illoptchar).
	return shortMsgs{prog + ": illegal option -- %c", prog + ": option requires an argument -- %c"}
}

// shortCluster reads the letters of one word ("-xf" or "-fFILE"), taking
// an argument from the rest of the word or from the next word; it
// returns how many further words it used.
func (s *Spec) shortCluster(p *Parsed, word string, next []string, m shortMsgs) (used int, msg string) {
	for j := 1; j < len(word); j++ {
		c := word[j]
		known, takes := shortOpt(s.Opts, c)
		if !known {
			if s.Lenient {
				continue
			}
			return used, fmt.Sprintf(m.unknown, c)
		}
		if !takes {
			p.Opts = append(p.Opts, Opt{Name: string(c)})
			continue
		}
		switch {
		case j+1 < len(word):
			p.Opts = append(p.Opts, Opt{Name: string(c), Arg: word[j+1:]})
		case len(next) > 0:
			p.Opts = append(p.Opts, Opt{Name: string(c), Arg: next[0]})
			used = 1
		case s.Lenient:
		default:
			return used, fmt.Sprintf(m.noArg, c)
		}
		// The argument ends the word.
		return used, ""
	}
	return used, ""
}

// parseGetopt is getopt(3), sh getopts and FreeBSD's getopt_long(3):
// options up to the first operand or "--" ("-" alone is an operand);
// getopt_long adds "--name" long options and, without a leading '+' in
// its option string, takes operands between options (moving them after
// the options).
func (s *Spec) parseGetopt(args []string, prog string) (Parsed, string) {
	var p Parsed
	m := s.msgs(prog)
	long := s.Kind == "getopt_long"
	permute := long && !strings.HasPrefix(s.Opts, "+")
	i := 0
	for i < len(args) {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if a == "-" && strings.Contains(s.Opts, "-") {
			// getopt.c: a solitary "-" is option '-' when the
			// option string lists it (env).
			p.Opts = append(p.Opts, Opt{Name: "-"})
			i++
			continue
		}
		if len(a) < 2 || a[0] != '-' {
			if !permute {
				break
			}
			p.Operands = append(p.Operands, a)
			i++
			continue
		}
		var used int
		var msg string
		if long && strings.HasPrefix(a, "--") {
			used, msg = s.longOpt(&p, a[2:], args[i+1:], "--", prog)
		} else {
			used, msg = s.shortCluster(&p, a, args[i+1:], m)
		}
		if msg != "" {
			return p, msg
		}
		i += 1 + used
	}
	p.Operands = append(p.Operands, args[i:]...)
	return p, ""
}

// matchLong finds the long option word names: an exact name, or the one
// name it is a prefix of; ambiguous says several names start with it.
func matchLong(long map[string]bool, word string) (name string, ambiguous bool) {
	if _, ok := long[word]; ok {
		return word, false
	}
	for n := range long {
		if strings.HasPrefix(n, word) {
			if name != "" {
				return "", true
			}
			name = n
		}
	}
	return name, false
}

// longOpt reads one "--name[=arg]" with getopt_long's GNU_COMPATIBLE
// messages (lib/libc/stdlib/getopt_long.c parse_long_options).
func (s *Spec) longOpt(p *Parsed, body string, next []string, dash, prog string) (used int, msg string) {
	word, arg, hasEq := strings.Cut(body, "=")
	name, ambiguous := matchLong(s.Long, word)
	switch {
	case ambiguous:
		return 0, fmt.Sprintf("%s: option `%s%s' is ambiguous", prog, dash, word)
	case name == "" && s.Lenient:
		return 0, ""
	case name == "":
		return 0, fmt.Sprintf("%s: unrecognized option `%s%s'", prog, dash, word)
	case !s.Long[name] && hasEq:
		return 0, fmt.Sprintf("%s: option `%s%s' doesn't allow an argument", prog, dash, word)
	case s.Long[name] && !hasEq:
		if len(next) == 0 {
			return 0, fmt.Sprintf("%s: option `%s%s' requires an argument", prog, dash, word)
		}
		arg, used = next[0], 1
	}
	p.Opts = append(p.Opts, Opt{Name: name, Arg: arg})
	return used, ""
}

// parseBsdtar is bsdtar_getopt (contrib/libarchive/tar/cmdline.c): a
// first word without '-' is bundled old-style letters whose arguments are
// the following words; then options up to the first operand or "--".
func (s *Spec) parseBsdtar(args []string, prog string) (Parsed, string) {
	var p Parsed
	i := 0
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		word := args[0]
		i = 1
		for j := 0; j < len(word); j++ {
			known, takes := shortOpt(s.Opts, word[j])
			if !known {
				// bsdtar_getopt returns '?' and main calls usage().
				return p, fmt.Sprintf("%s: unknown option %c", prog, word[j])
			}
			if !takes {
				p.Opts = append(p.Opts, Opt{Name: string(word[j])})
				continue
			}
			if i >= len(args) {
				return p, fmt.Sprintf("%s: Option %c requires an argument", prog, word[j])
			}
			p.Opts = append(p.Opts, Opt{Name: string(word[j]), Arg: args[i]})
			i++
		}
	}
	for i < len(args) {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if !strings.HasPrefix(a, "-") {
			break
		}
		var used int
		var msg string
		if strings.HasPrefix(a, "--") {
			used, msg = s.bsdtarLong(&p, a[2:], args[i+1:], prog)
		} else {
			used, msg = s.shortCluster(&p, a, args[i+1:], shortMsgs{prog + ": unknown option -%c", prog + ": Option -%c requires an argument"})
		}
		if msg != "" {
			return p, msg
		}
		i += 1 + used
	}
	p.Operands = append(p.Operands, args[i:]...)
	return p, ""
}

// bsdtarLong is bsdtar_getopt's long option state, with its messages.
func (s *Spec) bsdtarLong(p *Parsed, body string, next []string, prog string) (used int, msg string) {
	word, arg, hasEq := strings.Cut(body, "=")
	name, ambiguous := matchLong(s.Long, word)
	switch {
	case ambiguous:
		return 0, fmt.Sprintf("%s: Ambiguous option --%s", prog, word)
	case name == "":
		return 0, fmt.Sprintf("%s: Option --%s is not supported", prog, body)
	case !s.Long[name] && hasEq:
		return 0, fmt.Sprintf("%s: Option --%s does not allow an argument", prog, name)
	case s.Long[name] && !hasEq:
		if len(next) == 0 {
			return 0, fmt.Sprintf("%s: Option --%s requires an argument", prog, name)
		}
		arg, used = next[0], 1
	}
	p.Opts = append(p.Opts, Opt{Name: name, Arg: arg})
	return used, ""
}

// parseWords is a hand-written "case $1" loop (freebsd-update.sh
// parse_cmdline): every word is an option word, an option word and its
// argument, or a command word; anything else makes it print its usage.
func (s *Spec) parseWords(args []string) (Parsed, string) {
	var p Parsed
	takes := map[string]bool{}
	for _, w := range strings.Fields(s.Opts) {
		name, arg := strings.CutSuffix(w, ":")
		takes[name] = arg
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		arg, isOpt := takes[a]
		switch {
		case isOpt && arg:
			if i+1 >= len(args) {
				return p, fmt.Sprintf("%s needs an argument", a)
			}
			p.Opts = append(p.Opts, Opt{Name: a, Arg: args[i+1]})
			i++
		case isOpt:
			p.Opts = append(p.Opts, Opt{Name: a})
		case s.Long[a] || !hasKey(s.Long, a):
			return p, fmt.Sprintf("%q is neither an option nor a command", a)
		default:
			p.Operands = append(p.Operands, a)
		}
	}
	return p, ""
}

func hasKey(m map[string]bool, k string) bool {
	_, ok := m[k]
	return ok
}
