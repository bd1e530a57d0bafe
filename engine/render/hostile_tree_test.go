package render

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// listTree returns every path under dir, relative, sorted.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func file(p string) File { return File{Path: p, Mode: 0o644, Content: []byte(p + "\n")} }

// TestWriteNewTreeRefuses: a tree that cannot be written whole writes
// nothing, reports every problem at once, and is bad input.
func TestWriteNewTreeRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(dir string) error
		files []File
		want  []string
	}{
		{"written twice", nil, []File{file("/etc/a"), file("/etc/a")}, []string{"/etc/a: is written twice"}},
		{"file and directory", nil, []File{file("/etc/a"), file("/etc/a/b")}, []string{"/etc/a/b: lies under /etc/a, which is a file of the tree"}},
		{"declared dir and file", nil, []File{{Path: "/var/x", Dir: true, Mode: 0o755}, file("/var/x")}, []string{"/var/x: is written twice"}},
		{"outside", nil, []File{file("/etc/ok"), file("/../escape")}, []string{"/../escape: path is not inside the jail"}},
		{"file in the way", func(d string) error { return os.WriteFile(filepath.Join(d, "etc"), nil, 0o644) },
			[]File{file("/etc/rc.conf")}, []string{"/etc/rc.conf: /etc is in the way and is not a directory"}},
		{"directory in the way", func(d string) error { return os.MkdirAll(filepath.Join(d, "etc/rc.conf"), 0o755) },
			[]File{file("/etc/rc.conf")}, []string{"/etc/rc.conf: is a directory in the way"}},
		{"fifo in the way", func(d string) error { return syscall.Mkfifo(filepath.Join(d, "usr"), 0o644) },
			[]File{file("/usr/local/etc/x")}, []string{"/usr/local/etc/x: /usr is in the way and is not a directory"}},
		{"link out of the root", func(d string) error { return os.Symlink("/", filepath.Join(d, "usr")) },
			[]File{file("/usr/local/etc/x")}, []string{"/usr/local/etc/x: /usr is a link: a symlink or .. leads outside the root"}},
		{"every problem at once", nil, []File{file("/a"), file("/a"), file("/a/b"), file("/../c")},
			[]string{"/a: is written twice", "/../c: path is not inside the jail", "/a/b: lies under /a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.setup != nil {
				if err := tt.setup(dir); err != nil {
					t.Fatal(err)
				}
			}
			before := listTree(t, dir)
			root, err := os.OpenRoot(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			err = WriteNewTree(context.Background(), root, tt.files)
			if err == nil || !errors.Is(err, inputerr.ErrInput) {
				t.Fatalf("WriteNewTree = %v, want an input error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if after := listTree(t, dir); !slices.Equal(before, after) {
				t.Errorf("tree changed from %v to %v", before, after)
			}
		})
	}
}

// TestWriteNewTreeTakesBack: a write that fails half way, or a run
// interrupted by SIGINT/SIGTERM, leaves no temporary file and no partial
// tree.
func TestWriteNewTreeTakesBack(t *testing.T) {
	files := []File{{Path: "/usr/local/etc/app", Dir: true, Mode: 0o750}, file("/etc/rc.conf"),
		file("/usr/local/etc/app/a.conf"), file("/usr/local/etc/app/b.conf")}
	t.Run("cancelled", func(t *testing.T) {
		dir := t.TempDir()
		root, _ := os.OpenRoot(dir)
		defer root.Close()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := WriteNewTree(ctx, root, files); !errors.Is(err, context.Canceled) {
			t.Fatalf("WriteNewTree = %v, want cancelled", err)
		}
		if got := listTree(t, dir); len(got) != 0 {
			t.Errorf("left %v", got)
		}
	})
	t.Run("write fails", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "keep"), []byte("x"), 0o644)
		root, _ := os.OpenRoot(dir)
		defer root.Close()
		bad := append(slices.Clone(files), File{Path: "/usr/local/etc/app/" + strings.Repeat("n", 300), Content: []byte("x")})
		if err := WriteNewTree(context.Background(), root, bad); err == nil {
			t.Fatal("a file name of 300 bytes was written")
		}
		if got := listTree(t, dir); !slices.Equal(got, []string{"keep"}) {
			t.Errorf("left %v", got)
		}
	})
	t.Run("written", func(t *testing.T) {
		dir := t.TempDir()
		root, _ := os.OpenRoot(dir)
		defer root.Close()
		if err := WriteNewTree(context.Background(), root, files); err != nil {
			t.Fatal(err)
		}
		want := []string{"etc", "etc/rc.conf", "usr", "usr/local", "usr/local/etc", "usr/local/etc/app", "usr/local/etc/app/a.conf", "usr/local/etc/app/b.conf"}
		if got := listTree(t, dir); !slices.Equal(got, want) {
			t.Errorf("wrote %v, want %v", got, want)
		}
		if fi, _ := os.Stat(filepath.Join(dir, "usr/local/etc/app")); fi.Mode().Perm() != 0o750 {
			t.Errorf("mode %v, want 0750", fi.Mode())
		}
	})
}

// TestCommitPutsReplacedFilesBack: with --force a render replaces files;
// when a later rename fails, undo puts the replaced ones back as they were.
func TestCommitPutsReplacedFilesBack(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a"), []byte("old"), 0o644)
	os.WriteFile(filepath.Join(dir, "staged-a"), []byte("new"), 0o644)
	root, _ := os.OpenRoot(dir)
	defer root.Close()
	s := &stager{root: root, temps: [][2]string{{"staged-a", "a"}, {"staged-missing", "b"}}}
	if err := s.commit(); err == nil {
		t.Fatal("the rename of a missing temporary file worked")
	}
	s.undo()
	if got := listTree(t, dir); !slices.Equal(got, []string{"a"}) {
		t.Errorf("left %v, want only a", got)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "a")); string(data) != "old" {
		t.Errorf("a holds %q, want the replaced file back", data)
	}
}
