package recipe

import (
	"fmt"
	"regexp"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Limits of the text fields a recipe prints. They are far above what a
// real recipe writes, and keep a terminal from being flooded.
const (
	maxLineField  = 200   // summary, param descriptions, when expressions
	maxTextField  = 16384 // description, notes
	maxQuotedEcho = 60    // how much of a bad value a message repeats
)

// versionRE is what a recipe version may look like: it is written into
// the jail's jail.conf comment and printed, so one short word.
var versionRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+_~-]{0,31}$`)

// checkLine says what is wrong with a one-line field that is printed or
// written: a newline, a control character or terminal escape, a
// bidirectional override or anything that is not valid UTF-8.
func checkLine(s string, max int) string {
	if len(s) > max {
		return fmt.Sprintf("is %d bytes long; keep it under %d", len(s), max)
	}
	return checkChars(s, false)
}

// checkText is checkLine for a multi-line field: newlines and tabs are
// allowed, every other control character is not.
func checkText(s string, max int) string {
	if len(s) > max {
		return fmt.Sprintf("is %d bytes long; keep it under %d", len(s), max)
	}
	return checkChars(s, true)
}

func checkChars(s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	for _, c := range s {
		switch {
		case c == '\n' && multiline, c == '\t' && multiline:
		case c == '\n', c == '\r':
			return "must be one line"
		case unicode.IsControl(c):
			// C0, DEL and C1: ESC starts terminal escapes, and C1 CSI
			// (U+009B) is one on its own in some terminals.
			return fmt.Sprintf("contains the control character %U", c)
		case unicode.Is(unicode.Cf, c):
			// Format characters: bidirectional overrides make a line read
			// differently from what it is.
			return fmt.Sprintf("contains the invisible format character %U", c)
		}
	}
	return ""
}

// quoteCut quotes a value for a message, cut to maxQuotedEcho characters
// with its length, so a hostile 100 KB value is not echoed whole.
func quoteCut(s string) string {
	if utf8.RuneCountInString(s) <= maxQuotedEcho {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(string(r[:maxQuotedEcho])), len(s))
}

// TextProblem says what makes s unfit to print (a control character, a
// terminal escape, a bidi override, invalid UTF-8), or "" when it is fit;
// newlines and tabs are fine.
func TextProblem(s string) string { return checkText(s, maxTextField*4) }
