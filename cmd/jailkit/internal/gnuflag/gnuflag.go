package gnuflag

import (
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/jailkit/jailkit/engine/recipe"
)

// Error is bad usage: what is wrong and a hint at the way out.
type Error struct {
	Msg, Hint string
}

// Error returns the message without the hint.
func (e *Error) Error() string { return e.Msg }

// boolFlag is the flag.Value of a flag that takes no argument, as the
// flag package itself tells them apart.
type boolFlag interface {
	flag.Value
	IsBoolFlag() bool
}

// IsBool says whether f takes no value (--dry-run rather than --ip X).
func IsBool(f *flag.Flag) bool {
	b, ok := f.Value.(boolFlag)
	return ok && b.IsBoolFlag()
}

// Parse sets the flags in args on fs and returns the positional
// arguments. Flags (--name VALUE, --name=VALUE, and -name for those used
// to the flag package) may stand before, between or after positional
// arguments; a lone "--" ends them. With stopAtPositional the first
// positional argument ends parsing and it and all after it are returned,
// as the global flags stop at a command's name. hint names where the
// flags are described ("jailkit help render").
func Parse(fs *flag.FlagSet, args []string, stopAtPositional bool, hint string) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if len(arg) < 2 || arg[0] != '-' {
			if stopAtPositional {
				return append(pos, args[i:]...), nil
			}
			pos = append(pos, arg)
			continue
		}
		typed, value, hasValue := strings.Cut(arg, "=")
		name := strings.TrimLeft(typed, "-")
		f := fs.Lookup(name)
		if f == nil || name == "" || len(typed)-len(name) > 2 {
			return nil, unknown(fs, typed, hint)
		}
		if IsBool(f) && !hasValue {
			value = "true"
		} else if !hasValue {
			if i+1 >= len(args) {
				return nil, &Error{Msg: fmt.Sprintf("flag %s needs a value", typed), Hint: "see " + hint}
			}
			i++
			value = args[i]
		}
		if err := fs.Set(name, value); err != nil {
			return nil, &Error{Msg: fmt.Sprintf("invalid value %q for flag %s: %v", value, typed, err), Hint: "see " + hint}
		}
	}
	return pos, nil
}

// unknown is the error for a flag fs does not define, with the nearest
// one it does as the hint.
func unknown(fs *flag.FlagSet, typed, hint string) error {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if s := Nearest(strings.TrimLeft(typed, "-"), names); s != "" {
		return &Error{Msg: "unknown flag " + typed, Hint: fmt.Sprintf("did you mean --%s? (see %s)", s, hint)}
	}
	return &Error{Msg: "unknown flag " + typed, Hint: "see " + hint}
}

// Nearest returns the candidate closest to s when it is close enough to
// be a slip of the keyboard (or s is a prefix of it), and "" otherwise.
// Ties go to the first in sorted order, so the suggestion is stable.
func Nearest(s string, candidates []string) string {
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	best, bestDist := "", 0
	for _, c := range sorted {
		d := recipe.EditDistance(s, c)
		if len(s) >= 3 && strings.HasPrefix(c, s) {
			d = 1
		}
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := 2
	if len(s) <= 3 {
		limit = 1
	}
	if best == "" || bestDist > limit {
		return ""
	}
	return best
}

// Mentions says whether text names the flag --name as a whole word, so
// --ip is not taken for --ipv6.
func Mentions(text, name string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], "--"+name)
		if j < 0 {
			return false
		}
		end := i + j + 2 + len(name)
		if end == len(text) || !isFlagChar(text[end]) {
			return true
		}
		i = end
	}
}

func isFlagChar(b byte) bool {
	return b == '-' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}
