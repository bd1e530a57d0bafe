package fakehost

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jailkit/jailkit/engine/fakehost/getopt"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/system"
)

// refuse turns a refused argv into what running it gives: an ExitError
// with the tool's exit status and message.
func refuse(argv []string, err error) error {
	var ue *getopt.UsageError
	if errors.As(err, &ue) {
		return &system.ExitError{Argv: argv, Err: fmt.Errorf("exit status %d", ue.Status), Stderr: ue.Msg}
	}
	return err
}

// mustParse re-reads an argv run already checked (Host.run checks every
// argv before its handler sees it).
func mustParse(a []string) getopt.Parsed {
	p, err := getopt.Parse(a)
	if err != nil {
		panic(fmt.Sprintf("fakehost: %v was checked before: %v", a, err))
	}
	return p
}

// failStatus is a command that ran and exited with status, msg on
// standard error.
func failStatus(argv []string, status int, format string, args ...any) error {
	return &system.ExitError{Argv: argv, Err: fmt.Errorf("exit status %d", status), Stderr: fmt.Sprintf(format, args...)}
}

// refusedLog keeps every argv any fake host of this process refused for
// its option string, so a test binary can fail at the end even when the
// test that ran it expected a failure (a refused argv must not pass for
// the failure a rollback test wanted).
var refusedLog struct {
	mu   sync.Mutex
	seen []string
}

func logRefused(argv []string, err error) {
	refusedLog.mu.Lock()
	defer refusedLog.mu.Unlock()
	reason := err.Error()
	var ue *getopt.UsageError
	if errors.As(err, &ue) {
		reason = fmt.Sprintf("exit status %d: %s", ue.Status, strings.ReplaceAll(ue.Msg, "\n", "; "))
	}
	refusedLog.seen = append(refusedLog.seen, plan.QuoteArgv(argv)+": "+reason)
}

// RefusedArgv returns every argv the fake hosts of this process refused
// because the real command's option parser would, in order.
func RefusedArgv() []string {
	refusedLog.mu.Lock()
	defer refusedLog.mu.Unlock()
	return append([]string(nil), refusedLog.seen...)
}

// RefusedReport is what a test binary says when its fake hosts refused
// any argv (see RefusedArgv), or "" when none was.
func RefusedReport() string {
	bad := RefusedArgv()
	if len(bad) == 0 {
		return ""
	}
	return "FAIL: FreeBSD would refuse these command lines the tests ran:\n  " + strings.Join(bad, "\n  ") + "\n"
}
