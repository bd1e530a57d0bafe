package fakepkg

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// NonInteractive is what the bootstrapper prints when pkg is missing and
// stdin is not a terminal (usr.sbin/pkg/pkg.c, non_interactive_message).
const NonInteractive = "The package management tool is not yet installed on your system.\n" +
	"Please set ASSUME_ALWAYS_YES=yes environment variable to be able to bootstrap in non-interactive (stdin not being a tty)"

// BootstrapperYes says whether the bootstrapper sees -y: it skips the
// global options of "+:dN46" (an unknown one is skipped alone), takes the
// subcommand, and reads "+:y" (or "+:fr:y" for bootstrap and add) from
// the words after it, stopping at the first non-option.
func BootstrapperYes(args []string) bool {
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "-" {
		if args[i] == "--" {
			i++
			break
		}
		i++
	}
	if i >= len(args) {
		return false
	}
	sub, rest := args[i], args[i+1:]
	for k := 0; k < len(rest); k++ {
		w := rest[k]
		if !strings.HasPrefix(w, "-") || w == "-" || w == "--" {
			break
		}
		if w == "--yes" || strings.ContainsRune(w[1:], 'y') {
			return true
		}
		if (sub == "bootstrap" || sub == "add") && strings.HasSuffix(w, "r") {
			k++ // -r takes the repository name
		}
	}
	return false
}

// EnvYes reads a pkg boolean from the environment the way
// usr.sbin/pkg/config.c's boolstr_to_bool does.
func EnvYes(env []string, name string) bool {
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, name+"="); ok {
			v = strings.ToLower(v)
			return v == "yes" || v == "true" || v == "on" || strings.HasPrefix(v, "1")
		}
	}
	return false
}

// Size is the size of a package in the fake repository: 50 to 250 KB,
// fixed per name and version.
func Size(name, version string) int {
	f := fnv.New32a()
	f.Write([]byte(name + "-" + version))
	return 50_000 + int(f.Sum32()%200_000)
}

// Content is a package file as the fake repository serves it: the bytes
// its catalogue's checksum stands for.
func Content(name, version string) []byte {
	line := []byte(name + "-" + version + " fake package\n")
	n := Size(name, version)
	return bytes.Repeat(line, n/len(line)+1)[:n]
}

// FileName is a package's name in a pkg cache.
func FileName(name, version string) string { return name + "-" + version + ".pkg" }

// LogLine is the fetch log's line for package name-version fetched by
// jail: "JAIL NAME-VERSION BYTES".
func LogLine(jail, name, version string) string {
	return fmt.Sprintf("%s %s-%s %d\n", jail, name, version, Size(name, version))
}

// CountFetches reads a fetch log: how many packages, how many bytes.
func CountFetches(log []byte) (n int, size int64, err error) {
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return 0, 0, fmt.Errorf("fetch log: bad line %q", line)
		}
		b, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("fetch log: %w", err)
		}
		n++
		size += b
	}
	return n, size, nil
}
