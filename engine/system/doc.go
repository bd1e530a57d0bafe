// Package system is the one door through which jailkit touches a host: it
// runs commands given as argv (never a shell string) and reads and writes
// files under a root directory that stands for the host's "/".
//
// System has three implementations, each in its own file: Real (the only
// code in jailkit that calls os/exec), DryRun (records what would happen and
// changes nothing) and Recorder (for tests). Paths given to a System are
// absolute host paths such as /etc/rc.conf; an implementation maps them
// under its root.
package system
