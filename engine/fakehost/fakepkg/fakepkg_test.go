package fakepkg

import (
	"testing"
)

func TestCountFetches(t *testing.T) {
	log := LogLine("pc01", "xauth", "1.0") + LogLine("pc02", "xterm", "1.0")
	n, size, err := CountFetches([]byte(log))
	if want := int64(Size("xauth", "1.0") + Size("xterm", "1.0")); err != nil || n != 2 || size != want {
		t.Errorf("got %d fetches, %d bytes, %v; want 2, %d", n, size, err, want)
	}
	if n, _, err := CountFetches(nil); n != 0 || err != nil {
		t.Errorf("an empty log: %d, %v", n, err)
	}
	for _, bad := range []string{"pc01 xauth-1.0\n", "pc01 xauth-1.0 many\n"} {
		if _, _, err := CountFetches([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestContentIsSize(t *testing.T) {
	for _, p := range []string{"xauth", "bind920", "a"} {
		if got, want := len(Content(p, "2.0")), Size(p, "2.0"); got != want || want < 50_000 {
			t.Errorf("%s: %d bytes, want %d", p, got, want)
		}
	}
}
