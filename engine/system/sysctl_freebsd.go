//go:build freebsd

package system

import (
	"fmt"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sysctl reads a value from the running kernel as text. It asks the
// kernel for the OID's kind first, the way sbin/sysctl/sysctl.c does
// (name2oid, then oidfmt), because unix.Sysctl hands back an integer's
// raw bytes.
func sysctl(name string) (string, error) {
	oid, err := name2oid(name)
	if err != nil {
		return "", fmt.Errorf("sysctl %s: %w", name, err)
	}
	kind, err := oidKind(oid)
	if err != nil {
		return "", fmt.Errorf("sysctl %s: %w", name, err)
	}
	raw, err := unix.SysctlRaw(name)
	if err != nil {
		return "", fmt.Errorf("sysctl %s: %w", name, err)
	}
	return SysctlText(kind, raw, strconv.IntSize/8)
}

// ctlSysctl, ctlName2OID and ctlOIDFmt are CTL_SYSCTL,
// CTL_SYSCTL_NAME2OID and CTL_SYSCTL_OIDFMT of sys/sys/sysctl.h.
const (
	ctlSysctl   = 0
	ctlName2OID = 3
	ctlOIDFmt   = 4
	ctlMaxName  = 24 // CTL_MAXNAME
)

func name2oid(name string) ([]int32, error) {
	query := []int32{ctlSysctl, ctlName2OID}
	oid := make([]int32, ctlMaxName)
	n := uintptr(len(oid) * 4)
	in := append([]byte(name), 0)
	if err := rawSysctl(query, unsafe.Pointer(&oid[0]), &n, unsafe.Pointer(&in[0]), uintptr(len(name))); err != nil {
		return nil, err
	}
	return oid[:n/4], nil
}

func oidKind(oid []int32) (uint32, error) {
	query := append([]int32{ctlSysctl, ctlOIDFmt}, oid...)
	var buf [256]byte // the kind word, then the format string
	n := uintptr(len(buf))
	if err := rawSysctl(query, unsafe.Pointer(&buf[0]), &n, nil, 0); err != nil {
		return 0, err
	}
	if n < 4 {
		return 0, fmt.Errorf("oidfmt answered %d bytes", n)
	}
	return *(*uint32)(unsafe.Pointer(&buf[0])), nil
}

func rawSysctl(mib []int32, old unsafe.Pointer, oldlen *uintptr, new unsafe.Pointer, newlen uintptr) error {
	_, _, errno := unix.Syscall6(unix.SYS___SYSCTL, uintptr(unsafe.Pointer(&mib[0])), uintptr(len(mib)),
		uintptr(old), uintptr(unsafe.Pointer(oldlen)), uintptr(new), newlen)
	if errno != 0 {
		return errno
	}
	return nil
}
