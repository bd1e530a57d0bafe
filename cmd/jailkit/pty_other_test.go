//go:build !linux

package main

import "github.com/rogpeppe/go-internal/testscript"

// ttyexec needs a pseudo-terminal opened the Linux way; the CLI tests run
// on Debian (see .ci/test).
func ttyexec(ts *testscript.TestScript, neg bool, args []string) {
	ts.Fatalf("ttyexec is only implemented on Linux")
}
