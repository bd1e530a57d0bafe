package fakehost

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// zfs handles "zfs list ..." (printed as with -H -o name,mountpoint),
// "zfs create NAME" (the mountpoint inherited from the parent) and
// "zfs destroy -r NAME", each read with its zfs_do_* getopt
// (sys/contrib/openzfs/cmd/zfs/zfs_main.c).
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
	p := mustParse(a)
	switch {
	case p.Sub == "list":
		var b strings.Builder
		for _, d := range all {
			fmt.Fprintf(&b, "%s\t%s\n", d.Name, d.Mountpoint)
		}
		return []byte(b.String()), nil
	case p.Sub == "create" && len(p.Opts) == 0:
		name := p.Operands[0]
		parent := find(path.Dir(name))
		if parent < 0 {
			return nil, failStatus(a, 1, "cannot create '%s': parent does not exist", name)
		}
		if find(name) >= 0 {
			return nil, failStatus(a, 1, "cannot create '%s': dataset already exists", name)
		}
		mnt := path.Join(all[parent].Mountpoint, path.Base(name))
		if err := h.files.MkdirAll(mnt, 0o755); err != nil {
			return nil, err
		}
		st.Datasets = append(st.Datasets, Dataset{Name: name, Mountpoint: mnt})
		return nil, h.saveState(st)
	case p.Sub == "destroy" && p.Has("r"):
		name := p.Operands[0]
		i := slices.IndexFunc(st.Datasets, func(d Dataset) bool { return d.Name == name })
		if i < 0 {
			return nil, failStatus(a, 1, "cannot open '%s': dataset does not exist", name)
		}
		if err := h.files.RemoveAll(st.Datasets[i].Mountpoint); err != nil {
			return nil, err
		}
		st.Datasets = slices.Delete(st.Datasets, i, i+1)
		return nil, h.saveState(st)
	}
	return nil, fail(a, "fakehost: zfs %s with these options is not simulated", p.Sub)
}
