package fakehost

import (
	"fmt"
	"slices"
)

// kldstat lists the kernel and zfs.ko, then the modules kldload loaded.
func (h *Host) kldstat(a []string) ([]byte, error) {
	st, err := h.State()
	if err != nil {
		return nil, err
	}
	out := "Id Refs Address                Size Name\n 1   20 0xffffffff80200000  1f41500 kernel\n 2    1 0xffffffff82223000    5a5c8 zfs.ko\n"
	for i, m := range st.Modules {
		out += fmt.Sprintf("%2d    1 0xffffffff8300%04x     1000 %s.ko\n", i+3, i, m)
	}
	return []byte(out), nil
}

// kld handles "kldload -n MOD" and "kldunload MOD".
func (h *Host) kld(a []string) ([]byte, error) {
	if len(a) < 2 {
		return nil, fail(a, "usage: %s module", a[0])
	}
	mod := a[len(a)-1]
	st, err := h.State()
	if err != nil {
		return nil, err
	}
	loaded := slices.Contains(st.Modules, mod)
	if a[0] == "kldunload" {
		if !loaded {
			return nil, fail(a, "kldunload: can't find file %s", mod)
		}
		st.Modules = slices.DeleteFunc(st.Modules, func(s string) bool { return s == mod })
	} else if !loaded {
		st.Modules = append(st.Modules, mod)
	}
	return nil, h.saveState(st)
}
