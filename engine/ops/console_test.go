package ops

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/inputerr"
)

func TestConsole(t *testing.T) {
	ctx := context.Background()
	h := installed(t, "dns dns 192.0.2.53")
	argv, err := Console(ctx, h, "dns")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(argv, " "); got != "/usr/sbin/jexec -l dns /usr/bin/login -f root" {
		t.Errorf("argv = %q", got)
	}
	if err := h.Exec(argv, nil); err != nil {
		t.Fatalf("the fake host refused the console: %v", err)
	}
	log, err := os.ReadFile(filepath.Join(h.Dir, fakehost.ExecLog))
	if err != nil || string(log) != "/usr/sbin/jexec -l dns /usr/bin/login -f root\n" {
		t.Errorf("exec log %q, %v", log, err)
	}
	if _, err := Console(ctx, h, "www"); !errors.Is(err, inputerr.ErrInput) {
		t.Errorf("an unknown jail: %v", err)
	}
	if _, err := Stop(ctx, h, []string{"dns"}, false, testOpts(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := Console(ctx, h, "dns"); err == nil || !strings.Contains(err.Error(), "jailkit start dns") {
		t.Errorf("a stopped jail: %v", err)
	}
}
