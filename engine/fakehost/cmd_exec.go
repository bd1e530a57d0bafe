package fakehost

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ExecLog is where Exec records the commands jailkit replaced itself
// with, one argv a line: the fake host cannot hand a terminal over.
const ExecLog = ".fakehost/exec.log"

// Exec simulates execve(2) of "/usr/sbin/jexec -l NAME /usr/bin/login -f
// root", the login shell of "jailkit console": it checks what jexec would
// (usr.sbin/jexec/jexec.c: getopt "lnu:U:", then jail_getid of the name,
// which fails for a jail that does not run) and records the argv in
// ExecLog, as if the shell had run and exited.
func (h *Host) Exec(argv, env []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(argv) < 3 || argv[0] != "/usr/sbin/jexec" {
		return fail(argv, "fakehost: only /usr/sbin/jexec is simulated for exec")
	}
	args := slices.Clone(argv[1:])
	for len(args) > 0 && (args[0] == "-l" || args[0] == "-n") {
		args = args[1:]
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fail(argv, "usage: jexec [-l] [-u username | -U username] jail [command ...]")
	}
	if _, err := h.running(args[0]); err != nil {
		return fail(argv, "jexec: %v", err)
	}
	f, err := os.OpenFile(filepath.Join(h.Dir, ExecLog), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	line := strings.Join(append(slices.Clone(env), argv...), " ") + "\n"
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
