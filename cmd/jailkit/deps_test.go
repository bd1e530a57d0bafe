package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestReleaseDeps keeps the test machinery out of the released binary: the
// simulated FreeBSD host is wired in by main_test.go only, so jailkit must
// link neither the testing packages nor engine/fakehost.
func TestReleaseDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/jailkit/jailkit/cmd/jailkit").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "testing" || strings.HasPrefix(pkg, "testing/") || strings.Contains(pkg, "fakehost") {
			t.Errorf("jailkit links %s, which only the tests may use", pkg)
		}
	}
}
