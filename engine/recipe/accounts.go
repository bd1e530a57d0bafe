package recipe

import "slices"

// baseUsers are the accounts of a FreeBSD base release, read from
// freebsd-src etc/master.passwd (the file base.txz installs as the
// jail's password database).
var baseUsers = []string{
	"root", "toor", "daemon", "operator", "bin", "tty", "kmem", "games", "news", "man", "sshd", "smmsp",
	"mailnull", "bind", "unbound", "proxy", "_pflogd", "_dhcp", "uucp", "pop", "auditdistd", "www", "ntpd",
	"_ypldap", "hast", "tests", "nobody",
}

// baseGroups are the groups of a FreeBSD base release, read from
// freebsd-src etc/group, with the own groups of the base users above that
// etc/master.passwd gives a group id of their own (unbound, ntpd,
// _ypldap, tests, audit).
var baseGroups = []string{
	"wheel", "daemon", "kmem", "sys", "tty", "operator", "mail", "bin", "news", "man", "games", "ftp", "staff",
	"sshd", "smmsp", "mailnull", "guest", "bind", "unbound", "proxy", "authpf", "_pflogd", "_dhcp", "uucp",
	"dialer", "network", "audit", "www", "ntpd", "_ypldap", "hast", "tests", "nogroup", "nobody",
}

// knownAccount says whether name is a base account of kind (baseUsers
// or baseGroups) or one the recipe says its packages create.
func (r *Recipe) knownAccount(name string, base []string) bool {
	return slices.Contains(base, name) || slices.Contains(r.Accounts, name)
}
