package fakehost

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// kldstat lists the kernel and zfs.ko, then the modules kldload loaded;
// "kldstat -q -m MOD" only answers by its status whether MOD is loaded
// (sbin/kldstat/kldstat.c: modfind, "can't find module", status 1).
func (h *Host) kldstat(a []string) ([]byte, error) {
	st, err := h.State()
	if err != nil {
		return nil, err
	}
	p := mustParse(a)
	if mod, ok := p.Arg("m"); ok && p.Has("q") {
		if mod == "zfs" || slices.Contains(st.Modules, mod) {
			return nil, nil
		}
		return nil, fail(a, "")
	}
	if len(p.Opts) > 0 {
		return nil, fail(a, "fakehost: kldstat with options other than -q -m is not simulated")
	}
	out := "Id Refs Address                Size Name\n 1   20 0xffffffff80200000  1f41500 kernel\n 2    1 0xffffffff82223000    5a5c8 zfs.ko\n"
	for i, m := range st.Modules {
		out += fmt.Sprintf("%2d    1 0xffffffff8300%04x     1000 %s.ko\n", i+3, i, m)
	}
	return []byte(out), nil
}

// kld handles "kldload [-n] MOD ..." and "kldunload MOD ...".
// sbin/kldload/kldload.c: a module already loaded is an error ("can't
// load ... module already loaded or in kernel", status 1) unless -n;
// every operand is tried. sbin/kldunload/kldunload.c: a module not
// loaded is "can't find file".
func (h *Host) kld(a []string) ([]byte, error) {
	p := mustParse(a)
	if p.Has("i") {
		return nil, fail(a, "fakehost: kldunload -i is not simulated")
	}
	st, err := h.State()
	if err != nil {
		return nil, err
	}
	var errs []string
	for _, mod := range p.Operands {
		mod = strings.TrimSuffix(path.Base(mod), ".ko")
		loaded := slices.Contains(st.Modules, mod)
		switch {
		case a[0] == "kldunload" && !loaded:
			errs = append(errs, fmt.Sprintf("kldunload: can't find file %s", mod))
		case a[0] == "kldunload":
			st.Modules = slices.DeleteFunc(st.Modules, func(s string) bool { return s == mod })
		case loaded && !p.Has("n"):
			errs = append(errs, fmt.Sprintf("kldload: can't load %s: module already loaded or in kernel", mod))
		case !loaded:
			st.Modules = append(st.Modules, mod)
		}
	}
	if err := h.saveState(st); err != nil || len(errs) == 0 {
		return nil, err
	}
	return nil, fail(a, "%s", strings.Join(errs, "\n"))
}
