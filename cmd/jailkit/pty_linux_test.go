package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

// openPty opens a pseudo-terminal pair through /dev/ptmx, the Linux way
// (pts(4)): unlock the pair, then open the terminal side by its number.
func openPty() (ctl, term *os.File, err error) {
	ctl, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(ctl.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		ctl.Close()
		return nil, nil, fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		ctl.Close()
		return nil, nil, fmt.Errorf("pty number: %w", err)
	}
	term, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		ctl.Close()
		return nil, nil, err
	}
	return ctl, term, nil
}

// ttyexec is the script command "ttyexec STREAMS PROG ARGS...": it runs
// PROG with the streams named (stdout, stderr or both) on a
// pseudo-terminal and the others in the files ttyexec.stdout and
// ttyexec.stderr; what reached the terminal lands in tty.out. testscript's
// own ttyin only gives the child a controlling terminal on fd 3, which is
// not the stream jailkit decides colour for.
func ttyexec(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: ttyexec stdout|stderr|both PROG [ARGS...]")
	}
	ctl, term, err := openPty()
	ts.Check(err)
	prog, err := exec.LookPath(args[1])
	ts.Check(err)
	cmd := exec.Command(prog, args[2:]...)
	cmd.Dir = ts.MkAbs(".")
	// The machine's own colour and jailkit settings must not reach the
	// child: only the script's.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "CLICOLOR") || strings.HasPrefix(kv, "FORCE_COLOR=") || strings.HasPrefix(kv, "COLORTERM=") ||
			strings.HasPrefix(kv, "JAILKIT_") || strings.HasPrefix(kv, "NO_COLOR=") || strings.HasPrefix(kv, "TERM=")
	})
	for _, k := range []string{"NO_COLOR", "TERM", "HOME", fakeHostEnv, confEnv} {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	switch args[0] {
	case "stdout":
		cmd.Stdout = term
	case "stderr":
		cmd.Stderr = term
	case "both":
		cmd.Stdout, cmd.Stderr = term, term
	default:
		ts.Fatalf("ttyexec: %q is not stdout, stderr or both", args[0])
	}
	var tty bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&tty, ctl); close(done) }()
	runErr := cmd.Run()
	term.Close()
	<-done
	ctl.Close()
	ts.Check(os.WriteFile(ts.MkAbs("tty.out"), tty.Bytes(), 0o644))
	ts.Check(os.WriteFile(ts.MkAbs("ttyexec.stdout"), out.Bytes(), 0o644))
	ts.Check(os.WriteFile(ts.MkAbs("ttyexec.stderr"), errOut.Bytes(), 0o644))
	if (runErr != nil) != neg {
		ts.Fatalf("ttyexec %v: %v", args, runErr)
	}
}
