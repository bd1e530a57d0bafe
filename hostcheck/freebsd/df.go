package freebsd

// Format source: bin/df/df.c in the FreeBSD source tree.

import (
	"bufio"
	"bytes"
	"fmt"
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

// FormatDf prints one file system as df -k does: capacity is used /
// (used + available), rounded (bin/df/df.c). An empty from prints "-".
func FormatDf(from, on string, totalKB, usedKB, availKB int64) []byte {
	capacity := 100
	if total := usedKB + availKB; total > 0 {
		capacity = int(float64(usedKB)/float64(total)*100 + 0.5)
	}
	if from == "" {
		from = "-"
	}
	return fmt.Appendf(nil, "Filesystem 1024-blocks Used Avail Capacity  Mounted on\n%s %d %d %d %d%% %s\n",
		from, totalKB, usedKB, availKB, capacity, on)
}
