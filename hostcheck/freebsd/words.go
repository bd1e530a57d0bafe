package freebsd

// Format source: usr.sbin/jls/jls.c in the FreeBSD source tree quotes the
// values of jls -n -q; libexec/rc/rc.subr (devfs_rulesets_from_file)
// hands each devfs.rules line to the shell.

import "strings"

// splitQuoted splits s on blanks and tabs, keeping a run quoted with any
// byte of quotes together without its quotes; a quote opens a word even
// when nothing follows it (`""` is an empty word). With backslash set, a
// backslash anywhere takes the next byte literally; without it, it is an
// ordinary byte. The two callers keep what each parser has always read:
// devfs.rules with ' and " and no escapes, jls -n with " and backslash
// escapes.
func splitQuoted(s, quotes string, backslash bool) []string {
	var out []string
	var cur strings.Builder
	var q byte // the open quote, 0 outside quotes
	word := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case backslash && c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			word = true
		case q != 0:
			if c == q {
				q = 0
			} else {
				cur.WriteByte(c)
			}
		case strings.IndexByte(quotes, c) >= 0:
			q = c
			word = true
		case c == ' ' || c == '\t':
			if word {
				out = append(out, cur.String())
				cur.Reset()
				word = false
			}
		default:
			cur.WriteByte(c)
			word = true
		}
	}
	if word {
		out = append(out, cur.String())
	}
	return out
}
