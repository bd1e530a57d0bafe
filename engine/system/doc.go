// Package system is the one door through which jailkit touches a host: it
// runs commands given as argv (never a shell string) and reads and writes
// files under a root directory that stands for the host's "/".
//
// System has three implementations, each in its own file: Real (the only
// code in jailkit that calls os/exec), DryRun (records what would happen and
// changes nothing) and Recorder (for tests). Paths given to a System are
// absolute host paths such as /etc/rc.conf; an implementation maps them
// under its root.
//
// Real reaches every file through an os.Root, so no symlink or ".." can
// lead a write out of its root, and a System opened with OpenRoot on a jail
// root is confined the same way and cannot run commands. A Real whose root
// is not "/" (--root) runs no commands at all: they would act on the real
// host, not on the staging directory.
//
// Locker is a separate, optional interface (Real, Recorder and the fake
// host of package fakehost have it) for the host-wide flock that keeps two
// jailkit runs from interleaving.
package system
