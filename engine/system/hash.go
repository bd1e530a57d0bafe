package system

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxHashSize bounds the files SHA256File reads: a release's base.txz is
// about 200 MB, far past MaxReadSize, and nothing jailkit verifies comes
// near this.
const MaxHashSize = 8 << 30

// Hasher is a System that hashes a file as a stream, without holding it
// in memory: ReadFile refuses anything past MaxReadSize.
type Hasher interface {
	SHA256File(name string) (string, error)
}

// SHA256File returns the hex sha256 of the regular file name through sys:
// streamed when sys is a Hasher, read whole otherwise.
func SHA256File(sys System, name string) (string, error) {
	if h, ok := sys.(Hasher); ok {
		return h.SHA256File(name)
	}
	data, err := sys.ReadFile(name)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// SHA256File hashes a regular file under the root as a stream: a FIFO
// or a device is refused as ReadFile refuses it, and so is a file past
// MaxHashSize.
func (r *Real) SHA256File(name string) (string, error) {
	p, err := rel(name)
	if err != nil {
		return "", err
	}
	fi, err := r.root.Stat(p)
	if err != nil {
		return "", err
	}
	if err := regularWithin(p, fi, MaxHashSize); err != nil {
		return "", err
	}
	f, err := r.root.OpenFile(p, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return "", err
	}
	if err := regularWithin(p, fi, MaxHashSize); err != nil {
		return "", err
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, MaxHashSize+1))
	if err != nil {
		return "", &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if n > MaxHashSize {
		return "", &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w: it grew past %d bytes while read", ErrTooLarge, int64(MaxHashSize))}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// SHA256File hashes through the base, as ReadFile reads.
func (d *DryRun) SHA256File(name string) (string, error) {
	if d.Base == nil {
		return "", notExist("read", name)
	}
	return SHA256File(d.Base, name)
}

// SHA256File records a read and hashes through the base.
func (r *Recorder) SHA256File(name string) (string, error) {
	r.add(Call{Op: "read", Path: name})
	if r.Base == nil {
		return "", notExist("read", name)
	}
	return SHA256File(r.Base, name)
}
