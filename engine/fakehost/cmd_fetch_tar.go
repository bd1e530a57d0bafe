package fakehost

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/fakehost/fakeupdate"
	"github.com/jailkit/jailkit/engine/system"
)

var mirrorRE = regexp.MustCompile(`/releases/([a-z0-9]+)/([a-z0-9]+)/([0-9]+\.[0-9]-[A-Z0-9-]+)/([A-Za-z0-9._-]+)$`)

// fetch serves the fake mirror: fetch [-q] -o OUT URL (or --output),
// OUT "-" for stdout (usr.bin/fetch/fetch.c main: getopt_long, so the
// URL may also come before -o).
func (h *Host) fetch(a []string, progress io.Writer) ([]byte, error) {
	p := mustParse(a)
	out, ok := p.Arg("o")
	if o, long := p.Arg("output"); long {
		out, ok = o, true
	}
	if !ok || len(p.Operands) != 1 {
		return nil, fail(a, "fakehost: fetch without -o FILE and one URL is not simulated")
	}
	url := p.Operands[0]
	cfg, err := h.Config()
	if err != nil {
		return nil, err
	}
	m := mirrorRE.FindStringSubmatch(url)
	if m == nil || !slices.Contains(cfg.Releases, m[3]) || (m[4] != "MANIFEST" && m[4] != "base.txz") {
		return nil, fail(a, "fetch: %s: Not Found", url)
	}
	data := Manifest(m[3], m[2])
	if m[4] == "base.txz" {
		data = BaseTarball(m[3], m[2])
	}
	if progress != nil {
		fmt.Fprintf(progress, "%s                                      %d kB  100%% of  %d kB\n", m[4], len(data)/1024, len(data)/1024)
	}
	if out == "-" {
		return data, nil
	}
	if err := h.files.WriteFile(out, data, 0o644); err != nil {
		return nil, fail(a, "fetch: %s: %v", out, err)
	}
	return nil, nil
}

// tar handles "tar -x -f FILE [-C DIR] [options] [member...]" in any of
// bsdtar's spellings (-xf FILE, xf FILE, --extract --file=FILE ...);
// extraction is confined to DIR. Options that only change what a real
// host records (-p, --unlink, --no-same-owner ...) change nothing here.
func (h *Host) tar(a []string) ([]byte, error) {
	file, dir, members, err := tarArgs(a)
	if err != nil {
		return nil, err
	}
	if mustParse(a).Opts[0].Name == "c" {
		return nil, fakeupdate.TarCreate(h.files, a, file, dir, members)
	}
	data, err := h.files.ReadFile(file)
	if err != nil {
		return nil, fail(a, "tar: Error opening archive: Failed to open '%s'", file)
	}
	sub, err := h.files.OpenRoot(dir)
	if err != nil {
		return nil, fail(a, "tar: could not chdir to '%s'", dir)
	}
	tr := tar.NewReader(bytes.NewReader(data))
	matched := map[string]bool{}
	for {
		hd, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fail(a, "tar: Error reading archive: %v", err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(hd.Name, "./"), "/")
		if name == "" || name == "." {
			continue
		}
		if len(members) > 0 && !matchMembers(name, members, matched) {
			continue
		}
		if err := extractEntry(sub, tr, hd, name); err != nil {
			return nil, fail(a, "tar: %s: %v", name, err)
		}
	}
	for _, m := range members {
		if !matched[m] {
			return nil, fail(a, "tar: %s: Not found in archive", m)
		}
	}
	return nil, nil
}

// tarModes are bsdtar's mode options and their long names
// (contrib/libarchive/tar/bsdtar.c: set_mode allows one mode, "Can't
// specify both"; without one, "Must specify one of -c, -r, -t, -u, -x",
// both exit 1 through lafe_errc).
var tarModes = map[string]string{"c": "c", "create": "c", "r": "r", "append": "r", "t": "t", "list": "t",
	"u": "u", "update": "u", "x": "x", "extract": "x"}

// tarArgs reads the archive, the directory (the last -C; bsdtar
// chdirs to each in turn, so a relative one would stack: the fake host
// wants absolute ones) and the members, without a leading "./" or "/".
func tarArgs(a []string) (file, dir string, members []string, err error) {
	p := mustParse(a)
	mode := ""
	for _, o := range p.Opts {
		m, ok := tarModes[o.Name]
		switch {
		case !ok:
		case mode != "" && mode != m:
			// set_mode names the new mode first.
			return "", "", nil, fail(a, "tar: Can't specify both -%s and -%s", m, mode)
		default:
			mode = m
		}
		switch o.Name {
		case "f", "file":
			file = o.Arg
		case "C", "cd", "directory":
			if !strings.HasPrefix(o.Arg, "/") {
				return "", "", nil, fail(a, "fakehost: tar -C %s: a relative directory is not simulated", o.Arg)
			}
			dir = o.Arg
		}
	}
	switch {
	case mode == "":
		return "", "", nil, fail(a, "tar: Must specify one of -c, -r, -t, -u, -x")
	case mode != "x" && (mode != "c" || p.Opts[0].Name != "c"):
		return "", "", nil, fail(a, "fakehost: tar -%s is not simulated (-c only as tar -c -f FILE -C DIR MEMBER...)", mode)
	case file == "" || file == "-":
		return "", "", nil, fail(a, "fakehost: tar without -f FILE (a tape or stdin) is not simulated")
	case dir == "":
		return "", "", nil, fail(a, "fakehost: tar without -C DIR is not simulated")
	}
	for _, m := range p.Operands {
		members = append(members, strings.TrimPrefix(strings.TrimPrefix(m, "./"), "/"))
	}
	return file, dir, members, nil
}

// matchMembers says whether the entry name is one of members or lies
// under one, and marks in matched every member it falls under.
func matchMembers(name string, members []string, matched map[string]bool) bool {
	ok := false
	for _, m := range members {
		if name == m || strings.HasPrefix(name, m+"/") {
			ok, matched[m] = true, true
		}
	}
	return ok
}

// extractEntry writes the directory or regular file hd, read from tr,
// under sub; other entry types are skipped. bsdtar run as root restores
// the whole mode, the sticky, setuid and setgid bits included
// (contrib/libarchive/tar/bsdtar.c: ARCHIVE_EXTRACT_PERM when the user
// is root), so /tmp stays 1777.
func extractEntry(sub system.System, tr *tar.Reader, hd *tar.Header, name string) error {
	p := "/" + name
	mode := hd.FileInfo().Mode() & (fs.ModePerm | fs.ModeSticky | fs.ModeSetuid | fs.ModeSetgid)
	switch hd.Typeflag {
	case tar.TypeDir:
		if err := sub.MkdirAll(p, 0o755); err != nil {
			return err
		}
		return sub.Chmod(p, mode)
	case tar.TypeReg:
		body, _ := io.ReadAll(tr)
		if err := sub.MkdirAll(path.Dir(p), 0o755); err != nil {
			return err
		}
		if err := sub.WriteFile(p, body, mode.Perm()); err != nil {
			return err
		}
		if mode != mode.Perm() {
			return sub.Chmod(p, mode)
		}
	}
	return nil
}
