package system

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
)

// HostInfo is what a System reads from the running kernel through stable
// interfaces (sysctl(3), getifaddrs(3), kldnext(2)/kldstat(2), statfs(2))
// instead of starting ifconfig, kldstat, df or zfs. An implementation that
// cannot answer returns an error, and the caller may fall back to the
// command: every fact here is also printed by a FreeBSD tool.
type HostInfo interface {
	// SysctlUint32 reads an integer sysctl (an int or u_int MIB such as
	// kern.securelevel or net.link.bridge.member_ifaddrs) as a number;
	// Sysctl would hand back its raw bytes.
	SysctlUint32(name string) (uint32, error)
	// Interfaces lists the network interfaces with their addresses, as
	// getifaddrs(3) (and so ifconfig -a) sees them.
	Interfaces() ([]NetInterface, error)
	// KldFiles lists the files the kernel linker has loaded (kernel,
	// zfs.ko, if_bridge.ko ...), as kldstat(8) prints them.
	KldFiles() ([]string, error)
	// Statfs describes the file system that holds name (a path under the
	// System's root), as statfs(2) and df(1) do.
	Statfs(name string) (FSInfo, error)
	// HasJails reports whether any jail runs (one this process can see:
	// its children), so jls need not start on a host that has none.
	HasJails() (bool, error)
}

// NetInterface is one network interface.
type NetInterface struct {
	Name     string
	Loopback bool
	Up       bool
	// Prefixes holds each address with its netmask as a prefix length,
	// the host bits kept (192.0.2.10/24, not 192.0.2.0/24), no zone.
	Prefixes []netip.Prefix
}

// FSInfo is one mounted file system as statfs(2) reports it, with the
// sizes df -k prints (bin/df/df.c: used is f_blocks - f_bfree, available
// is f_bavail, each times f_bsize, in KiB).
type FSInfo struct {
	Type    string // f_fstypename: ufs, zfs, tmpfs ...
	From    string // f_mntfromname: a device, or a ZFS dataset's name
	On      string // f_mntonname: where it is mounted
	TotalKB int64
	UsedKB  int64
	AvailKB int64 // negative when the reserve is in use, as df shows it
}

// ErrNoKernelInfo says a System cannot read a kernel fact directly (not
// FreeBSD, or a Recorder with no Base); the command that prints the fact
// may still work.
var ErrNoKernelInfo = errors.New("kernel fact not readable here")

func noKernelInfo(what string) error {
	return fmt.Errorf("%s on %s: %w", what, runtime.GOOS, ErrNoKernelInfo)
}

// netInterfaces reads the interfaces through the net package, which asks
// the kernel's routing sysctl (NET_RT_IFLIST) on FreeBSD: no process.
func netInterfaces() ([]NetInterface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("interfaces: %w", err)
	}
	out := make([]NetInterface, 0, len(ifs))
	for _, ifc := range ifs {
		n := NetInterface{Name: ifc.Name, Up: ifc.Flags&net.FlagUp != 0, Loopback: ifc.Flags&net.FlagLoopback != 0}
		addrs, err := ifc.Addrs()
		if err != nil {
			return nil, fmt.Errorf("interface %s: %w", ifc.Name, err)
		}
		for _, a := range addrs {
			if p, ok := ipNetPrefix(a); ok {
				n.Prefixes = append(n.Prefixes, p)
			}
		}
		out = append(out, n)
	}
	return out, nil
}

// ipNetPrefix turns a net.Addr of an interface into an address/length
// prefix that keeps the host bits.
func ipNetPrefix(a net.Addr) (netip.Prefix, bool) {
	ipn, ok := a.(*net.IPNet)
	if !ok {
		return netip.Prefix{}, false
	}
	addr, ok := netip.AddrFromSlice(ipn.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	addr = addr.Unmap()
	ones, bits := ipn.Mask.Size()
	switch {
	case bits == 0:
		ones = addr.BitLen() // not a contiguous mask: a host route
	case addr.Is4() && bits == 128:
		ones -= 96
	}
	if ones < 0 || ones > addr.BitLen() {
		ones = addr.BitLen()
	}
	return netip.PrefixFrom(addr.WithZone(""), ones), true
}

// SysctlUint32 reads an integer sysctl of the running kernel.
func (r *Real) SysctlUint32(name string) (uint32, error) { return sysctlUint32(name) }

// Interfaces lists the running kernel's network interfaces.
func (r *Real) Interfaces() ([]NetInterface, error) {
	if err := r.live("interfaces"); err != nil {
		return nil, err
	}
	return netInterfaces()
}

// KldFiles lists the kernel files the running kernel has loaded.
func (r *Real) KldFiles() ([]string, error) {
	if err := r.live("kldstat"); err != nil {
		return nil, err
	}
	return kldFiles()
}

// live refuses a fact of the running host to a Real whose root is not
// "/": its interfaces, modules and jails are not the staged root's, and
// the commands that print them would not run there either.
func (r *Real) live(what string) error {
	if !r.exec {
		return fmt.Errorf("%s: %w (root is %s)", what, ErrNoExec, r.dir)
	}
	return nil
}

// Statfs describes the file system holding name, opened through the root
// so a symlink cannot lead the question outside it.
func (r *Real) Statfs(name string) (FSInfo, error) {
	p, err := rel(name)
	if err != nil {
		return FSInfo{}, err
	}
	f, err := r.root.Open(p)
	if err != nil {
		return FSInfo{}, err
	}
	defer f.Close()
	return fstatfs(f)
}

// HasJails asks the running kernel.
func (r *Real) HasJails() (bool, error) {
	if err := r.live("jail_get"); err != nil {
		return false, err
	}
	return hasJails()
}

// SysctlUint32 reads through Base.
func (d *DryRun) SysctlUint32(name string) (uint32, error) {
	if d.Base == nil {
		return 0, notExist("sysctl", name)
	}
	return d.Base.SysctlUint32(name)
}

// Interfaces reads through Base.
func (d *DryRun) Interfaces() ([]NetInterface, error) {
	if d.Base == nil {
		return nil, noKernelInfo("interfaces")
	}
	return d.Base.Interfaces()
}

// KldFiles reads through Base.
func (d *DryRun) KldFiles() ([]string, error) {
	if d.Base == nil {
		return nil, noKernelInfo("kldstat")
	}
	return d.Base.KldFiles()
}

// Statfs reads through Base.
func (d *DryRun) Statfs(name string) (FSInfo, error) {
	if d.Base == nil {
		return FSInfo{}, notExist("statfs", name)
	}
	return d.Base.Statfs(name)
}

// HasJails reads through Base.
func (d *DryRun) HasJails() (bool, error) {
	if d.Base == nil {
		return false, noKernelInfo("jail_get")
	}
	return d.Base.HasJails()
}

// SysctlUint32 records and reads.
func (r *Recorder) SysctlUint32(name string) (uint32, error) {
	r.add(Call{Op: "sysctl", Path: name})
	if r.Base == nil {
		return 0, notExist("sysctl", name)
	}
	return r.Base.SysctlUint32(name)
}

// Interfaces records and reads.
func (r *Recorder) Interfaces() ([]NetInterface, error) {
	r.add(Call{Op: "interfaces"})
	if r.Base == nil {
		return nil, noKernelInfo("interfaces")
	}
	return r.Base.Interfaces()
}

// KldFiles records and reads.
func (r *Recorder) KldFiles() ([]string, error) {
	r.add(Call{Op: "kldstat"})
	if r.Base == nil {
		return nil, noKernelInfo("kldstat")
	}
	return r.Base.KldFiles()
}

// Statfs records and reads.
func (r *Recorder) Statfs(name string) (FSInfo, error) {
	r.add(Call{Op: "statfs", Path: name})
	if r.Base == nil {
		return FSInfo{}, notExist("statfs", name)
	}
	return r.Base.Statfs(name)
}

// HasJails records and reads.
func (r *Recorder) HasJails() (bool, error) {
	r.add(Call{Op: "jail_get"})
	if r.Base == nil {
		return false, noKernelInfo("jail_get")
	}
	return r.Base.HasJails()
}

// cString returns the text before the first NUL of a fixed C buffer.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return string(b[:i])
	}
	return string(b)
}
