package fakehost

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/engine/system"
)

var mirrorRE = regexp.MustCompile(`/releases/([a-z0-9]+)/([a-z0-9]+)/([0-9]+\.[0-9]-[A-Z0-9-]+)/([A-Za-z0-9._-]+)$`)

// fetch serves the fake mirror: fetch -o OUT URL, OUT "-" for stdout.
func (h *Host) fetch(a []string, progress io.Writer) ([]byte, error) {
	if len(a) != 4 || a[1] != "-o" {
		return nil, fail(a, "usage: fetch -o file URL")
	}
	out, url := a[2], a[3]
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

// tar handles "tar -xf FILE -C DIR [--unlink] [member...]"; extraction is
// confined to DIR.
func (h *Host) tar(a []string) ([]byte, error) {
	file, dir, members := parseTarArgs(a)
	if file == "" || dir == "" {
		return nil, fail(a, "usage: tar -xf file -C dir")
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

// parseTarArgs reads -xf FILE and -C DIR; --unlink, -p and
// --no-same-owner change nothing on the fake host, and every other
// argument is a member, without its leading "./" or "/".
func parseTarArgs(a []string) (file, dir string, members []string) {
	for i := 1; i < len(a); i++ {
		switch a[i] {
		case "-xf":
			i++
			if i < len(a) {
				file = a[i]
			}
		case "-C":
			i++
			if i < len(a) {
				dir = a[i]
			}
		case "--unlink", "-p", "--no-same-owner":
		default:
			members = append(members, strings.TrimPrefix(strings.TrimPrefix(a[i], "./"), "/"))
		}
	}
	return file, dir, members
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
// under sub; other entry types are skipped.
func extractEntry(sub system.System, tr *tar.Reader, hd *tar.Header, name string) error {
	p := "/" + name
	switch hd.Typeflag {
	case tar.TypeDir:
		if err := sub.MkdirAll(p, 0o755); err != nil {
			return err
		}
		if err := sub.Chmod(p, hd.FileInfo().Mode().Perm()|(hd.FileInfo().Mode()&0o1000)); err != nil {
			return err
		}
	case tar.TypeReg:
		body, _ := io.ReadAll(tr)
		if err := sub.MkdirAll(path.Dir(p), 0o755); err != nil {
			return err
		}
		if err := sub.WriteFile(p, body, hd.FileInfo().Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}
