// Package hostcheck audits a FreeBSD host before jails share it: wildcard
// listeners, sendmail, devfs rules, jail parameters, host hardening, user
// accounts and services that do not belong in a jail.
//
// Facts come from one gatherer with two sources: the live host, read
// through an engine/system.System (commands as argv, files, sysctls), or a
// snapshot directory written by Collect and described in docs/snapshot.md,
// so an audit runs on any OS. The formats themselves (sockstat, jls,
// rc.conf, devfs.rules, jail.conf, ifconfig, passwd, ...) are parsed by the
// pure functions of package hostcheck/freebsd; this package reads the
// files and runs the commands, and decides what to read and in what order.
//
// Run applies the catalogue of checks (see Catalogue and docs/checks.md) to
// the facts and returns a Report of findings, each with a stable ID, a
// severity, what was found, why it matters and the exact fix. The install
// engine calls the same Run for its pre-flight with the jail it is about to
// create described as a Planned value.
//
// The package never prints and never decides exit codes; cmd/jailkit does.
package hostcheck
