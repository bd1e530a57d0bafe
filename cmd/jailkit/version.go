package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/jailkit/jailkit/engine/state"
)

// versionCmd is "jailkit version", which prints what --version prints.
type versionCmd struct{}

func (*versionCmd) about() about {
	return about{name: "version", summary: "print jailkit's version",
		usage: "version", positional: 0,
		help: "Prints one line, \"jailkit VERSION\", as jailkit --version does."}
}

func (*versionCmd) flags(*flag.FlagSet) {}

func (*versionCmd) run(a *app, _ []string) error {
	_, err := fmt.Fprintln(a.stdout, "jailkit", versionString())
	return err
}

// jailNames returns the names of the jails jailkit installed on the host
// --root names, from their state files, for completion: it runs no
// command, so it is quick and works on any host.
func (a *app) jailNames() []string {
	host, _, err := a.openHost(a.root)
	if err != nil {
		return nil
	}
	if c, ok := host.(io.Closer); ok {
		defer c.Close()
	}
	states, err := state.ListStates(host)
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range states {
		out = append(out, s.Name)
	}
	return out
}
