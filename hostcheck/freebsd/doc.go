// Package freebsd parses what FreeBSD's tools print and its configuration
// files hold: sockstat (text of 13, 14 and 15, and libxo JSON), jls (libxo
// JSON, plain text and -n), sysctl, rc.conf with the order rc(8) reads its
// files in, devfs.rules with includes, jail.conf with .include, ifconfig,
// passwd and group, freebsd-version, kldstat and df.
//
// Every parser is pure: it takes the bytes of one output or file and
// returns values, reads nothing itself (includes go through a function the
// caller gives) and never panics on odd input, which fuzz targets hold it
// to. The parsers work by fields rather than column offsets, so a long user
// or device name that shifts a column does not break them. Each file says,
// in a "Format source" comment, which file of the FreeBSD source tree
// prints or reads the format it parses; the parsers follow the format and
// take no code from there.
//
// It also holds the few rules about these formats that more than one
// package of jailkit needs: ValidInterfaceName for an interface name that
// fits IFNAMSIZ, Broadcast for the last address of a prefix, and IDs for
// the name to id map of a passwd or group file.
//
// Package hostcheck gathers these facts from a live host or a snapshot and
// audits them; other packages of jailkit use the parsers directly.
package freebsd
