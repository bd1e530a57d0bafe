// Package livefacts reads the command-shaped facts of hostcheck's live
// source from a running host. Where the kernel answers through a stable
// interface (engine/system.HostInfo: getifaddrs, kldnext/kldstat(2),
// statfs(2), jail_get(2)) no process starts, and the answer is printed the
// way the FreeBSD command that shows it would print it (ifconfig -a,
// kldstat, df -k, jls), so a snapshot written by collect has one format
// whichever way a fact was read. Where the kernel cannot be asked (another
// OS, a staged --root), the command runs as before.
//
// The formats are hostcheck/freebsd's; this package only chooses between
// the kernel and the command. It never prints.
package livefacts
