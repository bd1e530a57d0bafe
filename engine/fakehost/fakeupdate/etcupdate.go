package fakeupdate

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/system"
)

// TarCreate handles "tar -c -f FILE -C DIR [--exclude PATTERN]...
// MEMBER...": an uncompressed archive of the members under DIR, each
// entry named by its path as given below DIR
// (contrib/libarchive/tar/write.c), less those an --exclude pattern
// matches (contrib/libarchive/tar/bsdtar.1: a match excludes a
// directory's contents too; shell patterns as path.Match reads them).
func TarCreate(files system.System, argv []string, file, dir string, members []string) error {
	var buf bytes.Buffer
	tc := &tarCreate{files: files, argv: argv, dir: dir, tw: tar.NewWriter(&buf)}
	for i := 0; i+1 < len(argv); i++ {
		if argv[i] == "--exclude" {
			tc.excludes = append(tc.excludes, argv[i+1])
		}
	}
	for _, m := range members {
		if err := tc.add(m); err != nil {
			return err
		}
	}
	if err := tc.tw.Close(); err != nil {
		return err
	}
	return files.WriteFile(file, buf.Bytes(), 0o644)
}

// tarCreate is one tar -c run.
type tarCreate struct {
	files    system.System
	argv     []string
	dir      string
	excludes []string
	tw       *tar.Writer
}

// add archives rel (below dir) and, for a directory, what it holds.
func (tc *tarCreate) add(rel string) error {
	for _, x := range tc.excludes {
		if ok, _ := path.Match(x, rel); ok {
			return nil
		}
	}
	full := path.Join(tc.dir, rel)
	fi, err := tc.files.Lstat(full)
	if err != nil {
		return fail(tc.argv, "tar: %s: Cannot stat: No such file or directory", rel)
	}
	hdr := &tar.Header{Name: rel, Mode: int64(fi.Mode().Perm())}
	switch {
	case fi.IsDir():
		hdr.Typeflag, hdr.Name = tar.TypeDir, hdr.Name+"/"
	case fi.Mode()&fs.ModeSymlink != 0:
		if hdr.Linkname, err = tc.files.Readlink(full); err != nil {
			return err
		}
		hdr.Typeflag = tar.TypeSymlink
	default:
		data, err := tc.files.ReadFile(full)
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(data))
		if err := tc.tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tc.tw.Write(data)
		return err
	}
	if err := tc.tw.WriteHeader(hdr); err != nil || !fi.IsDir() {
		return err
	}
	entries, err := tc.files.ReadDir(full)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := tc.add(path.Join(rel, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// etcRun is one etcupdate invocation: its command word, DESTDIR, WORKDIR
// and tarball.
type etcRun struct {
	argv                            []string
	command, dest, workdir, tarball string
}

// Etcupdate handles "etcupdate extract|status [-D DESTDIR] [-d WORKDIR]
// [-t TARBALL]" and the default update command the way
// usr.sbin/etcupdate/etcupdate.sh does: WORKDIR defaults to
// DESTDIR/var/db/etcupdate; extract replaces WORKDIR/current with the
// tarball; update refuses while WORKDIR/conflicts holds files
// ("Conflicts remain from previous update, aborting.") and without a
// current tree ("No previous tree to compare against ..."), moves
// current to old, extracts the tarball as current, and merges into
// DESTDIR: a file unchanged between old and new is left alone, one the
// admin did not change gets the new version (U), a new one is added (A),
// a removed one the admin did not change is deleted (D), and one both
// changed is a conflict: saved under WORKDIR/conflicts and listed as
// "  C /path" (etcupdate exits 0 all the same). status lists the
// conflicts left. Simulated: the real tool first tries a three-way merge
// with diff3 (merge_file) and only conflicts when that fails; here every
// file both sides changed conflicts.
func Etcupdate(files system.System, cmd system.Cmd) ([]byte, error) {
	r := etcRun{argv: cmd.Argv, command: "update"}
	a := cmd.Argv[1:]
	if len(a) > 0 && !strings.HasPrefix(a[0], "-") {
		r.command, a = a[0], a[1:]
	}
	for i := 0; i+1 < len(a); i += 2 {
		switch a[i] {
		case "-D":
			r.dest = a[i+1]
		case "-d":
			r.workdir = a[i+1]
		case "-t":
			r.tarball = a[i+1]
		default:
			return nil, fail(r.argv, "fakehost: etcupdate %s is not simulated", a[i])
		}
	}
	if r.workdir == "" {
		r.workdir = path.Join(r.dest, "var/db/etcupdate")
	}
	if err := files.MkdirAll(r.workdir, 0o755); err != nil {
		return nil, err
	}
	switch r.command {
	case "extract":
		return nil, r.extract(files, path.Join(r.workdir, "current"))
	case "status":
		return r.conflicts(files)
	case "update":
		return r.update(files)
	}
	return nil, fail(r.argv, "fakehost: etcupdate %s is not simulated", r.command)
}

// extract replaces tree with the tarball's files.
func (r etcRun) extract(files system.System, tree string) error {
	data, err := files.ReadFile(r.tarball)
	if err != nil {
		return fail(r.argv, "Failed to extract new tree.")
	}
	if err := files.RemoveAll(tree); err != nil {
		return err
	}
	if err := files.MkdirAll(tree, 0o755); err != nil {
		return err
	}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fail(r.argv, "Failed to extract new tree.")
		}
		name := path.Join(tree, path.Clean("/"+hdr.Name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			err = files.MkdirAll(name, fs.FileMode(hdr.Mode).Perm())
		case tar.TypeSymlink:
			err = files.Symlink(hdr.Linkname, name)
		case tar.TypeReg:
			body, rerr := io.ReadAll(tr)
			if rerr != nil {
				return rerr
			}
			err = files.WriteFile(name, body, fs.FileMode(hdr.Mode).Perm())
		}
		if err != nil {
			return err
		}
	}
}

// conflicts lists the files under WORKDIR/conflicts as status does.
func (r etcRun) conflicts(files system.System) ([]byte, error) {
	list, err := regularFiles(files, path.Join(r.workdir, "conflicts"))
	if err != nil {
		return nil, err
	}
	var out strings.Builder
	for _, f := range list {
		fmt.Fprintf(&out, "  C %s\n", f)
	}
	return []byte(out.String()), nil
}

// regularFiles lists the regular files under tree, as /-rooted paths in
// name order; none when tree does not exist.
func regularFiles(files system.System, tree string) ([]string, error) {
	var out []string
	var walk func(rel string) error
	walk = func(rel string) error {
		entries, err := files.ReadDir(path.Join(tree, rel))
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := path.Join(rel, e.Name())
			if e.IsDir() {
				if err := walk(p); err != nil {
					return err
				}
			} else if e.Type().IsRegular() {
				out = append(out, p)
			}
		}
		return nil
	}
	if _, err := files.Lstat(tree); err != nil {
		return nil, nil
	}
	if err := walk("/"); err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

// update merges the tarball's tree into DESTDIR.
func (r etcRun) update(files system.System) ([]byte, error) {
	if left, err := regularFiles(files, path.Join(r.workdir, "conflicts")); err != nil || len(left) > 0 {
		return nil, fail(r.argv, "Conflicts remain from previous update, aborting.")
	}
	oldTree, cur := path.Join(r.workdir, "old"), path.Join(r.workdir, "current")
	if _, err := files.Lstat(cur); err != nil {
		return nil, fail(r.argv, "No previous tree to compare against, a sane comparison is not possible.")
	}
	if err := files.RemoveAll(oldTree); err != nil {
		return nil, err
	}
	if err := files.Rename(cur, oldTree); err != nil {
		return nil, err
	}
	if err := r.extract(files, cur); err != nil {
		return nil, err
	}
	olds, err := regularFiles(files, oldTree)
	if err != nil {
		return nil, err
	}
	news, err := regularFiles(files, cur)
	if err != nil {
		return nil, err
	}
	var out strings.Builder
	for _, f := range union(olds, news) {
		line, err := r.mergeFile(files, f, oldTree, cur)
		if err != nil {
			return nil, err
		}
		out.WriteString(line)
	}
	return []byte(out.String()), nil
}

// union returns the names of a and b, sorted, once each.
func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// mergeFile merges one file and returns etcupdate's line for it.
func (r etcRun) mergeFile(files system.System, f, oldTree, newTree string) (string, error) {
	read := func(p string) (string, bool) {
		data, err := files.ReadFile(p)
		return string(data), err == nil
	}
	o, hasOld := read(path.Join(oldTree, f))
	n, hasNew := read(path.Join(newTree, f))
	d, hasDest := read(path.Join(r.dest, f))
	switch {
	case hasOld && hasNew && o == n, hasNew && hasDest && d == n:
		return "", nil
	case !hasNew && hasDest && d == o:
		return "  D " + f + "\n", files.Remove(path.Join(r.dest, f))
	case !hasNew:
		return "", nil
	case !hasDest || (hasOld && d == o):
		fi, err := files.Lstat(path.Join(newTree, f))
		if err != nil {
			return "", err
		}
		if err := files.MkdirAll(path.Dir(path.Join(r.dest, f)), 0o755); err != nil {
			return "", err
		}
		tag := "U"
		if !hasDest {
			tag = "A"
		}
		return "  " + tag + " " + f + "\n", files.WriteFile(path.Join(r.dest, f), []byte(n), fi.Mode().Perm())
	}
	conflict := path.Join(r.workdir, "conflicts", f)
	if err := files.MkdirAll(path.Dir(conflict), 0o755); err != nil {
		return "", err
	}
	text := "<<<<<<< (local)\n" + d + "=======\n" + n + ">>>>>>> (stock)\n"
	return "  C " + f + "\n", files.WriteFile(conflict, []byte(text), 0o644)
}
