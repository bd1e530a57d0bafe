package fakehost

import (
	"context"
	"testing"

	"github.com/jailkit/jailkit/engine/system"
)

// MustRun runs argv on sys as a read-only command and returns its output,
// failing the test when it fails: tests look at a simulated host the way
// an admin would, through its commands.
func MustRun(t testing.TB, sys system.System, argv ...string) string {
	t.Helper()
	out, err := sys.Run(context.Background(), system.Cmd{Argv: argv})
	if err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	return string(out)
}
