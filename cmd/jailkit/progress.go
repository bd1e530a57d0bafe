package main

import (
	"fmt"
	"io"
	"time"

	"github.com/jailkit/jailkit/engine/plan"
)

// progressOut is where long commands (fetch, tar, pkg) show their
// progress: on a terminal, stderr, where fetch(1) and pkg draw their own
// meters; otherwise nowhere, so a log gets one line per step and no
// screenfuls of meter updates. A failing command's output still reaches
// the error message.
func (a *app) progressOut() io.Writer {
	if isTerminal(a.stderr) {
		return a.stderr
	}
	return nil
}

// stepPrinter prints one line per step on stderr as a plan is applied.
// On a terminal a long step says so, since its tool's meter follows.
func (a *app) stepPrinter(verb string) func(i, n int, s *plan.Step) {
	tty := isTerminal(a.stderr)
	return func(i, n int, s *plan.Step) {
		more := ""
		if tty && s.Progress {
			more = " ..."
		}
		fmt.Fprintf(a.stderr, "jailkit: [%d/%d] %s%s\n", i, n, s.Name, more)
	}
}

// summary prints the last line of a run that changed a host: what was
// done and how long the whole run took.
func (a *app) summary(format string, args ...any) {
	elapsed := time.Since(a.started)
	fmt.Fprintf(a.stderr, "jailkit: %s %s in %s\n", a.colors.ok("done:"), fmt.Sprintf(format, args...), roundElapsed(elapsed))
}

// roundElapsed shows a duration the way a reader wants it: tenths of a
// second under a minute, whole seconds above.
func roundElapsed(d time.Duration) time.Duration {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}
