package freebsd

// Format source: sbin/kldstat/kldstat.c in the FreeBSD source tree.

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// ParseKldstat reads kldstat output and returns the module file names
// without ".ko" (kernel, linux64, ...).
func ParseKldstat(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 || f[0] == "Id" {
			continue
		}
		if _, err := strconv.Atoi(f[0]); err != nil {
			continue
		}
		out = append(out, strings.TrimSuffix(f[len(f)-1], ".ko"))
	}
	return out
}

// FormatKldstat prints kernel file names as kldstat does (id, refs,
// address, size, name); ParseKldstat reads only the names back.
func FormatKldstat(files []string) []byte {
	var b bytes.Buffer
	b.WriteString("Id Refs Address                Size Name\n")
	for i, f := range files {
		fmt.Fprintf(&b, "%2d    1 0x0                       0 %s\n", i+1, f)
	}
	return b.Bytes()
}
