package fakeconf

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// Kernel answers system.HostInfo for a host with this configuration and
// state, from the same data its commands print, so a test sees one host
// whether jailkit reads a fact through the kernel or through the command.
type Kernel struct {
	Config Config
	State  State
	// Err, when set, is what every answer fails with (the host's files
	// could not be read).
	Err error
	// Ifconfig prints ifconfig -a; Exists says whether a path exists.
	Ifconfig func() ([]byte, error)
	Exists   func(name string) bool
}

// SysctlUint32 answers an int sysctl from its bytes, as the kernel holds it.
func (k Kernel) SysctlUint32(name string) (uint32, error) {
	if k.Err != nil {
		return 0, k.Err
	}
	kind, raw, ok := k.Config.SysctlRaw(name)
	if !ok || kind != system.CtlTypeInt || len(raw) != 4 {
		return 0, fmt.Errorf("sysctl %s: no such integer sysctl", name)
	}
	return binary.LittleEndian.Uint32(raw), nil
}

// Interfaces lists what ifconfig -a shows.
func (k Kernel) Interfaces() ([]system.NetInterface, error) {
	if k.Err != nil {
		return nil, k.Err
	}
	out, err := k.Ifconfig()
	var ifs []system.NetInterface
	for _, ifc := range freebsd.ParseIfconfig(out) {
		ifs = append(ifs, system.NetInterface(ifc))
	}
	return ifs, err
}

// KldFiles lists what kldstat shows: the kernel, zfs.ko, then the modules
// kldload loaded.
func (k Kernel) KldFiles() ([]string, error) {
	files := []string{"kernel", "zfs.ko"}
	for _, m := range k.State.Modules {
		files = append(files, m+".ko")
	}
	return files, k.Err
}

// HasJails reports whether jls would list a jail.
func (k Kernel) HasJails() (bool, error) { return len(k.State.Jails) > 0, k.Err }

// Statfs describes the file system holding name: the ZFS dataset mounted
// at it or at its nearest ancestor, else the one UFS file system df
// shows. Like statfs(2), it fails when name does not exist.
func (k Kernel) Statfs(name string) (system.FSInfo, error) {
	if k.Err != nil {
		return system.FSInfo{}, k.Err
	}
	if !k.Exists(name) {
		return system.FSInfo{}, &fs.PathError{Op: "statfs", Path: name, Err: fs.ErrNotExist}
	}
	info := system.FSInfo{Type: "ufs", From: "/dev/ada0p2", On: "/", TotalKB: 40000000, UsedKB: 8000000, AvailKB: 30000000}
	p, best := path.Clean(name), -1
	for _, d := range append(append([]Dataset{}, k.Config.Datasets...), k.State.Datasets...) {
		m := path.Clean(d.Mountpoint)
		if len(m) <= best || !(p == m || m == "/" || strings.HasPrefix(p, m+"/")) {
			continue
		}
		best = len(m)
		info.Type, info.From, info.On = "zfs", d.Name, m
	}
	return info, nil
}

// KernelOf is system.HostInfo for a host read afresh on every question:
// the function returns the host's Kernel as it is now.
type KernelOf func() Kernel

// SysctlUint32 asks the host now.
func (f KernelOf) SysctlUint32(name string) (uint32, error) { return f().SysctlUint32(name) }

// Interfaces asks the host now.
func (f KernelOf) Interfaces() ([]system.NetInterface, error) { return f().Interfaces() }

// KldFiles asks the host now.
func (f KernelOf) KldFiles() ([]string, error) { return f().KldFiles() }

// Statfs asks the host now.
func (f KernelOf) Statfs(name string) (system.FSInfo, error) { return f().Statfs(name) }

// HasJails asks the host now.
func (f KernelOf) HasJails() (bool, error) { return f().HasJails() }
