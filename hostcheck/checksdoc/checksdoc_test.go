package checksdoc

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/checks.md")

// TestChecksDoc keeps docs/checks.md in step with the catalogue.
func TestChecksDoc(t *testing.T) {
	got := []byte(Markdown())
	path := filepath.Join("..", "..", "docs", "checks.md")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./hostcheck/checksdoc -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Error("docs/checks.md is stale: run go test ./hostcheck/checksdoc -update")
	}
}
