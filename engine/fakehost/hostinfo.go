package fakehost

import (
	"path"

	"github.com/jailkit/jailkit/engine/fakehost/fakeconf"
	"github.com/jailkit/jailkit/engine/system"
)

// kernelOf answers system.HostInfo for Host and fileSys, embedded under
// this unexported name.
type kernelOf = fakeconf.KernelOf

// kernel is the host now as system.HostInfo sees it (see fakeconf.Kernel).
func (h *Host) kernel() fakeconf.Kernel {
	cfg, st, err := h.configAndState()
	return fakeconf.Kernel{Config: cfg, State: st, Err: err,
		Ifconfig: func() ([]byte, error) { h.mu.Lock(); defer h.mu.Unlock(); return h.ifconfig() },
		Exists:   func(name string) bool { _, err := h.files.Lstat(name); return err == nil }}
}

// Statfs asks about the path under this root.
func (f *fileSys) Statfs(name string) (system.FSInfo, error) {
	return f.h.Statfs(path.Join(f.root, path.Clean("/"+name)))
}
