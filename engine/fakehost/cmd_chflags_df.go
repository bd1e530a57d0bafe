package fakehost

import (
	"fmt"
	"strings"

	"github.com/jailkit/jailkit/engine/fakehost/fakeconf"
)

// chflags checks its flags word and that every file exists: the fake
// host has no file flags to change. bin/chflags/chflags.c: argv[0] after
// the options is the flags (strtofflags, or an octal number), then one
// or more files; a missing file is reported and makes the status 1
// (-f silences it).
func (h *Host) chflags(a []string) ([]byte, error) {
	p := mustParse(a)
	flags, files := p.Operands[0], p.Operands[1:]
	if !fakeconf.ValidFileFlags(flags) {
		return nil, fail(a, "chflags: invalid flag: %s", flags)
	}
	var errs []string
	for _, f := range files {
		if _, err := h.files.Lstat(f); err != nil && !p.Has("f") {
			errs = append(errs, fmt.Sprintf("chflags: %s: No such file or directory", f))
		}
	}
	if len(errs) > 0 {
		return nil, fail(a, "%s", strings.Join(errs, "\n"))
	}
	return nil, nil
}

// df shows one fixed file system, whatever its arguments.
func (h *Host) df(a []string) ([]byte, error) {
	return []byte("Filesystem  1024-blocks    Used    Avail Capacity  Mounted on\n/dev/ada0p2   40000000 8000000 30000000    21%    /\n"), nil
}
