package fakehost

// chflags only checks that its last operand exists: the fake host has no
// file flags to change.
func (h *Host) chflags(a []string) ([]byte, error) {
	if len(a) < 4 {
		return nil, fail(a, "usage: chflags [-R] flags file ...")
	}
	if _, err := h.files.Lstat(a[len(a)-1]); err != nil {
		return nil, fail(a, "chflags: %s: No such file or directory", a[len(a)-1])
	}
	return nil, nil
}

// df shows one fixed file system, whatever its arguments.
func (h *Host) df(a []string) ([]byte, error) {
	return []byte("Filesystem  1024-blocks    Used    Avail Capacity  Mounted on\n/dev/ada0p2   40000000 8000000 30000000    21%    /\n"), nil
}
