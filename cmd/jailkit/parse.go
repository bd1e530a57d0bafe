package main

import (
	"flag"
	"fmt"
	"sort"
	"strings"
)

// boolFlag is the flag.Value of a flag that takes no argument, as the
// flag package itself tells them apart.
type boolFlag interface {
	flag.Value
	IsBoolFlag() bool
}

// parseArgs parses GNU-style arguments against fs: flags (--name VALUE,
// --name=VALUE, and -name for those used to the flag package) may stand
// before, between or after positional arguments, and a lone "--" ends
// flag parsing. Unlike fs.Parse it names a flag as the user typed it, so
// the error for "--ipp" says --ipp, and it suggests the nearest flag.
// With stopAtPositional, the first positional argument ends parsing and
// it and everything after it are returned: the global flags stop at the
// command's name.
func parseArgs(fs *flag.FlagSet, args []string, stopAtPositional bool) ([]string, error) {
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
			return nil, unknownFlag(fs, typed)
		}
		if b, ok := f.Value.(boolFlag); ok && b.IsBoolFlag() && !hasValue {
			value = "true"
		} else if !hasValue {
			if i+1 >= len(args) {
				return nil, &usageError{msg: fmt.Sprintf("flag %s needs a value", typed), hint: "see " + flagHint(fs)}
			}
			i++
			value = args[i]
		}
		if err := fs.Set(name, value); err != nil {
			return nil, &usageError{msg: fmt.Sprintf("invalid value %q for flag %s: %v", value, typed, err), hint: "see " + flagHint(fs)}
		}
	}
	return pos, nil
}

// unknownFlag is the error for a flag fs does not define, with the
// nearest one it does as the hint.
func unknownFlag(fs *flag.FlagSet, typed string) error {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	name := strings.TrimLeft(typed, "-")
	if s := nearest(name, names); s != "" {
		return &usageError{msg: fmt.Sprintf("unknown flag %s", typed), hint: fmt.Sprintf("did you mean --%s? (see %s)", s, flagHint(fs))}
	}
	return &usageError{msg: fmt.Sprintf("unknown flag %s", typed), hint: "see " + flagHint(fs)}
}

// flagHint points at the help of the command fs belongs to.
func flagHint(fs *flag.FlagSet) string {
	if fs.Name() == "jailkit" {
		return "jailkit --help"
	}
	return strings.Replace(fs.Name(), "jailkit ", "jailkit help ", 1)
}

// nearest returns the candidate closest to s in edit distance when it is
// close enough to be a slip of the keyboard (or s is a prefix of it), and
// "" otherwise. Ties go to the first in sorted order, so the suggestion
// is stable.
func nearest(s string, candidates []string) string {
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	best, bestDist := "", 0
	for _, c := range sorted {
		d := editDistance(s, c)
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

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
