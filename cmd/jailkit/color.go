package main

import (
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"
)

// palette holds the colour functions of one output stream, decided once
// per run.
type palette struct {
	err, hint, warn, ok, bold func(a ...any) string
}

// decideColor decides, once for each stream, whether it gets colour:
// only a stream that is itself a terminal does, and never with
// --no-color, a non-empty NO_COLOR (https://no-color.org) or TERM=dumb.
// So "jailkit check > report.txt" on a terminal writes a plain file while
// its errors on stderr are still coloured.
func (a *app) decideColor() {
	off := a.noColor || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb"
	a.colors = newPalette(!off && isTerminal(a.stderr))
	a.outColors = newPalette(!off && isTerminal(a.stdout))
}

// isTerminal says whether w is a terminal, asking the terminal driver
// (isatty's ioctl) rather than the file mode, so /dev/null is not one.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

func newPalette(on bool) palette {
	mk := func(attrs ...color.Attribute) func(a ...any) string {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c.SprintFunc()
	}
	return palette{
		err:  mk(color.FgRed, color.Bold),
		hint: mk(color.FgCyan),
		warn: mk(color.FgYellow),
		ok:   mk(color.FgGreen),
		bold: mk(color.Bold),
	}
}
