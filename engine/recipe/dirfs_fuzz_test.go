package recipe

import (
	"bytes"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// FuzzLoadDir builds a whole user recipe directory from the fuzzer's
// input, not only one YAML text: an archive ("-- NAME --" lines start
// each file, as in txtar) whose file names may be
// prefixed "link:" (a symlink to the content), "fifo:" or "dir:", so
// recipes, templates, helpers, links out and special files mix. Loading
// it must never panic or hang, every error must be an input error, and
// every recipe it accepts must be named by its file and name only
// templates that are regular files inside the directory (or built-in).
func FuzzLoadDir(f *testing.F) {
	f.Add([]byte("-- app.yaml --\n" + goodRecipe + "-- app/app.conf.tmpl --\nport {{ .Params.port }}\n"))
	f.Add([]byte("-- app.yaml --\n" + goodRecipe + "-- link:app/app.conf.tmpl --\n/etc/passwd\n"))
	f.Add([]byte("-- app.yaml --\n" + goodRecipe + "-- fifo:app/app.conf.tmpl --\n"))
	f.Add([]byte("-- app.yaml --\n" + goodRecipe + "-- app/app.conf.tmpl --\nx\n-- fifo:app/_helpers.tmpl --\n"))
	f.Add([]byte("-- app.yaml --\n" + goodRecipe + "-- dir:app/app.conf.tmpl --\n"))
	f.Add([]byte("-- link:app.yaml --\n../../../../etc/hostname\n"))
	f.Add([]byte("-- fifo:dns.yaml --\n"))
	f.Add([]byte("-- dns.yaml --\n" + strings.Replace(goodRecipe, "name: app", "name: dns", 1) +
		"capabilities: [linux]\nhost:\n  kernel_modules: [linux64]\n  jail_params: {exec.prestart: x}\n-- app/app.conf.tmpl --\nx\n"))
	// The built-in recipes are parsed once: LoadCatalogDirs is the
	// built-ins plus addDir for each directory, and the built-ins are
	// not what is fuzzed.
	builtin, err := LoadCatalog()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if !buildDir(t, dir, parseArchive(data)) {
			return
		}
		c := &Catalog{byName: maps.Clone(builtin.byName)}
		defer c.Close()
		err := c.addDir(dir).Err()
		if err != nil {
			if !errors.Is(err, inputerr.ErrInput) {
				t.Fatalf("error is not an input error: %v", err)
			}
			return
		}
		for _, r := range c.List() {
			if !r.User {
				continue
			}
			if filepath.Base(r.Source) != r.Name+".yaml" {
				t.Fatalf("accepted %s under the name %q", r.Source, r.Name)
			}
			for _, fl := range r.Files {
				checkInside(t, dir, fl.Template)
			}
		}
	})
}

// buildDir writes an archive into dir; false when the archive names
// paths that cannot be made (the fuzzer's input is skipped). It writes
// through os.Root and never over an existing name: a fuzzed symlink must
// not lead the test's own writes out of dir, nor a write wait on a FIFO.
func buildDir(t *testing.T, dir string, files []archiveFile) bool {
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if len(files) > 16 {
		return false
	}
	for _, fl := range files {
		kind, name, _ := strings.Cut(fl.Name, ":")
		if name == "" {
			kind, name = "", fl.Name
		}
		if !fs.ValidPath(name) || name == "." || len(fl.Data) > 1<<16 {
			return false
		}
		if parent := filepath.Dir(filepath.FromSlash(name)); root.MkdirAll(parent, 0o755) != nil {
			return false
		}
		if _, err := root.Lstat(name); err == nil {
			return false
		}
		switch kind {
		case "link":
			err = root.Symlink(string(bytes.TrimSpace(fl.Data)), name)
		case "fifo":
			err = syscall.Mkfifo(filepath.Join(dir, filepath.FromSlash(name)), 0o644)
		case "dir":
			err = root.Mkdir(name, 0o755)
		case "":
			var w *os.File
			if w, err = root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); err == nil {
				_, err = w.Write(fl.Data)
				w.Close()
			}
		default:
			return false
		}
		if err != nil {
			return false
		}
	}
	return true
}

// checkInside fails unless template name, as seen from dir, is a regular
// file inside dir, or absent there (a built-in template).
func checkInside(t *testing.T, dir, name string) {
	p := filepath.Join(dir, filepath.FromSlash(name))
	if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
		return
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatalf("accepted template %s, which does not resolve: %v", name, err)
	}
	base, _ := filepath.EvalSymlinks(dir)
	fi, err := os.Stat(real)
	if err != nil || !fi.Mode().IsRegular() || !strings.HasPrefix(real, base+string(filepath.Separator)) {
		t.Fatalf("accepted template %s -> %s, which is not a regular file inside %s", name, real, base)
	}
}

// archiveFile is one file of a fuzz archive.
type archiveFile struct {
	Name string
	Data []byte
}

// parseArchive splits data at "-- NAME --" lines. It is the fuzz
// target's own: go-internal's txtar.Parse panics on the input "-- --".
func parseArchive(data []byte) []archiveFile {
	var out []archiveFile
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		s := strings.TrimRight(string(line), "\n")
		if len(s) > 6 && strings.HasPrefix(s, "-- ") && strings.HasSuffix(s, " --") {
			out = append(out, archiveFile{Name: strings.TrimSpace(s[3 : len(s)-3])})
			continue
		}
		if len(out) > 0 {
			out[len(out)-1].Data = append(out[len(out)-1].Data, line...)
		}
	}
	return out
}
