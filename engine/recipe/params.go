package recipe

import (
	"fmt"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// maxParamName bounds a parameter name echoed in a message.
const maxParamName = 64

// ResolveParams merges the defaults and the --set values (NAME=VALUE, a
// later one winning) into typed params, and reports every problem at once.
func (r *Recipe) ResolveParams(sets []string) (map[string]any, inputerr.ErrorList) {
	var errs inputerr.ErrorList
	all := r.AllParams()
	byName := map[string]*Param{}
	for i := range all {
		byName[all[i].Name] = &all[i]
	}
	given := map[string]string{}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			errs = append(errs, &inputerr.FieldError{Field: "--set", Problem: fmt.Sprintf("%s is not NAME=VALUE", inputerr.Quote(s)), Hint: "write --set name=value"})
			continue
		}
		if byName[k] == nil {
			if len(k) > maxParamName {
				errs = append(errs, &inputerr.FieldError{Field: "--set", Problem: fmt.Sprintf("parameter name %s is longer than %d bytes", inputerr.Quote(k), maxParamName),
					Hint: "see the parameters with: jailkit show " + r.Name})
				continue
			}
			errs = append(errs, &inputerr.FieldError{Field: "--set " + k, Problem: fmt.Sprintf("recipe %s has no parameter %q", r.Name, k),
				Hint: "see the parameters with: jailkit show " + r.Name})
			continue
		}
		given[k] = v
	}
	out := map[string]any{}
	for _, p := range all {
		raw, ok := given[p.Name]
		switch {
		case ok:
			v, err := p.Parse(raw)
			if err != nil {
				errs = append(errs, &inputerr.FieldError{Field: "--set " + p.Name, Problem: err.Error(), Hint: p.Hint()})
				continue
			}
			out[p.Name] = v
		case p.Required:
			errs = append(errs, &inputerr.FieldError{Field: "--set " + p.Name, Problem: "is required",
				Hint: fmt.Sprintf("add --set %s=VALUE (%s)", p.Name, p.Hint())})
		case p.Default != nil:
			v, err := p.parseDefault()
			if err != nil {
				errs = append(errs, &inputerr.FieldError{Field: "param " + p.Name, Problem: "default " + err.Error(), Hint: "fix the recipe"})
				continue
			}
			out[p.Name] = v
		default:
			out[p.Name] = p.zero()
		}
	}
	for _, n := range r.PackagesFrom {
		for _, pk := range AsStrings(out[n]) {
			if !pkgRE.MatchString(pk) {
				errs = append(errs, &inputerr.FieldError{Field: "--set " + n, Problem: fmt.Sprintf("%s is not a package name", inputerr.Quote(pk)),
					Hint: "use package names such as xterm or firefox, separated by commas"})
			}
		}
	}
	return out, errs
}

// Parse reads a --set value for p: a comma list for list params.
func (p *Param) Parse(raw string) (any, error) {
	if !p.List {
		return ParseValue(p.Type, raw, p.Choices, p.Min, p.Max)
	}
	// A list holds at most 16 values of the longest kind.
	if len(raw) > 16*MaxValueLen {
		return nil, TooLong(len(raw), 16*MaxValueLen)
	}
	items := SplitList(raw)
	out := make([]any, 0, len(items))
	for _, it := range items {
		v, err := ParseValue(p.Type, it, p.Choices, p.Min, p.Max)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Hint says how a good value for p looks.
func (p *Param) Hint() string {
	h := paramTypes[p.Type]
	if p.Type == TypeEnum {
		h = "use one of " + strings.Join(p.Choices, ", ")
	}
	if p.List {
		h += "; separate several with commas"
	}
	return h
}

// TypeString names p's type for people: "cidr", "list of cidr".
func (p *Param) TypeString() string {
	if p.List {
		return "list of " + string(p.Type)
	}
	return string(p.Type)
}

func (p *Param) zero() any {
	if p.List {
		return []any{}
	}
	switch p.Type {
	case TypeBool:
		return false
	case TypeInt, TypePort:
		return 0
	}
	return ""
}

// AllParams returns the built-in params every recipe has, then the recipe's own.
func (r *Recipe) AllParams() []Param {
	return append(append([]Param{}, baseParams...), r.Params...)
}

// AsStrings returns a string or list param value as strings.
func AsStrings(v any) []string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}
