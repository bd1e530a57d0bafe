package getopt

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jailkit/jailkit/engine/plan"
)

// hostExecRE finds the jail.conf(5) commands jail(8) runs on the host,
// around the jail's life (usr.sbin/jail/command.c: exec.prestart,
// exec.created, exec.poststart, exec.prestop, exec.poststop,
// exec.release); exec.start and exec.stop run inside the jail.
var hostExecRE = regexp.MustCompile(`(?m)^\s*exec\.(prestart|created|poststart|prestop|poststop|release)\s*\+?=\s*"([^"]*)"`)

// PlanArgv returns every argv plan p can run on the host: each step's,
// its Undo's and UndoAfter's, and the host commands of the jail.conf
// files it writes, each with where it comes from.
func PlanArgv(p *plan.Plan) []SeenArgv {
	var out []SeenArgv
	var walk func(where string, steps []plan.Step)
	walk = func(where string, steps []plan.Step) {
		for _, s := range steps {
			w := where + "step " + fmt.Sprintf("%q", s.Name)
			if len(s.Argv) > 0 {
				out = append(out, SeenArgv{Where: w, Argv: s.Argv})
			}
			if s.Content != nil && strings.Contains(s.Path, "jail.conf") {
				for _, m := range hostExecRE.FindAllStringSubmatch(*s.Content, -1) {
					out = append(out, SeenArgv{Where: w + " exec." + m[1] + " in " + s.Path, Argv: strings.Fields(m[2])})
				}
			}
			walk(w+" undo: ", s.Undo)
			walk(w+" undo after: ", s.UndoAfter)
		}
	}
	walk("", p.Steps)
	return out
}

// SeenArgv is an argv and where a test met it.
type SeenArgv struct {
	Where string
	Argv  []string
}

// Nonconforming checks every argv with Check and returns, for each
// one FreeBSD would refuse (or whose command has no option string in
// engine/fakehost/getopt/testdata/getopt.txt), a line naming it, where it comes from and why.
func Nonconforming(seen []SeenArgv) []string {
	var bad []string
	for _, s := range seen {
		if err := Check(s.Argv); err != nil {
			var ue *UsageError
			reason := err.Error()
			if errors.As(err, &ue) {
				reason = fmt.Sprintf("exit status %d: %s", ue.Status, strings.ReplaceAll(ue.Msg, "\n", "; "))
			}
			bad = append(bad, fmt.Sprintf("%s: %s: %s", s.Where, plan.QuoteArgv(s.Argv), reason))
		}
	}
	return bad
}
