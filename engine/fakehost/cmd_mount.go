package fakehost

import (
	"slices"

	"github.com/jailkit/jailkit/engine/fakehost/fakeconf"
)

// Mount is a nullfs mount the fake host made.
type Mount = fakeconf.Mount

// mount handles "mount -t nullfs FROM ON" (sbin/mount/mount.c hands -t
// nullfs to sbin/mount_nullfs/mount_nullfs.c, which wants a directory on
// either side). The real mount point is resolved with realpath, links
// followed; the fake host refuses a link instead, since no plan of
// jailkit's should ever mount on one.
func (h *Host) mount(a []string) ([]byte, error) {
	p := mustParse(a)
	if t, _ := p.Arg("t"); t != "nullfs" || len(p.Operands) != 2 {
		return nil, fail(a, "fakehost: only mount -t nullfs FROM ON is simulated")
	}
	from, on := p.Operands[0], p.Operands[1]
	for _, d := range []string{from, on} {
		fi, err := h.files.Lstat(d)
		if err != nil || !fi.IsDir() {
			return nil, fail(a, "mount_nullfs: %s: No such file or directory", d)
		}
	}
	st, err := h.State()
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(st.Mounts, func(m Mount) bool { return m.On == on }) {
		return nil, fail(a, "fakehost: %s is mounted on already (stacked mounts are not simulated)", on)
	}
	st.Mounts = append(st.Mounts, Mount{From: from, On: on})
	return nil, h.saveState(st)
}

// umount handles "umount ON" (sbin/umount/umount.c checkname: a path
// that is no mount point is "unknown file system", exit 1).
func (h *Host) umount(a []string) ([]byte, error) {
	p := mustParse(a)
	if len(p.Operands) != 1 || len(a) != 2 {
		return nil, fail(a, "fakehost: only umount ON is simulated")
	}
	st, err := h.State()
	if err != nil {
		return nil, err
	}
	on := p.Operands[0]
	i := slices.IndexFunc(st.Mounts, func(m Mount) bool { return m.On == on })
	if i < 0 {
		return nil, fail(a, "umount: %s: unknown file system", on)
	}
	st.Mounts = slices.Delete(st.Mounts, i, i+1)
	return nil, h.saveState(st)
}
