package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/jailkit/jailkit/cmd/jailkit/internal/gnuflag"
	"github.com/jailkit/jailkit/cmd/jailkit/internal/signals"
	"github.com/jailkit/jailkit/engine/config"
	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
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
// the global flags and the configuration file.
type app struct {
	stdout, stderr io.Writer
	openHost       hostOpener
	root           string   // --root: the host's "/"
	recipeDirs     []string // --recipes
	configPath     string   // --config, else JAILKIT_CONF, else the default
	noColor        bool
	conf           config.Config
	// colors paints what goes to stderr, outColors what goes to stdout:
	// each stream is coloured only when it is a terminal itself.
	colors, outColors palette
	started           time.Time
	// ctx is cancelled by SIGINT and SIGTERM: a command stops at its next
	// step and takes back what it did (an apply rolls back, a render
	// removes its files) instead of dying half way.
	ctx context.Context
}

// newApp returns an app that has not parsed its arguments yet.
func newApp(stdout, stderr io.Writer, openHost hostOpener) *app {
	return &app{stdout: stdout, stderr: stderr, openHost: openHost, root: "/", started: time.Now()}
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
	// hidden keeps a command out of the help and the man page: the
	// completion scripts' helper is one.
	hidden bool
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
		&snapshotCmd{}, &snapshotCmd{rollback: true}, &updateCmd{}, &upgradeCmd{},
		&checkCmd{}, &collectCmd{},
		&labCmd{},
		&lintCmd{},
		&completionCmd{}, &versionCmd{},
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

// signalGrace is how long a command may take to stop after SIGINT or
// SIGTERM before jailkit exits anyway: a command blocked outside its
// context must not outlive a service manager's single SIGTERM.
const signalGrace = 10 * time.Second

// exitError carries an exit status with nothing more to print.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// run runs jailkit with args, which lack the program name, and returns the
// exit status.
func (a *app) run(args []string) int {
	ctx, stop := signals.Context(a.stderr, plan.RollingBack, signalGrace)
	defer stop()
	a.ctx = ctx
	rest, status, done := a.parseGlobal(args)
	if done {
		return status
	}
	name, cmdArgs := rest[0], rest[1:]
	switch name {
	case "help":
		return a.helpCommand(cmdArgs)
	case completeName:
		return a.complete(cmdArgs)
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
	showVersion := global.Bool("version", false, "print the version")
	help := global.Bool("help", false, "")
	global.BoolVar(help, "h", false, "")
	rest, err := gnuflag.Parse(global, args, true, "jailkit --help")
	// Even a parse error is printed in colour, or not, as asked so far.
	a.decideColor()
	switch {
	case err != nil:
		return nil, a.fail(err), true
	case *showVersion:
		fmt.Fprintln(a.stdout, "jailkit", versionString())
		return nil, exitOK, true
	case *help:
		a.printMainHelp(a.stdout)
		return nil, exitOK, true
	case len(rest) == 0:
		// No command is bad usage; the help goes where errors go.
		a.printMainHelp(a.stderr)
		return nil, exitUsage, true
	}
	return rest, exitOK, false
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
	a.printHelp(a.stdout, c, a.commandFlags(c))
	return exitOK
}

// commandFlags returns the FlagSet of c: the global flags, which may come
// after the command as well as before it, --help and c's own.
func (a *app) commandFlags(c command) *flag.FlagSet {
	fs := flag.NewFlagSet("jailkit "+c.about().name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	a.globalFlags(fs)
	fs.Bool("help", false, "")
	fs.Bool("h", false, "")
	c.flags(fs)
	return fs
}

// runCommand parses the command's flags, reads the configuration file
// and runs the command.
func (a *app) runCommand(c command, args []string) int {
	d := c.about()
	fs := a.commandFlags(c)
	pos, err := gnuflag.Parse(fs, args, false, "jailkit help "+d.name)
	a.decideColor()
	switch {
	case err != nil:
		return a.fail(err)
	case fs.Lookup("help").Value.String() == "true" || fs.Lookup("h").Value.String() == "true":
		a.printHelp(a.stdout, c, fs)
		return exitOK
	}
	if d.positional >= 0 && len(pos) != d.positional {
		return a.fail(&usageError{
			msg:  fmt.Sprintf("%s takes %d argument(s), got %d", d.name, d.positional, len(pos)),
			hint: "usage: jailkit " + strings.Split(d.usage, "\n")[0]})
	}
	if err := a.loadConfig(); err != nil {
		return a.fail(err)
	}
	if err := c.run(a, pos); err != nil {
		return a.fail(err)
	}
	return exitOK
}

// unknownCommand is the error for a command jailkit does not have, with
// the nearest one it does as the hint.
func unknownCommand(name string) error {
	var names []string
	for _, c := range commands() {
		if !c.about().hidden {
			names = append(names, c.about().name)
		}
	}
	if s := gnuflag.Nearest(name, names); s != "" {
		return &usageError{msg: fmt.Sprintf("unknown command %q", name), hint: fmt.Sprintf("did you mean %s? (run jailkit --help for the list of commands)", s)}
	}
	return &usageError{msg: fmt.Sprintf("unknown command %q", name), hint: "run jailkit --help for the list of commands"}
}

func (a *app) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.root, "root", a.root, "treat DIR as the host's / (staging and tests)")
	fs.Func("recipes", "extra recipe directory; overrides built-ins by name", func(s string) error { a.recipeDirs = append(a.recipeDirs, s); return nil })
	fs.StringVar(&a.configPath, "config", a.configPath, "configuration file (default /usr/local/etc/jailkit/jailkit.conf)")
	fs.BoolVar(&a.noColor, "no-color", a.noColor, "no colour (NO_COLOR in the environment does the same)")
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
	var ge *gnuflag.Error
	if errors.As(err, &ue) || errors.As(err, &ge) || errors.Is(err, inputerr.ErrInput) {
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
	var ge *gnuflag.Error
	switch {
	case errors.As(err, &fe):
		hint = fe.Hint
	case errors.As(err, &ue):
		hint = ue.hint
	case errors.As(err, &ge):
		hint = ge.Hint
	}
	if hint != "" {
		fmt.Fprintf(a.stderr, "jailkit: %s %s\n", a.colors.hint("hint:"), hint)
	}
}
