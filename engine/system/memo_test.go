package system

import (
	"context"
	"errors"
	"testing"
)

// countingSys answers every command with how often it ran.
type countingSys struct {
	*Recorder
	runs map[string]int
	fail bool
}

func (c *countingSys) Run(ctx context.Context, cmd Cmd) ([]byte, error) {
	c.Recorder.Run(ctx, cmd)
	c.runs[cmd.Argv[0]]++
	if c.fail {
		return nil, errors.New("exit status 1")
	}
	return []byte{byte('0' + c.runs[cmd.Argv[0]])}, nil
}

// TestMemo: a read-only command runs once until something changes the
// host, through a command, a file or a root opened through the Memo.
func TestMemo(t *testing.T) {
	ctx := context.Background()
	base := &countingSys{Recorder: NewRecorder(nil), runs: map[string]int{}}
	m := NewMemo(base)
	run := func(argv ...string) string {
		out, _ := m.Run(ctx, Cmd{Argv: argv})
		return string(out)
	}
	if a, b := run("sockstat", "-46l"), run("sockstat", "-46l"); a != "1" || b != "1" {
		t.Errorf("sockstat twice: %q %q, want one run", a, b)
	}
	if got := run("sockstat", "-46l", "-j", "dns"); got != "2" {
		t.Errorf("other argv shared the answer: %q", got)
	}
	changes := []func(){
		func() { m.Run(ctx, Cmd{Argv: []string{"jail", "-c", "dns"}, Mutates: true}) },
		func() { m.WriteFile("/etc/rc.conf", nil, 0o644) },
		func() { m.Chmod("/etc/rc.conf", 0o600) },
		func() {
			r, err := m.OpenRoot("/jails/dns")
			if err != nil {
				t.Fatal(err)
			}
			r.MkdirAll("/var/run", 0o755)
		},
	}
	for i, change := range changes {
		before := run("jls")
		change()
		if after := run("jls"); after == before {
			t.Errorf("change %d: jls still answered %q", i, after)
		}
	}
	// Stdin, progress and failures are never remembered.
	m.Run(ctx, Cmd{Argv: []string{"cat"}, Stdin: []byte("x")})
	m.Run(ctx, Cmd{Argv: []string{"cat"}, Stdin: []byte("x")})
	base.fail = true
	m.Run(ctx, Cmd{Argv: []string{"fetch"}})
	base.fail = false
	m.Run(ctx, Cmd{Argv: []string{"fetch"}})
	if base.runs["cat"] != 2 || base.runs["fetch"] != 2 {
		t.Errorf("runs %v", base.runs)
	}
	if unlock, _, err := m.TryLock("/var/run/jailkit.lock"); err != nil || unlock() != nil {
		t.Errorf("lock through a Memo: %v", err)
	}
}
