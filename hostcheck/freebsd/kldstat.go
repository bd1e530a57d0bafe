package freebsd

// Format source: sbin/kldstat/kldstat.c in the FreeBSD source tree.

import (
	"bufio"
	"bytes"
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
