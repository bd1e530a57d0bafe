package plan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/jailkit/jailkit/engine/system"
)

// TestApplyInterrupted: SIGINT or SIGTERM (a cancelled ctx) between two
// steps stops the apply before the next one and rolls back the ones that
// ran, so no partial tree stays; the step that never ran undoes nothing
// (its undo would remove a file that was there before).
func TestApplyInterrupted(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "kept"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sys, err := system.NewReal(dir)
	if err != nil {
		t.Fatal(err)
	}
	content := "x\n"
	write := func(p string) Step {
		return Step{Name: "write " + p, Action: ActWrite, Path: p, Mode: "0644", Content: &content,
			Undo: []Step{{Action: ActRemove, Path: p}}}
	}
	p := &Plan{Steps: []Step{write("/a"), write("/kept"), write("/c")}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = Apply(ctx, sys, p, ApplyOptions{OnStep: func(i, _ int, _ *Step) {
		if i == 2 {
			cancel()
		}
	}})
	var se *StepError
	if !errors.As(err, &se) || se.Index != 2 || !errors.Is(err, context.Canceled) {
		t.Fatalf("Apply = %v, want an interruption at step 2", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !os.IsNotExist(err) {
		t.Errorf("/a stays after the rollback: %v", err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "kept")); err != nil || string(data) != "mine\n" {
		t.Errorf("/kept = %q, %v; the step that never ran changed it", data, err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("left in the root: %v", ents)
	}
}
