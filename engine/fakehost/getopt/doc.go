// Package getopt reads a FreeBSD command line the way the command itself
// does. testdata/getopt.txt keeps, for every command jailkit's plans run
// and the fake host simulates, the option string read from FreeBSD's
// source (freebsd/freebsd-src, freebsd/pkg) with its path; Parse reads
// an argv with it through an emulation of the parser the tool uses:
// getopt(3), getopt_long(3), sh(1) getopts, bsdtar's own bsdtar_getopt,
// or a hand-written word loop (freebsd-update). Check refuses what the
// real parser refuses, with its message and exit status.
//
// The fake host (engine/fakehost) reads every argv with it before
// simulating the command, and the argv conformance tests of
// engine/install and engine/lab check every argv of every plan with it
// (PlanArgv, Nonconforming).
package getopt
