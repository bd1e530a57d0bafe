package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/jailkit/jailkit/cmd/jailkit/internal/gnuflag"
	"github.com/jailkit/jailkit/cmd/jailkit/internal/shellcomp"
)

// completeName is the hidden command the completion scripts call with
// the words of the command line; it prints the candidates for the last
// one. Keeping the logic here, not in three shell languages, means a new
// command or flag completes without regenerating the scripts.
const completeName = "__complete"

// filesDirective, as the first line of __complete's output, asks the
// shell to complete file names itself.
const filesDirective = ":files"

// completionCmd is "jailkit completion SHELL".
type completionCmd struct{}

func (*completionCmd) about() about {
	return about{name: "completion", summary: "print a shell completion script (bash, zsh or fish)",
		usage: "completion bash|zsh|fish", positional: 1,
		help: `Prints the script that teaches SHELL to complete jailkit's commands, flags,
recipe names and the names of installed jails. make install puts them where
FreeBSD's shells look:

  bash  share/bash-completion/completions/jailkit
  zsh   share/zsh/site-functions/_jailkit
  fish  share/fish/vendor_completions.d/jailkit.fish

or load one for the running shell:

  bash  source <(jailkit completion bash)
  zsh   source <(jailkit completion zsh)
  fish  jailkit completion fish | source`}
}

func (*completionCmd) flags(*flag.FlagSet) {}

func (*completionCmd) run(a *app, args []string) error {
	script, ok := shellcomp.Script(args[0])
	if !ok {
		return &usageError{msg: fmt.Sprintf("no completion for shell %q", args[0]), hint: "use jailkit completion bash, zsh or fish"}
	}
	_, err := fmt.Fprint(a.stdout, script)
	return err
}

// complete prints the candidates for the last of words, the command line
// after "jailkit"; an empty last word asks for everything that fits.
func (a *app) complete(words []string) int {
	if len(words) == 0 {
		words = []string{""}
	}
	prior, cur := words[:len(words)-1], words[len(words)-1]
	global := flag.NewFlagSet("jailkit", flag.ContinueOnError)
	a.globalFlags(global)
	global.Bool("version", false, "")
	global.Bool("help", false, "")
	rest, prev := skipFlags(global, prior)
	var cands []string
	switch {
	case len(rest) == 0 && prev != nil:
		cands = a.flagValues(prev)
	case len(rest) == 0 && strings.HasPrefix(cur, "-"):
		cands = flagNames(global)
	case len(rest) == 0:
		cands = commandNames()
	case rest[0] == "help":
		if len(rest) == 1 {
			cands = commandNames()
		}
	default:
		cands = a.completeCommand(rest[0], rest[1:], cur)
	}
	for _, c := range cands {
		if c == filesDirective || strings.HasPrefix(c, cur) {
			fmt.Fprintln(a.stdout, c)
		}
	}
	return exitOK
}

// completeCmd completes the words after a command's name.
func (a *app) completeCommand(name string, words []string, cur string) []string {
	c, ok := lookup(name)
	if !ok {
		return nil
	}
	fs := a.commandFlags(c)
	var pos []string
	for len(words) > 0 {
		var prev *flag.Flag
		words, prev = skipFlags(fs, words)
		if prev != nil {
			return a.flagValues(prev)
		}
		if len(words) > 0 {
			pos, words = append(pos, words[0]), words[1:]
		}
	}
	if strings.HasPrefix(cur, "-") {
		return flagNames(fs)
	}
	return a.positionalValues(c.about(), len(pos))
}

// skipFlags applies the flags at the start of words to fs and returns the
// words from the first positional on. prev is the flag still waiting for
// its value when words end on it.
func skipFlags(fs *flag.FlagSet, words []string) (rest []string, prev *flag.Flag) {
	for i := 0; i < len(words); i++ {
		w := words[i]
		if len(w) < 2 || w[0] != '-' {
			return words[i:], nil
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if gnuflag.IsBool(f) || hasValue {
			_ = fs.Set(name, value)
			continue
		}
		if i+1 == len(words) {
			return nil, f
		}
		i++
		_ = fs.Set(name, words[i])
	}
	return nil, nil
}

func commandNames() []string {
	var out []string
	for _, c := range commands() {
		if !c.about().hidden {
			out = append(out, c.about().name)
		}
	}
	return append(out, "help")
}

func flagNames(fs *flag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name != "h" {
			out = append(out, "--"+f.Name)
		}
	})
	return out
}

// flagValues completes the value of flag f.
func (a *app) flagValues(f *flag.Flag) []string {
	switch f.Name {
	case "format":
		return []string{"text", "json"}
	case "recipe":
		return a.recipeNames()
	case "arch":
		return []string{"amd64", "arm64", "i386"}
	case "root", "recipes", "config", "out", "from", "jails-dir":
		return []string{filesDirective}
	}
	return nil
}

// positionalValues completes positional argument n of command d from its
// usage lines: a literal word (lab's plan, apply, destroy; a shell name)
// is offered as itself, RECIPE as the recipe names, NAME as the installed
// jails, and anything else as a file name.
func (a *app) positionalValues(d about, n int) []string {
	var out []string
	for _, line := range strings.Split(d.usage, "\n") {
		words := usagePositionals(line)
		if n >= len(words) {
			continue
		}
		switch w := words[n]; {
		case w == "RECIPE":
			out = append(out, a.recipeNames()...)
		case w == "NAME":
			out = append(out, a.jailNames()...)
		case strings.ToUpper(w) == w:
			out = append(out, filesDirective)
		default:
			out = append(out, strings.Split(w, "|")...)
		}
	}
	return dedup(out)
}

// usagePositionals returns the positional words of a usage line after the
// command's name, leaving out flags, their values and anything bracketed.
func usagePositionals(line string) []string {
	var out []string
	depth, afterFlag := 0, false
	for i, w := range strings.Fields(line) {
		open := depth
		depth += strings.Count(w, "[") - strings.Count(w, "]")
		switch {
		case i == 0:
		case open > 0 || strings.HasPrefix(w, "["):
		case strings.HasPrefix(w, "-"):
			afterFlag = true
			continue
		case afterFlag:
		default:
			out = append(out, w)
		}
		afterFlag = false
	}
	return out
}

func (a *app) recipeNames() []string {
	if err := a.loadConfig(); err != nil {
		return nil
	}
	c, err := a.catalog()
	if err != nil {
		return nil
	}
	var out []string
	for _, r := range c.List() {
		out = append(out, r.Name)
	}
	return out
}

func dedup(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
