//go:build !unix

package system

import "errors"

// Exec fails: replacing the process needs execve(2), a Unix call.
func (r *Real) Exec(argv, env []string) error {
	return errors.New("exec is only supported on Unix hosts")
}
