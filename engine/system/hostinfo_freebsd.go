//go:build freebsd

package system

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sysctlUint32 reads an int or u_int MIB as the number it is; see
// sys/kern/kern_mib.c for kern.securelevel and kern.osreldate.
func sysctlUint32(name string) (uint32, error) {
	v, err := unix.SysctlUint32(name)
	if err != nil {
		return 0, fmt.Errorf("sysctl %s: %w", name, err)
	}
	return v, nil
}

// kldFileStat is struct kld_file_stat of sys/sys/linker.h: version (the
// structure's size), name[MAXPATHLEN], refs, id, address (caddr_t), size
// (size_t), pathname[MAXPATHLEN]. uintptr has the size and alignment of
// caddr_t and size_t on every FreeBSD platform Go builds for.
type kldFileStat struct {
	version  int32
	name     [1024]byte
	refs     int32
	id       int32
	address  uintptr
	size     uintptr
	pathname [1024]byte
}

// kldFiles walks the kernel linker's file list the way sbin/kldstat does:
// kldnext(0) is the first file id, kldnext(id) the one after it, 0 the end
// (sys/kern/kern_linker.c: sys_kldnext); kldstat(id) fills the structure
// whose version field holds its size (sys_kldstat refuses other sizes).
// x/sys/unix has the call numbers but no wrappers, hence the raw calls.
func kldFiles() ([]string, error) {
	var out []string
	id := 0
	for n := 0; n < 4096; n++ {
		next, _, errno := unix.Syscall(unix.SYS_KLDNEXT, uintptr(id), 0, 0)
		if errno != 0 {
			return nil, fmt.Errorf("kldnext: %w", errno)
		}
		if next == 0 {
			return out, nil
		}
		id = int(next)
		st := kldFileStat{version: int32(unsafe.Sizeof(kldFileStat{}))}
		if _, _, errno := unix.Syscall(unix.SYS_KLDSTAT, uintptr(id), uintptr(unsafe.Pointer(&st)), 0); errno != 0 {
			return nil, fmt.Errorf("kldstat %d: %w", id, errno)
		}
		out = append(out, cString(st.name[:]))
	}
	return nil, fmt.Errorf("kldnext: more than 4096 kernel files")
}

// fstatfs describes the file system of an open file (sys/sys/mount.h:
// struct statfs; bin/df/df.c for the KiB arithmetic).
func fstatfs(f *os.File) (FSInfo, error) {
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil {
		return FSInfo{}, fmt.Errorf("statfs %s: %w", f.Name(), err)
	}
	bs := int64(st.Bsize)
	used := int64(st.Blocks - st.Bfree)
	return FSInfo{
		Type:    cString(st.Fstypename[:]),
		From:    cString(st.Mntfromname[:]),
		On:      cString(st.Mntonname[:]),
		TotalKB: int64(st.Blocks) * bs / 1024,
		UsedKB:  used * bs / 1024,
		AvailKB: st.Bavail * bs / 1024,
	}, nil
}

// hasJails asks jail_get(2) for the first jail after JID 0, with no
// parameter but "lastjid": the kernel answers the JID of a live jail this
// process may see, or ENOENT "no jail after 0" when there is none
// (sys/kern/kern_jail.c: kern_jail_get). Dying jails are skipped without
// JAIL_DYING, as jls skips them without -d.
func hasJails() (bool, error) {
	name := []byte("lastjid\x00")
	last := new(int32)
	var iov [2]unix.Iovec
	iov[0].Base = &name[0]
	iov[0].SetLen(len(name))
	iov[1].Base = (*byte)(unsafe.Pointer(last))
	iov[1].SetLen(int(unsafe.Sizeof(*last)))
	_, _, errno := unix.Syscall(unix.SYS_JAIL_GET, uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)), 0)
	runtime.KeepAlive(name)
	runtime.KeepAlive(last)
	switch {
	case errno == 0:
		return true, nil
	case errors.Is(errno, unix.ENOENT):
		return false, nil
	}
	return false, fmt.Errorf("jail_get: %w", errno)
}
