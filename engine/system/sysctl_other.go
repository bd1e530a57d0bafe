//go:build !freebsd

package system

import (
	"fmt"
	"runtime"
)

// sysctl fails: only FreeBSD's kernel has the values jailkit asks for.
func sysctl(name string) (string, error) {
	return "", fmt.Errorf("sysctl %s: not available on %s", name, runtime.GOOS)
}
