package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/jailkit/jailkit/engine"
)

func init() {
	register(&command{name: "lab", order: 50, summary: "plan a whole lab of jails from one file",
		usage:      "lab plan FILE [--format text|json]",
		positional: 2, run: runLab, flags: formatFlag,
		help: `A lab file (YAML, see docs/lab.md) describes one network and the jails on it:
name, recipe, address (or auto) and parameters, and count: N for a classroom of
NAME01..NAMEnn. jailkit wires the jails to each other: the dns jail's zone gets
an A and PTR record for every jail and an MX for the mail jail, dhcp hands out
the lab's DNS, router and domain, every jail resolves through the lab's DNS and
logs to the loghost.

  plan   check the whole lab and print, jail by jail in install order, the
         install command it amounts to and every file it renders. Changes
         nothing; works on any OS.

Bad input (a duplicate name or address, an address outside the subnet, an
unknown recipe or parameter) exits 2, naming the file, line, jail and field.

Flags:
  --format F   text (default) or json`})
}

func runLab(a *app, args []string) error {
	verb, file := args[0], args[1]
	switch verb {
	case "plan":
	default:
		return &usageError{msg: fmt.Sprintf("lab %q is not a lab command", verb), hint: "use jailkit lab plan FILE"}
	}
	format, err := a.format()
	if err != nil {
		return err
	}
	l, err := a.loadLab(file)
	if err != nil {
		return err
	}
	p, err := engine.PlanLab(l)
	if err != nil {
		return err
	}
	if format == "json" {
		out, err := p.JSON()
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s\n", out)
		return nil
	}
	fmt.Fprint(a.stdout, p.Text())
	return nil
}

// loadLab reads and checks a lab file against the catalogue; warnings go
// to stderr so a JSON plan on stdout stays clean.
func (a *app) loadLab(file string) (*engine.Lab, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &usageError{msg: fmt.Sprintf("lab file %s does not exist", file), hint: "give the path of a lab file such as docs/examples/homelab.yaml"}
		}
		return nil, &usageError{msg: fmt.Sprintf("read lab file %s: %v", file, errors.Unwrap(err)), hint: "give the path of a readable lab file"}
	}
	c, err := a.catalog()
	if err != nil {
		return nil, err
	}
	l, err := engine.ParseLab(file, data, c)
	if err != nil {
		return nil, err
	}
	for _, w := range l.Warnings {
		fmt.Fprintf(a.stderr, "jailkit: %s %s\n", a.colors.warn("warning:"), w.Msg)
	}
	return l, nil
}
