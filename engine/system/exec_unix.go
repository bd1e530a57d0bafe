//go:build unix

package system

import (
	"errors"
	"fmt"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// Exec replaces jailkit with argv through execve(2). Like Run it refuses
// on a Real whose root is not "/".
func (r *Real) Exec(argv, env []string) error {
	if len(argv) == 0 || !path.IsAbs(argv[0]) {
		return errors.New("exec: argv[0] must be an absolute path")
	}
	if !r.exec {
		return fmt.Errorf("exec %s: %w (root is %s)", argv[0], ErrNoExec, r.dir)
	}
	err := unix.Exec(argv[0], argv, append(os.Environ(), env...))
	return fmt.Errorf("exec %s: %w", argv[0], err)
}
