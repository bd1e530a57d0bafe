//go:build unix

package plan

import (
	"io/fs"
	"syscall"

	"github.com/jailkit/jailkit/engine/system"
)

// restoreOwner gives p the mode (sticky bit too) and owner of fi.
func restoreOwner(jail system.System, p string, fi fs.FileInfo) error {
	if err := jail.Chmod(p, fi.Mode()&(fs.ModePerm|fs.ModeSticky)); err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return jail.Chown(p, int(st.Uid), int(st.Gid))
	}
	return nil
}
