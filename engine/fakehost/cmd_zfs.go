package fakehost

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// zfs handles "zfs list -H -o name,mountpoint", "zfs create NAME" (the
// mountpoint inherited from the parent) and "zfs destroy -r NAME".
func (h *Host) zfs(a []string) ([]byte, error) {
	cfg, err := h.Config()
	if err != nil {
		return nil, err
	}
	if len(cfg.Datasets) == 0 {
		return nil, fail(a, "internal error: failed to initialize ZFS library")
	}
	st, err := h.State()
	if err != nil {
		return nil, err
	}
	all := append(append([]Dataset{}, cfg.Datasets...), st.Datasets...)
	find := func(name string) int {
		for i, d := range all {
			if d.Name == name {
				return i
			}
		}
		return -1
	}
	if out, err, ok := h.zfsSnapshots(a, all); ok {
		return out, err
	}
	switch {
	case len(a) >= 2 && a[1] == "list":
		var b strings.Builder
		for _, d := range all {
			fmt.Fprintf(&b, "%s\t%s\n", d.Name, d.Mountpoint)
		}
		return []byte(b.String()), nil
	case len(a) == 3 && a[1] == "create":
		name := a[2]
		parent := find(path.Dir(name))
		if parent < 0 {
			return nil, fail(a, "cannot create '%s': parent does not exist", name)
		}
		if find(name) >= 0 {
			return nil, fail(a, "cannot create '%s': dataset already exists", name)
		}
		mnt := path.Join(all[parent].Mountpoint, path.Base(name))
		if err := h.files.MkdirAll(mnt, 0o755); err != nil {
			return nil, err
		}
		st.Datasets = append(st.Datasets, Dataset{Name: name, Mountpoint: mnt})
		return nil, h.saveState(st)
	case len(a) == 4 && a[1] == "destroy" && a[2] == "-r":
		i := slices.IndexFunc(st.Datasets, func(d Dataset) bool { return d.Name == a[3] })
		if i < 0 {
			return nil, fail(a, "cannot open '%s': dataset does not exist", a[3])
		}
		if err := h.files.RemoveAll(st.Datasets[i].Mountpoint); err != nil {
			return nil, err
		}
		st.Datasets = slices.Delete(st.Datasets, i, i+1)
		return nil, h.saveState(st)
	}
	return nil, fail(a, "zfs: unsupported command")
}
