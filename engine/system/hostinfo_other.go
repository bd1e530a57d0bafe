//go:build !freebsd

package system

import "os"

// sysctlUint32 fails: only FreeBSD's kernel has the values jailkit asks for.
func sysctlUint32(name string) (uint32, error) { return 0, noKernelInfo("sysctl " + name) }

// kldFiles fails: kldnext(2) and kldstat(2) are FreeBSD's.
func kldFiles() ([]string, error) { return nil, noKernelInfo("kldstat") }

// fstatfs fails: the fields jailkit reads (f_fstypename, f_mntfromname)
// are FreeBSD's struct statfs.
func fstatfs(f *os.File) (FSInfo, error) { return FSInfo{}, noKernelInfo("statfs " + f.Name()) }

// hasJails fails: jail_get(2) is FreeBSD's.
func hasJails() (bool, error) { return false, noKernelInfo("jail_get") }
