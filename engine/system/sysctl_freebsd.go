//go:build freebsd

package system

import "golang.org/x/sys/unix"

// sysctl reads a value from the running kernel.
func sysctl(name string) (string, error) { return unix.Sysctl(name) }
