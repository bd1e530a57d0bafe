package inputerr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInput marks an error caused by the user's input (a flag, a --set value,
// a recipe file) rather than by the host. The CLI exits with status 2 on it.
var ErrInput = errors.New("bad input")

// FieldError reports one bad value: which field, what is wrong with it and
// how to fix it.
type FieldError struct {
	Field   string // "--ip", "--set zone", "params[2].default"
	Problem string // "300.1.1.1 is not an IPv4 or IPv6 address"
	Hint    string // "give a dotted quad such as 192.0.2.53"
}

// Error returns "FIELD: PROBLEM".
func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Unwrap lets errors.Is(err, ErrInput) hold for every FieldError.
func (e *FieldError) Unwrap() error { return ErrInput }

// PosError is an error at a position in a file, printed as "file:line: msg".
type PosError struct {
	File string
	Line int
	Msg  string
}

// Error returns "file:line: msg", or "file: msg" when the line is unknown.
func (e *PosError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Unwrap makes every PosError an input error.
func (e *PosError) Unwrap() error { return ErrInput }

// ErrorList collects every error found in one pass so a user sees them all
// at once instead of fixing them one run at a time.
type ErrorList []error

// Error joins the errors, one per line.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap exposes the collected errors to errors.Is and errors.As.
func (l ErrorList) Unwrap() []error { return l }

// Err returns nil for an empty list and the list otherwise, so callers can
// write "return errs.Err()" without the typed-nil trap.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Line returns the line of the first PosError err holds, and 0 when it
// holds none, to sort errors by where they stand in their file.
func Line(err error) int {
	var pe *PosError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return 0
}

// maxQuoted is how much of a value a message shows.
const maxQuoted = 64

// Quote quotes a value the user gave for a message, cut when long: a
// message names the field and shows the start of the value and its
// length, never 100 KB of echo.
func Quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := 48
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:cut]), len(s))
}
