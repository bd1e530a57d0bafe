package fakehost

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// pkg handles "pkg -j NAME install -y PKG...".
func (h *Host) pkg(a []string, progress io.Writer) ([]byte, error) {
	if len(a) < 5 || a[1] != "-j" || a[3] != "install" {
		return nil, fail(a, "usage: pkg -j jail install -y pkg ...")
	}
	j, err := h.running(a[2])
	if err != nil {
		return nil, fail(a, "pkg: %v", err)
	}
	sub, err := h.files.OpenRoot(j.Path)
	if err != nil {
		return nil, err
	}
	if _, err := sub.Lstat("/usr/local/sbin/pkg"); err != nil {
		return nil, fail(a, "pkg: pkg is not bootstrapped in jail %s", j.Name)
	}
	old, _ := sub.ReadFile("/var/db/pkg/installed")
	have := strings.Fields(string(old))
	for _, p := range a[4:] {
		if p == "-y" {
			continue
		}
		if progress != nil {
			fmt.Fprintf(progress, "[%s] Installing %s...\n", j.Name, p)
		}
		if !slices.Contains(have, p) {
			have = append(have, p)
		}
	}
	if err := sub.MkdirAll("/var/db/pkg", 0o755); err != nil {
		return nil, err
	}
	return nil, sub.WriteFile("/var/db/pkg/installed", []byte(strings.Join(have, "\n")+"\n"), 0o644)
}
