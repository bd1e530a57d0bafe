package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

// TestManPageCoversCommands keeps docs/jailkit.8 and the help in step with
// the commands: a new command without documentation fails here.
func TestManPageCoversCommands(t *testing.T) {
	man, err := os.ReadFile("../../docs/jailkit.8")
	if err != nil {
		t.Fatal(err)
	}
	var help bytes.Buffer
	if code := run([]string{"--help"}, &help, &help); code != 0 {
		t.Fatalf("jailkit --help exited %d", code)
	}
	for _, c := range commands() {
		name, usage := c.about().name, c.about().usage
		t.Run(name, func(t *testing.T) {
			if !bytes.Contains(man, []byte(".It Cm "+name)) {
				t.Errorf("docs/jailkit.8 has no \".It Cm %s\" entry in COMMANDS", name)
			}
			if !strings.Contains(help.String(), "  "+name+" ") {
				t.Errorf("jailkit --help does not list %s", name)
			}
			var out bytes.Buffer
			if code := run([]string{name, "--help"}, &out, &out); code != 0 {
				t.Errorf("jailkit %s --help exited %d", name, code)
			}
			if !strings.Contains(out.String(), "jailkit "+strings.Fields(usage)[0]) {
				t.Errorf("jailkit %s --help lacks its usage line:\n%s", name, out.String())
			}
		})
	}
}

// TestHelpListsEveryFlag: every flag a command accepts is named in its
// --help, so none is a secret. A command that adds a flag without
// describing it still passes, because the help lists it with its usage
// string; that usage string must then say something.
func TestHelpListsEveryFlag(t *testing.T) {
	a := newApp(nil, nil, openRealHost)
	for _, c := range commands() {
		name := c.about().name
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if code := run([]string{name, "--help"}, &out, &out); code != 0 {
				t.Fatalf("jailkit %s --help exited %d", name, code)
			}
			fs := a.commandFlags(c)
			fs.VisitAll(func(f *flag.Flag) {
				if f.Name == "h" {
					return
				}
				if !mentions(out.String(), f.Name) {
					t.Errorf("jailkit %s --help does not mention --%s", name, f.Name)
				}
				if !mentions(c.about().help, f.Name) && !isGlobalFlag(f.Name) && f.Usage == "" {
					t.Errorf("--%s of %s is neither in its help text nor has a usage string", f.Name, name)
				}
			})
		})
	}
}

func isGlobalFlag(name string) bool {
	switch name {
	case "root", "recipes", "config", "no-color", "help":
		return true
	}
	return false
}
