// Package config reads jailkit.conf, the optional site configuration in
// /usr/local/etc/jailkit/jailkit.conf: where jails live, the release,
// bridge and interface to use when a command is not told, and extra
// recipe directories. The format is lines of "key = value" with "#"
// comments, like FreeBSD's own configuration files, parsed strictly: an
// unknown key, a repeated key or a bad value is an error naming its line.
package config
