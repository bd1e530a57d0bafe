package recipes_test

import (
	"path/filepath"
	"testing"

	"github.com/jailkit/jailkit/engine/lint"
)

// TestBuiltinRecipesLintClean runs jailkit lint's checks on every built-in
// recipe: what we ship must pass what we ask of recipe authors.
func TestBuiltinRecipesLintClean(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) < 6 {
		t.Fatalf("built-in recipes: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			if err := lint.LintFile(f); err != nil {
				t.Errorf("jailkit lint %s:\n%v", f, err)
			}
		})
	}
}
