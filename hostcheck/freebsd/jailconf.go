package freebsd

// Format source: usr.sbin/jail/jailparse.y (the grammar, with .include)
// and usr.sbin/jail/jaillex.l (tokens, strings, comments) in the FreeBSD
// source tree; jail.conf(5) is usr.sbin/jail/jail.conf.5.

import (
	"fmt"
	"strings"
)

// ConfFile is one file handed to the jail.conf parser for an .include.
type ConfFile struct {
	Name string
	Data []byte
}

// IncludeFunc resolves the pattern of an .include (a path or a glob such
// as /etc/jail.conf.d/*.conf) to the files it names, in order.
type IncludeFunc func(pattern string) []ConfFile

// maxIncludeDepth stops include loops.
const maxIncludeDepth = 8

// ParseJailConf reads jail.conf(5): global parameters, "name { ... }"
// blocks (and the "*" block that applies to every jail), "param;",
// "param = value;", "param += value;", quoted strings, comma lists,
// comments in #, // and /* */ form, $variables, and .include. Boolean
// parameters written as allow.noX become allow.X = "false"; a bare
// parameter becomes "true". It returns the jails in the order first
// defined. include may be nil.
func ParseJailConf(file string, data []byte, include IncludeFunc) []Jail {
	jails, _ := ParseJailConfReport(file, data, include)
	return jails
}

// ParseJailConfReport is ParseJailConf that also returns what it could
// not read: each .include that nests deeper than maxIncludeDepth levels
// (a loop, or a tree an audit must not trust to be complete), as
// "FILE: ..." naming the file that holds the .include. A caller must not judge the jails as if it had read all.
func ParseJailConfReport(file string, data []byte, include IncludeFunc) ([]Jail, []string) {
	st := &jcState{byName: map[string]*jcJail{}, include: include}
	st.parse(file, data, 0)
	out := make([]Jail, 0, len(st.order))
	for _, name := range st.order {
		jj := st.byName[name]
		params := map[string]string{}
		apply := func(list []jcParam) {
			for _, p := range list {
				v := expandJailVars(p.value, name, params)
				if p.add && params[p.name] != "" {
					params[p.name] += "," + v
				} else {
					params[p.name] = v
				}
			}
		}
		apply(st.global)
		apply(st.star)
		apply(jj.params)
		params["name"] = name
		j := Jail{Params: params, Source: jj.file}
		fillJail(&j)
		j.JID = 0
		out = append(out, j)
	}
	return out, st.problems
}

type jcParam struct {
	name, value string
	add         bool
}

type jcJail struct {
	file   string
	params []jcParam
}

type jcState struct {
	global, star []jcParam
	byName       map[string]*jcJail
	order        []string
	include      IncludeFunc
	problems     []string
}

// jcTok is one token: a word or string, or punctuation { } ; = += ,
type jcTok struct {
	text  string
	punct bool
}

func lexJailConf(data []byte) []jcTok {
	var toks []jcTok
	s := string(data)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#' || (c == '/' && i+1 < len(s) && s[i+1] == '/'):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				i = len(s)
			} else {
				i += end + 4
			}
		case c == '{' || c == '}' || c == ';' || c == '=' || c == ',':
			toks = append(toks, jcTok{string(c), true})
			i++
		case c == '+' && i+1 < len(s) && s[i+1] == '=':
			toks = append(toks, jcTok{"+=", true})
			i += 2
		case c == '"' || c == '\'':
			var text string
			text, i = lexQuoted(s, i)
			toks = append(toks, jcTok{text, false})
		default:
			start := i
			i = wordEnd(s, i)
			if i == start {
				i++
				continue
			}
			toks = append(toks, jcTok{s[start:i], false})
		}
	}
	return toks
}

// lexQuoted reads the string that starts with the quote at s[i] and
// returns its text and the index after the closing quote. In double
// quotes a backslash escapes the next byte (\n and \t are a newline and a
// tab, and a backslash-newline joins lines); single quotes have no escapes.
func lexQuoted(s string, i int) (string, int) {
	q := s[i]
	var b strings.Builder
	i++
	for i < len(s) && s[i] != q {
		if s[i] == '\\' && q == '"' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\n':
			default:
				b.WriteByte(s[i])
			}
			i++
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), i + 1
}

// wordEnd returns the index after the unquoted word that starts at s[i]:
// it ends at a blank, punctuation, a quote, or the start of a comment or
// of "+=".
func wordEnd(s string, i int) int {
	for i < len(s) && !strings.ContainsRune(" \t\r\n{};=,\"'#", rune(s[i])) &&
		!(s[i] == '+' && i+1 < len(s) && s[i+1] == '=') &&
		!(s[i] == '/' && i+1 < len(s) && (s[i+1] == '/' || s[i+1] == '*')) {
		i++
	}
	return i
}

func (st *jcState) parse(file string, data []byte, depth int) {
	toks := lexJailConf(data)
	var cur *jcJail
	curStar := false
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.punct {
			if t.text == "}" {
				cur, curStar = nil, false
			}
			i++
			continue
		}
		// .include "pattern";
		if t.text == ".include" {
			i = st.includeAt(file, toks, i+1, depth)
			continue
		}
		// name { ... }
		if i+1 < len(toks) && toks[i+1].punct && toks[i+1].text == "{" {
			// Nested blocks name hierarchical jails; they are read flat.
			i += 2
			if t.text == "*" {
				curStar, cur = true, nil
				continue
			}
			cur, curStar = st.jail(t.text, file), false
			continue
		}
		var p jcParam
		p, i = parseParam(toks, i)
		switch {
		case cur != nil:
			cur.params = append(cur.params, p)
		case curStar:
			st.star = append(st.star, p)
		default:
			st.global = append(st.global, p)
		}
	}
}

// includeAt reads the pattern of an .include at toks[i], parses the files
// it names unless includes nest too deep, and returns the index after it.
func (st *jcState) includeAt(file string, toks []jcTok, i, depth int) int {
	if i >= len(toks) || toks[i].punct {
		return i
	}
	pat := toks[i].text
	switch {
	case st.include == nil:
	case depth >= maxIncludeDepth:
		st.problems = append(st.problems, fmt.Sprintf("%s: .include %q nests deeper than %d levels and was not read", file, pat, maxIncludeDepth))
	default:
		for _, f := range st.include(pat) {
			st.parse(f.Name, f.Data, depth+1)
		}
	}
	return i + 1
}

// jail returns the jail of that name, defining it in file when new.
func (st *jcState) jail(name, file string) *jcJail {
	jj, ok := st.byName[name]
	if !ok {
		jj = &jcJail{file: file}
		st.byName[name] = jj
		st.order = append(st.order, name)
	}
	return jj
}

// parseParam reads "param;", "param = value[, value...];" or
// "param += value;" at toks[i] and returns it with the index after its
// values (the ";" or "}" that ends it is left to the caller).
func parseParam(toks []jcTok, i int) (jcParam, int) {
	t := toks[i]
	p := jcParam{name: t.text}
	i++
	if i < len(toks) && toks[i].punct && (toks[i].text == "=" || toks[i].text == "+=") {
		p.add = toks[i].text == "+="
		i++
		var vals []string
		for i < len(toks) && !(toks[i].punct && (toks[i].text == ";" || toks[i].text == "}" || toks[i].text == "{")) {
			if !toks[i].punct {
				vals = append(vals, toks[i].text)
			}
			i++
		}
		p.value = strings.Join(vals, ",")
	} else {
		p.name, p.value = boolParam(t.text)
	}
	return p, i
}

// expandJailVars replaces $name, ${name} and parameter references such as
// $path or ${host.hostname} in a value.
func expandJailVars(v, jail string, params map[string]string) string {
	if !strings.Contains(v, "$") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '$' || i+1 >= len(v) {
			b.WriteByte(v[i])
			continue
		}
		var name string
		if v[i+1] == '{' {
			end := strings.IndexByte(v[i+2:], '}')
			if end < 0 {
				b.WriteString(v[i:])
				break
			}
			name = v[i+2 : i+2+end]
			i += 2 + end
		} else {
			j := i + 1
			for j < len(v) && (isNameByte(v[j], j == i+1) || v[j] == '.') {
				j++
			}
			name = v[i+1 : j]
			i = j - 1
		}
		switch {
		case name == "name":
			b.WriteString(jail)
		case params[name] != "":
			b.WriteString(params[name])
		case params["$"+name] != "":
			b.WriteString(params["$"+name])
		}
	}
	return b.String()
}
