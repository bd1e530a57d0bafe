package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/fatih/color"
	"github.com/jailkit/jailkit/engine"
	"github.com/jailkit/jailkit/engine/system"
)

// version is set at link time (-ldflags "-X main.version=..."); otherwise
// the module version from the build info is used.
var version = ""

// Exit statuses of the CLI contract.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand of jailkit.
type command struct {
	name    string
	order   int
	summary string
	usage   string // synopsis lines after "jailkit "
	help    string // paragraphs after the synopsis
	flags   func(fs *flag.FlagSet, a *app)
	run     func(a *app, args []string) error
	// positional is how many positional arguments run wants: exact count,
	// or -1 for any.
	positional int
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// app carries what every command needs: output streams and global flags.
type app struct {
	stdout, stderr io.Writer
	root           string   // --root: the host's "/"
	recipeDirs     []string // --recipes
	noColor        bool
	colors         palette
	fs             *flag.FlagSet
}

// usageError is bad usage: exit 2 with a hint.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

// exitError carries an exit status with nothing more to print.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func run(args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, root: "/"}
	// Global flags may come before the command as well as after it.
	global := flag.NewFlagSet("jailkit", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	a.globalFlags(global)
	showVersion := global.Bool("version", false, "")
	help := global.Bool("help", false, "")
	global.BoolVar(help, "h", false, "")
	if err := global.Parse(args); err != nil {
		a.decideColor()
		return a.fail(&usageError{msg: err.Error(), hint: "run jailkit --help"})
	}
	a.decideColor()
	rest := global.Args()
	switch {
	case *showVersion:
		fmt.Fprintln(stdout, "jailkit", versionString())
		return exitOK
	case *help || len(rest) == 0:
		if len(rest) == 0 && !*help {
			a.printMainHelp(stderr)
			return exitUsage
		}
		a.printMainHelp(stdout)
		return exitOK
	}
	name, cmdArgs := rest[0], rest[1:]
	if name == "help" {
		if len(cmdArgs) == 0 {
			a.printMainHelp(stdout)
			return exitOK
		}
		c, ok := commands[cmdArgs[0]]
		if !ok {
			return a.fail(unknownCommand(cmdArgs[0]))
		}
		a.printHelp(stdout, c)
		return exitOK
	}
	c, ok := commands[name]
	if !ok {
		return a.fail(unknownCommand(name))
	}
	fs := flag.NewFlagSet("jailkit "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	a.globalFlags(fs)
	fs.Bool("help", false, "")
	if c.flags != nil {
		c.flags(fs, a)
	}
	a.fs = fs
	pos, err := parseInterspersed(fs, cmdArgs)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.printHelp(stdout, c)
			return exitOK
		}
		return a.fail(&usageError{msg: err.Error(), hint: "see jailkit help " + c.name})
	}
	if h := fs.Lookup("help"); h != nil && h.Value.String() == "true" {
		a.printHelp(stdout, c)
		return exitOK
	}
	a.decideColor()
	if c.positional >= 0 && len(pos) != c.positional {
		return a.fail(&usageError{
			msg:  fmt.Sprintf("%s takes %d argument(s), got %d", c.name, c.positional, len(pos)),
			hint: "usage: jailkit " + strings.Split(c.usage, "\n")[0]})
	}
	if err := c.run(a, pos); err != nil {
		return a.fail(err)
	}
	return exitOK
}

func unknownCommand(name string) error {
	return &usageError{msg: fmt.Sprintf("unknown command %q", name), hint: "run jailkit --help for the list of commands"}
}

func (a *app) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.root, "root", a.root, "")
	fs.Func("recipes", "", func(s string) error { a.recipeDirs = append(a.recipeDirs, s); return nil })
	fs.BoolVar(&a.noColor, "no-color", a.noColor, "")
}

// parseInterspersed parses flags that may stand before, between or after
// positional arguments, as "jailkit render dns --ip X" needs. A lone "--"
// ends flag parsing.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// fail prints err the way the CLI contract wants and returns the exit status.
func (a *app) fail(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	code := exitFailure
	var ue *usageError
	if errors.As(err, &ue) || errors.Is(err, engine.ErrInput) {
		code = exitUsage
	}
	var list engine.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		for _, e := range list {
			a.printError(e)
		}
		return code
	}
	a.printError(err)
	return code
}

func (a *app) printError(err error) {
	fmt.Fprintf(a.stderr, "jailkit: %s %s\n", a.colors.err("error:"), err.Error())
	hint := ""
	var fe *engine.FieldError
	var ue *usageError
	switch {
	case errors.As(err, &fe):
		hint = fe.Hint
	case errors.As(err, &ue):
		hint = ue.hint
	}
	if hint != "" {
		fmt.Fprintf(a.stderr, "jailkit: %s %s\n", a.colors.hint("hint:"), hint)
	}
}

func (a *app) printMainHelp(w io.Writer) {
	fmt.Fprint(w, `jailkit turns a FreeBSD host into service appliances, one jail per service.

Usage:
  jailkit [global flags] COMMAND [arguments] [flags]

Commands:
`)
	cs := make([]*command, 0, len(commands))
	for _, c := range commands {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].order < cs[j].order })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
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
  --no-color      no colour (NO_COLOR in the environment does the same)
  --version       print the version
`

func (a *app) printHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "%s\n\nUsage:\n", c.summary)
	for _, l := range strings.Split(c.usage, "\n") {
		fmt.Fprintf(w, "  jailkit %s\n", l)
	}
	if c.help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.help, "\n"))
	}
	fmt.Fprint(w, globalHelp)
}

// palette holds the colour functions, decided once per run.
type palette struct {
	err, hint, warn, ok, bold func(a ...any) string
}

func (a *app) decideColor() {
	_, noColorEnv := os.LookupEnv("NO_COLOR")
	f, isFile := a.stderr.(*os.File)
	plain := a.noColor || noColorEnv || !isFile || !system.IsTerminal(f)
	mk := func(attrs ...color.Attribute) func(a ...any) string {
		c := color.New(attrs...)
		if plain {
			c.DisableColor()
		} else {
			c.EnableColor()
		}
		return c.SprintFunc()
	}
	a.colors = palette{
		err:  mk(color.FgRed, color.Bold),
		hint: mk(color.FgCyan),
		warn: mk(color.FgYellow),
		ok:   mk(color.FgGreen),
		bold: mk(color.Bold),
	}
}
