package main

import (
	"os"
	"testing"

	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/rogpeppe/go-internal/testscript"
)

// fakeHostEnv names the environment variable that makes the jailkit of the
// scripts open --root as a fakehost (a simulated FreeBSD host), so they can
// run whole installs on Linux. Only this test binary knows it: the
// released jailkit always opens the real host.
const fakeHostEnv = "JAILKIT_FAKE_HOST"

// openFakeHost is the hostOpener of scripts that set fakeHostEnv.
func openFakeHost(root string) (system.System, bool, error) {
	h, err := fakehost.Open(root)
	if err != nil {
		return nil, true, err
	}
	return h, true, nil
}

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"jailkit": func() {
			open := openRealHost
			if os.Getenv(fakeHostEnv) == "1" {
				open = openFakeHost
			}
			os.Exit(newApp(os.Stdout, os.Stderr, open).run(os.Args[1:]))
		},
	})
}

// TestScripts runs the CLI scripts in testdata/script. Each script starts
// in an empty $WORK; use --root $WORK/root for anything that touches a host.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		// go test ./... -update rewrites the files cmp compares with.
		UpdateScripts: *update,
		Cmds:          map[string]func(ts *testscript.TestScript, neg bool, args []string){"ttyexec": ttyexec, "collectfake": collectFake},
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}
