package recipe

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"gopkg.in/yaml.v3"
)

// Strict decoding shared by recipes and lab files: yaml.v3 stops at the
// first unknown key of a decode, and jailkit reports every problem at once.

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// YAMLErrors splits a yaml.v3 error, which may carry many "line N: msg"
// entries, into PosErrors.
func YAMLErrors(source string, err error) []error {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make([]error, 0, len(msgs))
	for _, m := range msgs {
		if sub := yamlLineRE.FindStringSubmatch(m); sub != nil {
			n, _ := strconv.Atoi(sub[1])
			out = append(out, &inputerr.PosError{File: source, Line: n, Msg: sub[2]})
			continue
		}
		out = append(out, &inputerr.PosError{File: source, Msg: strings.TrimPrefix(m, "yaml: ")})
	}
	return out
}

// CheckKnownFields walks a YAML node against a Go type and reports every
// mapping key the type has no field for, and every number with a fraction
// given for a whole-number field. yaml.v3's KnownFields stops being
// applied inside custom unmarshalers and reports keys one decode at a time;
// walking the tree ourselves finds them all.
func CheckKnownFields(source string, n *yaml.Node, t reflect.Type, errs *inputerr.ErrorList) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // a type error that Decode reports
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag != "" && tag != "-" {
				fields[tag] = f.Type
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			ft, ok := fields[k.Value]
			if !ok {
				*errs = append(*errs, &inputerr.PosError{File: source, Line: k.Line, Msg: fmt.Sprintf("unknown field %q%s", k.Value, Suggest(k.Value, fields))})
				continue
			}
			if ft == reflect.TypeOf(RCConf{}) {
				continue
			}
			if v := n.Content[i+1]; wholeNumber(ft) && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!float" {
				// yaml.v3 cuts a float into an int field without a
				// word: count: 1.5 would be 1.
				*errs = append(*errs, &inputerr.PosError{File: source, Line: v.Line, Msg: fmt.Sprintf("%s: %s is not a whole number", k.Value, inputerr.Quote(v.Value))})
				continue
			}
			CheckKnownFields(source, n.Content[i+1], ft, errs)
		}
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				CheckKnownFields(source, c, t.Elem(), errs)
			}
		}
	}
}

// wholeNumber reports whether t (or what it points to) is an integer type.
func wholeNumber(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// Suggest names the closest known field, for "did you mean" hints.
func Suggest(bad string, fields map[string]reflect.Type) string {
	best, bestD := "", 3
	for f := range fields {
		if d := EditDistance(bad, f); d < bestD || (d == bestD && f < best && best != "") {
			best, bestD = f, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// EditDistance is the Levenshtein distance between a and b: how many
// single-byte insertions, deletions and substitutions turn one into the
// other. Suggestions for a mistyped name pick the nearest.
func EditDistance(a, b string) int {
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
