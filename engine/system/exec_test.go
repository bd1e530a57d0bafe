package system

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExecRecorded: a dry run and a recorder only record the command a
// console would replace jailkit with; a Real on a staging root refuses.
func TestExecRecorded(t *testing.T) {
	argv := []string{"/usr/sbin/jexec", "-l", "dns", "/usr/bin/login", "-f", "root"}
	d := NewDryRun(nil)
	if err := d.Exec(argv, nil); err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(d)
	if err := rec.Exec(argv, []string{"TERM=vt100"}); err != nil {
		t.Fatal(err)
	}
	for _, calls := range [][]Call{d.Skipped(), rec.Calls()} {
		if len(calls) == 0 || calls[len(calls)-1].Op != "exec" || !cmp.Equal(calls[len(calls)-1].Argv, argv) || calls[len(calls)-1].IsMutation() {
			t.Errorf("calls = %v", calls)
		}
	}
	r, err := NewReal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Exec(argv, nil); err == nil {
		t.Error("a Real on a staging root replaced the test binary")
	}
	if err := r.Exec([]string{"jexec"}, nil); err == nil {
		t.Error("a relative argv[0] was accepted")
	}
}
