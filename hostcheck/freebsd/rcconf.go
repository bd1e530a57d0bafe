package freebsd

// Format source: libexec/rc/rc.subr in the FreeBSD source tree
// (load_rc_config sources /etc/defaults/rc.conf, which sources the files
// of rc_conf_files; checkyesno reads a switch) and libexec/rc/rc.conf, the
// file installed as /etc/defaults/rc.conf.

import (
	"strings"
)

// RCVar is one rc.conf variable and where its value came from.
type RCVar struct {
	Value string
	File  string
	Line  int
}

// RCConf is the merged view of the rc.conf files in the order rc(8) reads
// them: /etc/defaults/rc.conf, /etc/rc.conf, /etc/rc.conf.local, then
// /etc/rc.conf.d/*; a later assignment wins.
type RCConf struct {
	Vars map[string]RCVar
}

// NewRCConf returns an empty RCConf.
func NewRCConf() *RCConf { return &RCConf{Vars: map[string]RCVar{}} }

// Get returns a variable's value ("" when unset).
func (r *RCConf) Get(name string) string {
	if r == nil {
		return ""
	}
	return r.Vars[name].Value
}

// Lookup returns a variable and whether it is set.
func (r *RCConf) Lookup(name string) (RCVar, bool) {
	if r == nil {
		return RCVar{}, false
	}
	v, ok := r.Vars[name]
	return v, ok
}

// Yes reports whether a variable is set to YES, TRUE, ON or 1, the way
// rc.subr's checkyesno reads it.
func (r *RCConf) Yes(name string) bool {
	switch strings.ToUpper(r.Get(name)) {
	case "YES", "TRUE", "ON", "1":
		return true
	}
	return false
}

// Parse adds the assignments of one file in sh syntax: NAME=value,
// NAME="value with $expansion", NAME='literal', several assignments on a
// line, comments, backslash-newline continuations and double-quoted values
// spanning lines. Lines that are not assignments (functions, if, fi,
// commands) are skipped, and an assignment inside an if block counts as if
// the test held: rc.conf files are meant to hold assignments only.
func (r *RCConf) Parse(file string, data []byte) {
	p := shParser{src: data, line: 1}
	for !p.eof() {
		p.skipBlanks()
		if p.eof() {
			break
		}
		c := p.peek()
		if c == '#' {
			p.skipComment()
			continue
		}
		if c == '\n' || c == ';' {
			p.next()
			continue
		}
		start := p.line
		name, ok := p.name()
		if !ok || p.eof() || p.peek() != '=' {
			p.skipLine()
			continue
		}
		p.next() // '='
		val := p.word(r)
		r.Vars[name] = RCVar{Value: val, File: file, Line: start}
	}
}

type shParser struct {
	src  []byte
	pos  int
	line int
}

func (p *shParser) eof() bool  { return p.pos >= len(p.src) }
func (p *shParser) peek() byte { return p.src[p.pos] }
func (p *shParser) next() byte {
	c := p.src[p.pos]
	p.pos++
	if c == '\n' {
		p.line++
	}
	return c
}

func (p *shParser) skipBlanks() {
	for !p.eof() {
		c := p.peek()
		if c == ' ' || c == '\t' || c == '\r' {
			p.next()
			continue
		}
		if c == '\\' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '\n' {
			p.next()
			p.next()
			continue
		}
		return
	}
}

// skipComment skips to the end of the line: quotes mean nothing in a
// comment ("the article's advice").
func (p *shParser) skipComment() {
	for !p.eof() && p.next() != '\n' {
	}
}

// skipLine skips to the end of the line, honouring quotes so that a quoted
// newline does not end it.
func (p *shParser) skipLine() {
	var q byte
	for !p.eof() {
		c := p.next()
		switch {
		case q != 0:
			if c == q {
				q = 0
			} else if c == '\\' && q == '"' && !p.eof() {
				p.next()
			}
		case c == '\'' || c == '"':
			q = c
		case c == '\\' && !p.eof():
			p.next()
		case c == '\n':
			return
		}
	}
}

func isNameByte(c byte, first bool) bool {
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9')
}

func (p *shParser) name() (string, bool) {
	start := p.pos
	for !p.eof() && isNameByte(p.peek(), p.pos == start) {
		p.next()
	}
	return string(p.src[start:p.pos]), p.pos > start
}

// word reads one sh word after '=': quoted and unquoted parts glued
// together, ending at an unquoted blank, ';', newline or '#' that starts a
// comment. $name and ${name} expand against what is already set.
func (p *shParser) word(r *RCConf) string {
	var b strings.Builder
	for !p.eof() {
		c := p.peek()
		switch c {
		case ' ', '\t', '\r', '\n', ';':
			return b.String()
		case '\'':
			p.next()
			for !p.eof() && p.peek() != '\'' {
				b.WriteByte(p.next())
			}
			if !p.eof() {
				p.next()
			}
		case '"':
			p.next()
			p.doubleQuoted(&b, r)
		case '\\':
			p.next()
			if !p.eof() {
				if n := p.next(); n != '\n' {
					b.WriteByte(n)
				}
			}
		case '$':
			p.next()
			b.WriteString(p.expand(r))
		default:
			b.WriteByte(p.next())
		}
	}
	return b.String()
}

// doubleQuoted reads the rest of a double-quoted string into b, up to and
// past the closing quote. A backslash escapes a newline (joining the
// lines), a double quote, a backslash, $ and ` and stays before anything
// else; $name and ${name} expand.
func (p *shParser) doubleQuoted(b *strings.Builder, r *RCConf) {
	for !p.eof() && p.peek() != '"' {
		c := p.next()
		switch {
		case c == '\\' && !p.eof():
			n := p.next()
			switch n {
			case '\n':
			case '"', '\\', '$', '`':
				b.WriteByte(n)
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
			}
		case c == '$':
			b.WriteString(p.expand(r))
		default:
			b.WriteByte(c)
		}
	}
	if !p.eof() {
		p.next()
	}
}

// expand reads the name after a '$' and returns its value.
func (p *shParser) expand(r *RCConf) string {
	if p.eof() {
		return "$"
	}
	if p.peek() == '{' {
		p.next()
		start := p.pos
		for !p.eof() && p.peek() != '}' && p.peek() != '\n' {
			p.next()
		}
		inner := string(p.src[start:p.pos])
		if !p.eof() && p.peek() == '}' {
			p.next()
		}
		// ${name:-default} and friends: use the name's value, or the
		// default when it is empty.
		name, def := inner, ""
		if i := strings.IndexAny(inner, ":-=+?"); i >= 0 {
			name, def = inner[:i], strings.TrimLeft(inner[i:], ":-=+?")
		}
		if v := r.Get(name); v != "" {
			return v
		}
		return def
	}
	name, ok := p.name()
	if !ok {
		return "$"
	}
	return r.Get(name)
}
