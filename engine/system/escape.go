package system

import (
	"errors"
	"os"
	"sync"
)

// ErrEscapes is returned when a path inside a root leads outside it: a
// symlink a jail's root user planted, or "..".
var ErrEscapes = errors.New("a symlink or .. leads outside the root; refusing to follow it")

// rootEscape is os.Root's own error for a path that leaves its root. The
// os package does not export it, so it is taken once, by identity, from a
// lookup that must escape: classifying by identity stays right whatever
// the message says.
var rootEscape = sync.OnceValue(func() error {
	r, err := os.OpenRoot("/")
	if err != nil {
		return nil
	}
	defer r.Close()
	_, err = r.Lstat("..")
	return errors.Unwrap(err)
})

// Escapes reports whether err is a path that leaves its root: os.Root's
// refusal, or ErrEscapes.
func Escapes(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrEscapes) {
		return true
	}
	e := rootEscape()
	return e != nil && errors.Is(err, e)
}
