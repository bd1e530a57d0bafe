package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Limits that keep the code base one a newcomer can read: a file is read
// whole, a package is one concern.
const (
	maxFileLines    = 700
	maxPackageLines = 3000
)

// sourceFiles returns every non-test Go file of the module with its text.
func sourceFiles(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(strings.TrimPrefix(p, "../../"))] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 20 {
		t.Fatalf("found only %d Go files; is the test running in cmd/jailkit?", len(out))
	}
	return out
}

func TestLayoutSizes(t *testing.T) {
	perPackage := map[string]int{}
	for name, text := range sourceFiles(t) {
		n := strings.Count(text, "\n")
		if n > maxFileLines {
			t.Errorf("%s has %d lines; split it by concern (limit %d)", name, n, maxFileLines)
		}
		perPackage[filepath.Dir(name)] += n
	}
	for pkg, n := range perPackage {
		if n > maxPackageLines {
			t.Errorf("package %s has %d non-test lines; split it (limit %d)", pkg, n, maxPackageLines)
		}
	}
}

// TestNoRecipeNames: Go code never decides by a recipe's name; recipes
// declare roles (docs/recipes.md), so a user's recipe is treated like a
// built-in one.
func TestNoRecipeNames(t *testing.T) {
	byName := regexp.MustCompile(`(==|!=)\s*"(dns|dhcp|mail|www|x11|linux)"|case\s+"(dns|dhcp|mail|www|x11|linux)"|Recipe\.Name\s*(==|!=)`)
	for name, text := range sourceFiles(t) {
		for i, line := range strings.Split(text, "\n") {
			if byName.MatchString(line) {
				t.Errorf("%s:%d compares a recipe name: %s", name, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// TestEveryTestPackageTakesUpdate: go test ./... -update hands -update to
// every test binary, and one that does not define it fails the whole run.
func TestEveryTestPackageTakesUpdate(t *testing.T) {
	defines := map[string]bool{}
	hasTests := map[string]bool{}
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		dir := filepath.Dir(p)
		hasTests[dir] = true
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), `flag.Bool("update"`) || strings.Contains(string(data), `flag.Lookup("update")`) {
			defines[dir] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range hasTests {
		if !defines[dir] {
			t.Errorf("%s has tests but no -update flag: go test ./... -update fails there", dir)
		}
	}
}
