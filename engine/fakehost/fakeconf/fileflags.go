package fakeconf

import (
	"slices"
	"strconv"
	"strings"
)

// fileFlags are the names strtofflags(3) takes (lib/libc/gen/strtofflags.c),
// each also with "no" in front to clear it.
var fileFlags = []string{"arch", "archived", "nodump", "opaque", "sappnd", "sappend", "schg", "schange", "simmutable",
	"snapshot", "sunlnk", "sunlink", "uappnd", "uappend", "uarch", "uarchive", "uchg", "uchange", "uimmutable",
	"uhidden", "hidden", "uoffline", "offline", "urdonly", "rdonly", "readonly", "ureadonly", "usparse", "sparse", "usystem",
	"system", "ureparse", "reparse", "uunlnk", "uunlink", "dump"}

// ValidFileFlags says whether chflags takes word: an octal number (a
// word starting with 0-7) or a comma-separated list of flag names.
func ValidFileFlags(word string) bool {
	if word != "" && word[0] >= '0' && word[0] <= '7' {
		_, err := strconv.ParseUint(word, 8, 32)
		return err == nil
	}
	for _, f := range strings.Split(word, ",") {
		if !slices.Contains(fileFlags, strings.TrimPrefix(f, "no")) && !slices.Contains(fileFlags, f) {
			return false
		}
	}
	return true
}
