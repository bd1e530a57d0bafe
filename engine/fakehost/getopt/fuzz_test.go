package getopt

import (
	"slices"
	"strings"
	"testing"
)

// FuzzParse feeds every spec of the table arbitrary words: parsing never
// panics, and what it returns comes from the argv (operands are argv
// words in order; an option argument is a word or the end of one).
func FuzzParse(f *testing.F) {
	f.Add("jail\x00-f/etc/jail.conf\x00-rc\x00dns")
	f.Add("tar\x00xpf\x00/m/base.txz\x00-C\x00/j\x00--unlink\x00./etc")
	f.Add("fetch\x00URL\x00--out=x\x00-q")
	f.Add("pkg\x00-j\x00dns\x00install\x00-y\x00bind920")
	f.Add("freebsd-update\x00-b\x00/j\x00fetch\x00install")
	f.Add("jexec\x00-l\x00dns\x00/usr/sbin/pkg\x00bootstrap\x00-y")
	f.Fuzz(func(t *testing.T, joined string) {
		argv := strings.Split(joined, "\x00")
		if argv[0] == "" {
			return
		}
		p, err := Parse(argv)
		if err != nil {
			return
		}
		words := argv[1:]
		for _, o := range p.Opts {
			if o.Arg != "" && !slices.ContainsFunc(words, func(w string) bool { return strings.HasSuffix(w, o.Arg) }) {
				t.Errorf("%q: argument %q of %s is in no word", argv, o.Arg, o.Name)
			}
		}
		for _, op := range p.Operands {
			if !slices.Contains(words, op) {
				t.Errorf("%q: operand %q is in no word", argv, op)
			}
		}
	})
}
