package freebsd

// Format source: sbin/sysctl/sysctl.c in the FreeBSD source tree prints
// "name: value" and reads the "name=value" lines of sysctl.conf.

import (
	"bufio"
	"bytes"
	"strings"
)

// ParseSysctl reads `sysctl name ...` output, one "name: value" per line
// (or "name=value" as in sysctl.conf). Lines that are neither are skipped.
func ParseSysctl(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.IndexAny(line, ":=")
		if i <= 0 {
			continue
		}
		name := strings.TrimSpace(line[:i])
		if strings.ContainsAny(name, " \t") {
			continue
		}
		out[name] = strings.TrimSpace(line[i+1:])
	}
	return out
}
