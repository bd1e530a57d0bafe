package hostcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Collect gathers facts from src and writes everything it read into out as
// a snapshot (layout in docs/snapshot.md): snapshot.json, commands/FILE
// for each command output and files/PATH for each file. Only what the
// checks read is copied, and never a secret: see Secret. It returns the
// facts and the number of entries written.
func Collect(ctx context.Context, src Source, out *os.Root, opts GatherOptions) (*Facts, int, error) {
	meta := SnapshotMeta{Format: SnapshotFormat, Tool: "jailkit collect", JailsDir: opts.JailsDir}
	rec := &recorder{src: src, out: out}
	f := Gather(ctx, rec, opts)
	data, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return nil, 0, err
	}
	rec.write("snapshot.json", append(data, '\n'))
	if len(rec.errs) > 0 {
		return f, rec.n, errors.Join(rec.errs...)
	}
	return f, rec.n, nil
}

// Secret reports whether a host path must never be copied into a
// snapshot: password hashes, private keys and the like. Gather never asks
// for these; this is the second lock on the door.
func Secret(name string) bool {
	base := path.Base(name)
	switch base {
	case "master.passwd", "spwd.db", "pwd.db", "shadow", "gshadow", "login.access",
		"rndc.key", "krb5.keytab", "dhcpd.leases":
		return true
	}
	for _, suf := range []string{".key", ".pem", ".p12", ".pfx", ".keytab", ".jks"} {
		if strings.HasSuffix(base, suf) {
			return true
		}
	}
	if strings.HasPrefix(base, "ssh_host_") && strings.HasSuffix(base, "_key") {
		return true
	}
	if strings.HasPrefix(base, "id_") && !strings.HasSuffix(base, ".pub") {
		return true
	}
	return strings.Contains(name, "/.ssh/") || strings.Contains(name, "/ssl/private/")
}

// recorder is a Source that copies everything it reads into a snapshot.
type recorder struct {
	src  Source
	out  *os.Root
	n    int
	errs []error
}

func (r *recorder) write(rel string, data []byte) {
	if err := r.out.MkdirAll(path.Dir(rel), 0o755); err != nil {
		r.errs = append(r.errs, fmt.Errorf("write snapshot %s: %w", rel, err))
		return
	}
	tmp := rel + ".tmp"
	if err := r.out.WriteFile(tmp, data, 0o644); err != nil {
		r.errs = append(r.errs, fmt.Errorf("write snapshot %s: %w", rel, err))
		return
	}
	if err := r.out.Rename(tmp, rel); err != nil {
		r.errs = append(r.errs, fmt.Errorf("write snapshot %s: %w", rel, err))
		return
	}
	r.n++
}

func (r *recorder) copyFile(name string, data []byte) {
	if Secret(name) {
		r.errs = append(r.errs, fmt.Errorf("refusing to copy %s into a snapshot: it may hold secrets", name))
		return
	}
	r.write(snapPath(name), Redact(name, data))
}

// Redact removes lines that may carry secrets from files the checks need
// but that can hold a key inline: named.conf's `secret "...";` clauses.
func Redact(name string, data []byte) []byte {
	if !strings.HasPrefix(path.Base(name), "named.conf") {
		return data
	}
	lines := strings.SplitAfter(string(data), "\n")
	for i, l := range lines {
		if strings.Contains(strings.ToLower(l), "secret") {
			nl := ""
			if strings.HasSuffix(l, "\n") {
				nl = "\n"
			}
			lines[i] = "# (a line holding a secret was removed by jailkit collect)" + nl
		}
	}
	return []byte(strings.Join(lines, ""))
}

// ReadFile reads through and copies the file into the snapshot.
func (r *recorder) ReadFile(name string) ([]byte, error) {
	if Secret(name) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrPermission}
	}
	data, err := r.src.ReadFile(name)
	if err == nil {
		r.copyFile(name, data)
	}
	return data, err
}

// Glob lists through; the files it names are copied when read.
func (r *recorder) Glob(pattern string) ([]string, error) { return r.src.Glob(pattern) }

// ReadJailFile reads through and copies the file under the jail's path.
func (r *recorder) ReadJailFile(dir, name string) ([]byte, error) {
	if Secret(name) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrPermission}
	}
	data, err := r.src.ReadJailFile(dir, name)
	if err == nil {
		r.copyFile(path.Join(dir, path.Clean("/"+name)), data)
	}
	return data, err
}

// Output runs through and keeps the output under commands/.
func (r *recorder) Output(ctx context.Context, name string) ([]byte, error) {
	data, err := r.src.Output(ctx, name)
	if err == nil {
		if spec, ok := commandSpec(name); ok {
			r.write("commands/"+spec.File, data)
		}
	}
	return data, err
}
