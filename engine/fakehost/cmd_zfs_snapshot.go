package fakehost

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// snapDir holds the fake host's ZFS snapshots: a copy of the dataset's
// files per snapshot, and an index of their names in creation order.
const snapDir = ".fakehost/zfs-snapshots"

// zfsSnapshots handles the snapshot commands of zfs(8), as OpenZFS's
// cmd/zfs/zfs_main.c parses them:
//
//	zfs snapshot DS@LABEL                 (zfs_do_snapshot, getopt "ro:")
//	zfs destroy DS@LABEL                  (zfs_do_destroy, a snapshot)
//	zfs rollback [-r] DS@LABEL            (zfs_do_rollback, getopt "rRf": a
//	                                       younger snapshot fails the rollback
//	                                       unless -r, which destroys it)
//	zfs list -H -t snapshot -o name -s createtxg -d 1 DS
//	zfs get -H -p -o value written@LABEL DS (bytes written since LABEL)
//
// ok is false for any other command; "zfs destroy -r DS" also drops the
// snapshots of DS, then the caller destroys DS.
func (h *Host) zfsSnapshots(a []string, all []Dataset) (out []byte, err error, ok bool) {
	mount := func(ds string) (string, bool) {
		i := slices.IndexFunc(all, func(d Dataset) bool { return d.Name == ds })
		if i < 0 {
			return "", false
		}
		return all[i].Mountpoint, true
	}
	snaps := h.snapIndex()
	switch {
	case len(a) == 3 && a[1] == "snapshot":
		ds, _, _ := strings.Cut(a[2], "@")
		mnt, found := mount(ds)
		switch {
		case !strings.Contains(a[2], "@") || !found:
			return nil, fail(a, "cannot open '%s': dataset does not exist", ds), true
		case slices.Contains(snaps, a[2]):
			return nil, fail(a, "cannot create snapshot '%s': dataset already exists", a[2]), true
		}
		return nil, h.takeSnapshot(a[2], mnt, append(snaps, a[2])), true
	case len(a) == 3 && a[1] == "destroy" && strings.Contains(a[2], "@"):
		if !slices.Contains(snaps, a[2]) {
			return nil, fail(a, "could not find any snapshots to destroy; check snapshot names."), true
		}
		return nil, h.dropSnapshots(snaps, a[2]), true
	case len(a) == 4 && a[1] == "destroy" && a[2] == "-r":
		var mine []string
		for _, s := range snaps {
			if strings.HasPrefix(s, a[3]+"@") {
				mine = append(mine, s)
			}
		}
		return nil, h.dropSnapshots(snaps, mine...), false
	case len(a) >= 3 && a[1] == "rollback":
		return h.rollback(a, snaps, mount)
	case len(a) == 12 && a[1] == "list" && slices.Contains(a, "snapshot"):
		var b strings.Builder
		for _, s := range snaps {
			if strings.HasPrefix(s, a[11]+"@") {
				b.WriteString(s + "\n")
			}
		}
		return []byte(b.String()), nil, true
	case len(a) == 8 && a[1] == "get" && strings.HasPrefix(a[6], "written@"):
		snap := a[7] + "@" + strings.TrimPrefix(a[6], "written@")
		mnt, found := mount(a[7])
		if !found || !slices.Contains(snaps, snap) {
			return nil, fail(a, "cannot get property: snapshot %s does not exist", snap), true
		}
		if h.sameTree(filepath.Join(h.Dir, snapDir, snapFile(snap)), filepath.Join(h.Dir, mnt)) {
			return []byte("0\n"), nil, true
		}
		return []byte("4096\n"), nil, true
	}
	return nil, nil, false
}

// rollback handles zfs rollback [-r] DS@LABEL.
func (h *Host) rollback(a, snaps []string, mount func(string) (string, bool)) ([]byte, error, bool) {
	recurse := a[2] == "-r"
	target := a[len(a)-1]
	if len(a) != map[bool]int{true: 4, false: 3}[recurse] || !slices.Contains(snaps, target) {
		return nil, fail(a, "cannot open '%s': dataset does not exist", target), true
	}
	ds, _, _ := strings.Cut(target, "@")
	var younger []string
	for _, s := range snaps[slices.Index(snaps, target)+1:] {
		if strings.HasPrefix(s, ds+"@") {
			younger = append(younger, s)
		}
	}
	if len(younger) > 0 && !recurse {
		return nil, fail(a, "cannot rollback to '%s': more recent snapshots or bookmarks exist\nuse '-r' to force deletion of the following snapshots and bookmarks:\n%s",
			target, strings.Join(younger, "\n")), true
	}
	mnt, _ := mount(ds)
	live := filepath.Join(h.Dir, mnt)
	if err := os.RemoveAll(live); err != nil {
		return nil, err, true
	}
	if err := h.copyTree(path.Join("/", snapDir, snapFile(target)), mnt); err != nil {
		return nil, err, true
	}
	return nil, h.dropSnapshots(snaps, younger...), true
}

func snapFile(snap string) string { return strings.ReplaceAll(snap, "/", "%") }

func (h *Host) snapIndex() []string {
	data, _ := os.ReadFile(filepath.Join(h.Dir, snapDir, "index"))
	return strings.Fields(string(data))
}

// writeIndex writes the index, removing the snapshot directory with the
// last snapshot so a host without snapshots has no trace of them.
func (h *Host) writeIndex(snaps []string) error {
	if len(snaps) == 0 {
		return os.RemoveAll(filepath.Join(h.Dir, snapDir))
	}
	return os.WriteFile(filepath.Join(h.Dir, snapDir, "index"), []byte(strings.Join(snaps, "\n")+"\n"), 0o644)
}

func (h *Host) takeSnapshot(snap, mnt string, snaps []string) error {
	if err := os.MkdirAll(filepath.Join(h.Dir, snapDir), 0o755); err != nil {
		return err
	}
	if err := h.copyTree(mnt, path.Join("/", snapDir, snapFile(snap))); err != nil {
		return err
	}
	return h.writeIndex(snaps)
}

func (h *Host) dropSnapshots(snaps []string, drop ...string) error {
	for _, s := range drop {
		if err := os.RemoveAll(filepath.Join(h.Dir, snapDir, snapFile(s))); err != nil {
			return err
		}
	}
	if len(drop) == 0 {
		return nil
	}
	return h.writeIndex(slices.DeleteFunc(slices.Clone(snaps), func(s string) bool { return slices.Contains(drop, s) }))
}

// sameTree says whether two trees hold the same entries, modes and bytes.
func (h *Host) sameTree(a, b string) bool {
	list := func(dir string) string {
		var sb strings.Builder
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			info, _ := os.Lstat(p)
			data := []byte{}
			if info.Mode().IsRegular() {
				data, _ = os.ReadFile(p)
			}
			fmt.Fprintf(&sb, "%s %v %x\n", rel, info.Mode(), data)
			return nil
		})
		return sb.String()
	}
	return list(a) == list(b)
}
