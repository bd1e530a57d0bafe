package freebsd

// Format source: bin/df/df.c in the FreeBSD source tree.

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
)

// ParseDf reads `df -k DIR` and returns the available space in KiB of the
// last filesystem line (-1 when unreadable). Long device names can wrap
// df's line, so the numbers are counted from the right.
func ParseDf(data []byte) int64 {
	var fields []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] == "Filesystem" {
			continue
		}
		fields = append(fields, f...)
	}
	// ... 1024-blocks Used Avail Capacity Mounted-on
	for i := len(fields) - 1; i >= 3; i-- {
		if strings.HasSuffix(fields[i], "%") {
			n, err := strconv.ParseInt(fields[i-1], 10, 64)
			if err != nil || n < 0 {
				return -1
			}
			return n
		}
	}
	return -1
}
