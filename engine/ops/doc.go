// Package ops plans and runs the day-two operations on jails jailkit
// installed: start, stop and restart through jail(8) with the jail's own
// jail.conf.d file (name servers first), status, drift between a jail's
// files and what its recipe renders, the console, ZFS snapshots and
// rollback of a jail root, updates (the base patched with
// freebsd-update, thin jails' shared base as a patched copy they move
// to, then the packages) and the upgrade of a thin jail to a new release
// (a new shared base, its /etc merged with etcupdate, its packages
// reinstalled). Every changing operation is a plan.Plan applied with
// rollback under the host lock, and what it did is recorded in the
// jail's state file. It never prints: the CLI shows what it returns.
package ops
