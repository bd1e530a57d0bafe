// Package pkgcache plans the host's package cache that jailkit's jails
// share: one directory per ABI, mounted read-write on a jail's
// /var/cache/pkg only while jailkit's own pkg runs there, and scrubbed of
// anything but regular files and directories before each mount.
package pkgcache
