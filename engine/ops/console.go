package ops

import (
	"context"
	"fmt"

	"github.com/jailkit/jailkit/engine/system"
)

// Console returns the command that gives root a login shell in jail
// name, for the caller to replace itself with (system.Execer):
// /usr/sbin/jexec -l NAME /usr/bin/login -f root. jexec -l attaches to
// the jail and starts the command in a clean environment, keeping TERM
// (usr.sbin/jexec/jexec.c, getopt "lnu:U:"); login -f skips the
// password, which only root may ask for (usr.bin/login/login.c, getopt
// "fh:p"), and sets up the session from the jail's own passwd and
// login.conf. The jail must be one jailkit manages and must run.
func Console(ctx context.Context, sys system.System, name string) ([]string, error) {
	st, err := readState(sys, name)
	if err != nil {
		return nil, err
	}
	if err := st.Validate(); err != nil {
		return nil, err
	}
	running, known, why := Running(ctx, sys)
	if !known {
		return nil, fmt.Errorf("jls could not run (%s): cannot tell whether jail %s runs", why, name)
	}
	if _, up := running[st.Name]; !up {
		return nil, fmt.Errorf("jail %s is not running; start it with: jailkit start %s", name, name)
	}
	return []string{"/usr/sbin/jexec", "-l", st.Name, "/usr/bin/login", "-f", "root"}, nil
}
