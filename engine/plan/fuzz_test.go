package plan

import (
	"strings"
	"testing"
)

func FuzzUnifiedDiff(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nB\nc\n"))
	f.Add([]byte(""), []byte("x"))
	f.Add([]byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"), []byte("1\n2\n3\n4\nfive\n6\n7\n8\n9\nten\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		d := UnifiedDiff("f", a, b)
		if (d == "") != (string(a) == string(b)) {
			t.Fatalf("diff %q for equal=%v", d, string(a) == string(b))
		}
		// Every line of the new file shows up as context or an addition,
		// every line of the old one as context or a removal.
		if d != "" && len(a)*len(b) < 1e6 {
			var plus, minus, ctx int
			for _, l := range strings.Split(d, "\n") {
				switch {
				case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"), strings.HasPrefix(l, "@@"), strings.HasPrefix(l, "\\"):
				case strings.HasPrefix(l, "+"):
					plus++
				case strings.HasPrefix(l, "-"):
					minus++
				case strings.HasPrefix(l, " "):
					ctx++
				}
			}
			if plus+ctx > len(splitLines(string(b))) || minus+ctx > len(splitLines(string(a))) {
				t.Fatalf("diff has more lines than the files:\n%s", d)
			}
		}
	})
}

func FuzzCheckListeners(f *testing.F) {
	f.Add([]byte("USER COMMAND PID FD PROTO LOCAL ADDRESS FOREIGN ADDRESS\nroot named 1 4 udp4 192.0.2.53:53 *:*\nroot named 1 5 tcp4 *:53 *:*\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		err := (&Listeners{Ports: []Port{{Proto: "udp", Port: 53}}, Addrs: []string{"192.0.2.53"}}).Judge(out)
		if err == nil && !strings.Contains(string(out), "192.0.2.53:53") {
			t.Fatalf("passed without the jail's socket:\n%s", out)
		}
	})
}
