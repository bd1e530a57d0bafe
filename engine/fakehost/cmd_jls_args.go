package fakehost

import (
	"slices"
	"strconv"

	"github.com/jailkit/jailkit/engine/fakehost/getopt"
)

// jlsJails reads a jls argv the way usr.sbin/jls/jls.c does and returns
// the jails it lists: -j JAIL (a JID, or else a name) keeps that jail
// only, and one that does not exist is an error ("jail \"x\" not found",
// status 1). What the fake host does not print (the -h, -n, -s and -v
// text formats, a parameter list, libxo without -n) fails saying so
// rather than being printed in another format.
func jlsJails(a []string, st State) ([]Jail, error) {
	p := mustParse(a)
	libxo := len(getopt.StripLibxo(a[1:])) != len(a[1:])
	for _, o := range p.Opts {
		switch {
		case o.Name == "j", o.Name == "d", o.Name == "a":
		case o.Name == "n" && libxo:
		default:
			return nil, fail(a, "fakehost: jls -%s without --libxo is not simulated", o.Name)
		}
	}
	switch {
	case len(p.Operands) > 0:
		return nil, fail(a, "fakehost: jls with a parameter list is not simulated")
	case libxo && !p.Has("n"):
		return nil, fail(a, "fakehost: jls --libxo without -n is not simulated")
	}
	name, ok := p.Arg("j")
	if !ok {
		return st.Jails, nil
	}
	jid, err := strconv.Atoi(name)
	i := slices.IndexFunc(st.Jails, func(j Jail) bool {
		if err == nil && jid != 0 {
			return j.JID == jid
		}
		return j.Name == name
	})
	if i < 0 {
		return nil, fail(a, "jls: jail \"%s\" not found", name)
	}
	return st.Jails[i : i+1], nil
}
