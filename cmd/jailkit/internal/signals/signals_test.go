package signals

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary play the blocked command: it takes the
// signals, then blocks outside its context, as a read of a FIFO would.
func TestMain(m *testing.M) {
	if mode := os.Getenv("JK_SIGNALS_CHILD"); mode != "" {
		ctx, _ := Context(os.Stderr, func() bool { return mode == "rollback" }, 200*time.Millisecond)
		os.Stdout.WriteString("ready\n")
		<-ctx.Done()
		select {} // blocked, not watching ctx any more
	}
	os.Exit(m.Run())
}

// child starts the test binary as a blocked command and waits until it
// handles signals.
func child(t *testing.T, mode string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "JK_SIGNALS_CHILD="+mode)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// waitExit waits at most d for cmd and returns its exit code, or -1.
func waitExit(cmd *exec.Cmd, d time.Duration) int {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		return 0
	case <-time.After(d):
		return -1
	}
}

func TestOneSIGTERMEndsABlockedCommand(t *testing.T) {
	cmd := child(t, "plain")
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(cmd, 10*time.Second); code != 143 {
		cmd.Process.Kill()
		t.Fatalf("exit code %d after one SIGTERM and the grace period, want 143", code)
	}
}

func TestARollbackIsNotCutShort(t *testing.T) {
	cmd := child(t, "rollback")
	defer cmd.Process.Kill()
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Process.Signal(syscall.SIGINT)
	if code := waitExit(cmd, time.Second); code != -1 {
		t.Fatalf("jailkit exited (%d) while rolling back", code)
	}
}
