package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/cmd/jailkit/internal/gnuflag"
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
				if !gnuflag.Mentions(out.String(), f.Name) {
					t.Errorf("jailkit %s --help does not mention --%s", name, f.Name)
				}
				if !gnuflag.Mentions(c.about().help, f.Name) && !isGlobalFlag(f.Name) && f.Usage == "" {
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

// TestDocsStandAlone: what a user reads (the docs, the man page, check
// texts, recipe descriptions and the files recipes render, help texts)
// explains each rule in its own words instead of pointing at an article,
// its listings or figures the reader has never seen; and the installed
// man page names no path of the source tree.
func TestDocsStandAlone(t *testing.T) {
	cite := regexp.MustCompile(`(?i)\bthe article\b|\barticle's\b|\bListing [0-9]|\bFigures? [0-9]`)
	var files []string
	for _, glob := range []string{"../../docs/*.md", "../../docs/jailkit.8", "../../docs/examples/*", "../../recipes/*.yaml",
		"../../templates/*/*", "../../hostcheck/catalogue.go", "../../hostcheck/checks_*.go", "../../engine/recipe/base.go", "*.go", "../../README.md"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("found only %d files to read", len(files))
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if cite.MatchString(line) {
				t.Errorf("%s:%d cites the article: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
	man, err := os.ReadFile("../../docs/jailkit.8")
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`\.Pa docs/|source tree`).Match(man) {
		t.Error("docs/jailkit.8 points at the source tree, which an installed man page cannot")
	}
}
