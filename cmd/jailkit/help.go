package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/jailkit/jailkit/cmd/jailkit/internal/gnuflag"
)

func (a *app) printMainHelp(w io.Writer) {
	fmt.Fprint(w, `jailkit turns a FreeBSD host into service appliances, one jail per service.

Usage:
  jailkit [global flags] COMMAND [arguments] [flags]

Commands:
`)
	for _, c := range commands() {
		if d := c.about(); !d.hidden {
			fmt.Fprintf(w, "  %-11s %s\n", d.name, d.summary)
		}
	}
	fmt.Fprint(w, globalHelp+`
Exit status: 0 success, 1 failure (a check failed, an install was rolled
back), 2 bad usage or bad input (nothing was changed).

Run "jailkit help COMMAND" for a command's flags. See jailkit(8).
`)
}

const globalHelp = `
Global flags:
  --root DIR      treat DIR as the host's / (staging and tests)
  --recipes DIR   extra recipe directory; overrides built-ins by name
  --config FILE   configuration file (default /usr/local/etc/jailkit/jailkit.conf,
                  or $JAILKIT_CONF)
  --no-color      no colour (NO_COLOR or TERM=dumb in the environment do the same)
  --version       print the version
  --help, -h      print this help
`

// printHelp writes the help of c. Its flags are the ones fs holds: any
// the hand-written text does not mention is listed with its usage
// string, so no flag a command accepts goes unmentioned in its help.
func (a *app) printHelp(w io.Writer, c command, fs *flag.FlagSet) {
	d := c.about()
	fmt.Fprintf(w, "%s\n\nUsage:\n", d.summary)
	for _, l := range strings.Split(d.usage, "\n") {
		fmt.Fprintf(w, "  jailkit %s\n", l)
	}
	text := strings.TrimRight(d.help, "\n")
	if text != "" {
		fmt.Fprintf(w, "\n%s\n", text)
	}
	var missing []*flag.Flag
	global := map[string]bool{"root": true, "recipes": true, "config": true, "no-color": true, "help": true, "h": true}
	fs.VisitAll(func(f *flag.Flag) {
		if !global[f.Name] && !gnuflag.Mentions(text, f.Name) {
			missing = append(missing, f)
		}
	})
	if len(missing) > 0 {
		title := "Flags:"
		if strings.Contains(text, "Flags:") {
			title = "More flags:"
		}
		fmt.Fprintf(w, "\n%s\n", title)
		for _, f := range missing {
			fmt.Fprintf(w, "  --%-15s %s\n", f.Name, f.Usage)
		}
	}
	fmt.Fprint(w, globalHelp)
}
