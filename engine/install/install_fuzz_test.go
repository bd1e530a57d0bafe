package install

import (
	"strings"
	"testing"
)

func FuzzParseResolvConf(f *testing.F) {
	f.Add([]byte("search home.lan\nnameserver 192.0.2.1\nnameserver ::1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, ns := range ParseResolvConf(data) {
			if ns == "" || strings.ContainsAny(ns, " \t\n") {
				t.Fatalf("bad server %q", ns)
			}
		}
	})
}

func FuzzAppendRemoveText(f *testing.F) {
	f.Add([]byte("# jail.conf\nwww { }\n"), IncludeLine+"\n")
	f.Add([]byte(""), "[devfsrules_jailkit_dns=10]\nadd include $devfsrules_jail\n")
	f.Add([]byte("no newline"), "x\n")
	f.Fuzz(func(t *testing.T, data []byte, block string) {
		if block == "" || strings.Contains(string(data), block) || !strings.HasSuffix(block, "\n") {
			return
		}
		out, ok := removeText(appendText(data, block), block)
		if !ok {
			t.Fatal("the block appended was not found")
		}
		if s := string(out); s != string(data) && s != string(data)+"\n" {
			t.Fatalf("round trip changed the file: %q -> %q", data, out)
		}
	})
}
