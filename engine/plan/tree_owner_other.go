//go:build !unix

package plan

import (
	"io/fs"

	"github.com/jailkit/jailkit/engine/system"
)

// restoreOwner gives p the mode of fi; owners exist only on Unix.
func restoreOwner(jail system.System, p string, fi fs.FileInfo) error {
	return jail.Chmod(p, fi.Mode()&(fs.ModePerm|fs.ModeSticky))
}
