package main

import (
	"context"
	"os"

	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/snapsys"
	"github.com/jailkit/jailkit/hostcheck"
	"github.com/rogpeppe/go-internal/testscript"
)

// collectFake is the script command "collectfake ROOT OUT": what
// jailkit collect --out OUT writes on a FreeBSD host, taken from the
// fake host at ROOT (collect itself reads only a real FreeBSD host).
func collectFake(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: collectfake ROOT OUT")
	}
	h, err := fakehost.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	dir := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(dir, 0o755))
	out, err := os.OpenRoot(dir)
	ts.Check(err)
	defer out.Close()
	_, _, err = hostcheck.Collect(context.Background(), &hostcheck.LiveSource{Sys: h}, out, hostcheck.GatherOptions{})
	ts.Check(err)
	_, err = snapsys.CollectState(context.Background(), h, out, true)
	ts.Check(err)
}
