package system

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxReadSize bounds every file jailkit reads from a host, a jail or a
// snapshot. Configuration files, passwd and command outputs stay far
// below it; a file past it is refused rather than read whole.
const MaxReadSize = 16 << 20

// ErrNotRegular is returned for a file that is not a regular file (a
// FIFO, a device node, a socket, a directory): opening a FIFO for reading
// waits for a writer for ever, and a device can be read without end.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned for a file larger than the limit of its reader.
var ErrTooLarge = errors.New("file is too large")

// ReadRegular reads name under root, refusing anything but a regular file
// and a file larger than max bytes. Links are followed inside root only
// (os.Root). The file is looked at before it is opened, so a device node
// is never opened, and again through the open descriptor, so it cannot be
// swapped in between.
func ReadRegular(root *os.Root, name string, max int64) ([]byte, error) {
	fi, err := root.Stat(name)
	if err != nil {
		return nil, err
	}
	if err := regularWithin(name, fi, max); err != nil {
		return nil, err
	}
	f, err := root.OpenFile(name, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := regularWithin(name, fi, max); err != nil {
		return nil, err
	}
	data, err := readSized(io.LimitReader(f, max+1), min(fi.Size(), max)+1)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if int64(len(data)) > max {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w: it grew past %d bytes while read", ErrTooLarge, max)}
	}
	return data, nil
}

func regularWithin(name string, fi fs.FileInfo, max int64) error {
	if !fi.Mode().IsRegular() {
		return &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w (%s)", ErrNotRegular, fileKind(fi.Mode()))}
	}
	if fi.Size() > max {
		return &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, fi.Size(), max)}
	}
	return nil
}

// fileKind names the type of a file for a message.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeDevice != 0:
		return "a device node"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "mode " + m.String()
}

// readSized reads r to its end into a buffer of size bytes, growing it
// only if there is more: io.ReadAll starts small and doubles, which for a
// snapshot's 100,000-line sockstat allocates the file twice over. The
// size is the file's own plus one, so the end is seen without growing.
func readSized(r io.Reader, size int64) ([]byte, error) {
	data := make([]byte, 0, max(size, 512))
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
