package freebsd

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The MANIFEST of a release directory is written by the release build
// (freebsd-src release/scripts/make-manifest.sh): per distribution set,
// file name, sha256, file count, set name, quoted description, and
// whether bsdinstall selects it by default.

// ManifestEntry is one line of a release's MANIFEST.
type ManifestEntry struct {
	File        string
	SHA256      string
	Count       int
	Set         string
	Description string
	Default     bool
}

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ParseManifest reads a release MANIFEST: one line per set, tab-separated
// file name, SHA256, number of files, set name, quoted description and
// "on" or "off". Lines that do not have that shape are errors, because a
// MANIFEST is what proves the media are genuine.
func ParseManifest(data []byte) (map[string]ManifestEntry, error) {
	out := map[string]ManifestEntry{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 6 {
			return nil, fmt.Errorf("MANIFEST line %d has %d tab-separated fields, want 6", n, len(f))
		}
		sum := strings.ToLower(f[1])
		if !sha256RE.MatchString(sum) {
			return nil, fmt.Errorf("MANIFEST line %d: %q is not a SHA256 sum", n, f[1])
		}
		if f[0] == "" || strings.ContainsAny(f[0], "/ ") {
			return nil, fmt.Errorf("MANIFEST line %d: %q is not a file name", n, f[0])
		}
		count, err := strconv.Atoi(f[2])
		if err != nil || count < 0 {
			return nil, fmt.Errorf("MANIFEST line %d: %q is not a file count", n, f[2])
		}
		out[f[0]] = ManifestEntry{File: f[0], SHA256: sum, Count: count, Set: f[3],
			Description: strings.Trim(f[4], `"`), Default: f[5] == "on"}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
