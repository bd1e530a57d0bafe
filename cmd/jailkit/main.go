package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/fatih/color"
	"github.com/jailkit/jailkit/engine/inputerr"
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

// run runs jailkit on the live host (or the tree --root names) with args,
// which lack the program name, and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return newApp(stdout, stderr, openRealHost).run(args)
}

// hostOpener opens the System of the host whose "/" is root and says
// whether that host is simulated. It reports simulated even when it fails,
// so a command can still refuse to change a real host that is not FreeBSD.
type hostOpener func(root string) (sys system.System, simulated bool, err error)

// openRealHost is the hostOpener of the released binary. The simulated
// host of the tests is wired in by main_test.go, so that neither it nor
// the testing package is linked into jailkit.
func openRealHost(root string) (system.System, bool, error) {
	r, err := system.NewReal(root)
	if err != nil {
		return nil, false, err
	}
	return r, false, nil
}

// app is one run of jailkit: its output streams, how it opens the host,
// and the global flags.
type app struct {
	stdout, stderr io.Writer
	openHost       hostOpener
	root           string   // --root: the host's "/"
	recipeDirs     []string // --recipes
	noColor        bool
	colors         palette
}

// newApp returns an app that has not parsed its arguments yet.
func newApp(stdout, stderr io.Writer, openHost hostOpener) *app {
	return &app{stdout: stdout, stderr: stderr, openHost: openHost, root: "/"}
}

// command is one subcommand. commands builds fresh values for every run,
// so the flags a command parses into never outlive the run.
type command interface {
	// about describes the command for help and the argument check.
	about() about
	// flags registers the command's own flags, which parse into it.
	flags(fs *flag.FlagSet)
	// run does the command's work with its positional arguments.
	run(a *app, args []string) error
}

// about is what help shows of a command and the positional arguments it
// takes.
type about struct {
	name    string
	summary string
	usage   string // synopsis lines after "jailkit "
	help    string // paragraphs after the synopsis
	// positional is how many positional arguments run wants: exact count,
	// or -1 for any.
	positional int
}

// commands returns a fresh value of every command, in the order the main
// help lists them.
func commands() []command {
	return []command{
		&recipesCmd{}, &showCmd{},
		&renderCmd{},
		&installCmd{}, &uninstallCmd{}, &listCmd{},
		&powerCmd{verb: "start"}, &powerCmd{verb: "stop"}, &powerCmd{verb: "restart"},
		&statusCmd{}, &diffCmd{}, &consoleCmd{},
		&snapshotCmd{}, &snapshotCmd{rollback: true}, &updateCmd{},
		&checkCmd{}, &collectCmd{},
		&labCmd{},
		&lintCmd{},
	}
}

// lookup returns a fresh value of the command called name.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.about().name == name {
			return c, true
		}
	}
	return nil, false
}

// usageError is bad usage: exit 2 with a hint.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

// exitError carries an exit status with nothing more to print.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// run runs jailkit with args, which lack the program name, and returns the
// exit status.
func (a *app) run(args []string) int {
	rest, status, done := a.parseGlobal(args)
	if done {
		return status
	}
	name, cmdArgs := rest[0], rest[1:]
	if name == "help" {
		return a.helpCommand(cmdArgs)
	}
	c, ok := lookup(name)
	if !ok {
		return a.fail(unknownCommand(name))
	}
	return a.runCommand(c, cmdArgs)
}

// parseGlobal parses the global flags that stand before the command. done
// says the run is over (--version, --help, no command, bad usage) with
// status; otherwise rest starts with the command's name.
func (a *app) parseGlobal(args []string) (rest []string, status int, done bool) {
	global := flag.NewFlagSet("jailkit", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	a.globalFlags(global)
	showVersion := global.Bool("version", false, "")
	help := global.Bool("help", false, "")
	global.BoolVar(help, "h", false, "")
	err := global.Parse(args)
	// Even a parse error is printed in colour, or not, as asked so far.
	a.decideColor()
	switch {
	case err != nil:
		return nil, a.fail(&usageError{msg: err.Error(), hint: "run jailkit --help"}), true
	case *showVersion:
		fmt.Fprintln(a.stdout, "jailkit", versionString())
		return nil, exitOK, true
	case *help:
		a.printMainHelp(a.stdout)
		return nil, exitOK, true
	case global.NArg() == 0:
		// No command is bad usage; the help goes where errors go.
		a.printMainHelp(a.stderr)
		return nil, exitUsage, true
	}
	return global.Args(), exitOK, false
}

// helpCommand is "jailkit help [COMMAND]".
func (a *app) helpCommand(args []string) int {
	if len(args) == 0 {
		a.printMainHelp(a.stdout)
		return exitOK
	}
	c, ok := lookup(args[0])
	if !ok {
		return a.fail(unknownCommand(args[0]))
	}
	a.printHelp(a.stdout, c.about())
	return exitOK
}

// runCommand parses the command's flags, which global flags may join
// (they may come after the command as well as before it), and runs it.
func (a *app) runCommand(c command, args []string) int {
	d := c.about()
	fs := flag.NewFlagSet("jailkit "+d.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	a.globalFlags(fs)
	help := fs.Bool("help", false, "")
	c.flags(fs)
	pos, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp), err == nil && *help:
		a.printHelp(a.stdout, d)
		return exitOK
	case err != nil:
		return a.fail(&usageError{msg: err.Error(), hint: "see jailkit help " + d.name})
	}
	a.decideColor()
	if d.positional >= 0 && len(pos) != d.positional {
		return a.fail(&usageError{
			msg:  fmt.Sprintf("%s takes %d argument(s), got %d", d.name, d.positional, len(pos)),
			hint: "usage: jailkit " + strings.Split(d.usage, "\n")[0]})
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
	if errors.As(err, &ue) || errors.Is(err, inputerr.ErrInput) {
		code = exitUsage
	}
	var list inputerr.ErrorList
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
	var fe *inputerr.FieldError
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
	for _, c := range commands() {
		d := c.about()
		fmt.Fprintf(w, "  %-10s %s\n", d.name, d.summary)
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

func (a *app) printHelp(w io.Writer, c about) {
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
