package install

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

// TestMailTurnsHostSendmailOff: a recipe that declares sendmail_off sets
// the four rc.conf settings on the host in the one sysrc call, stops a
// running sendmail, and a failure later rolls both back.
func TestMailTurnsHostSendmailOff(t *testing.T) {
	newHost := func(t *testing.T) *fakehost.Host {
		cfg := fakehost.DefaultConfig()
		cfg.Listeners = append(cfg.Listeners, fakehost.Listener{User: "root", Command: "sendmail", PID: 950, Proto: "tcp4", Addr: "127.0.0.1", Port: 25})
		h, err := fakehost.New(t.TempDir(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	spec := render.JailSpec{Name: "mail", IPs: []string{"192.0.2.25"}}
	t.Run("install", func(t *testing.T) {
		h := newHost(t)
		if _, err := Install(context.Background(), h, loadRecipe(t, "mail"), spec, testOpts()); err != nil {
			t.Fatal(err)
		}
		rc := readHost(t, h, "etc/rc.conf")
		for _, want := range []string{`sendmail_enable="NONE"`, `sendmail_submit_enable="NO"`, `sendmail_outbound_enable="NO"`, `sendmail_msp_queue_enable="NO"`} {
			if !strings.Contains(rc, want) {
				t.Errorf("host rc.conf lacks %s:\n%s", want, rc)
			}
		}
		if out := fakehost.MustRun(t, h, "sockstat", "-46l"); strings.Contains(out, "sendmail") {
			t.Errorf("sendmail still listens:\n%s", out)
		}
	})
	t.Run("rollback", func(t *testing.T) {
		h := newHost(t)
		before := snapshot(t, h)
		h.Fault = func(c system.Call) error {
			if c.Op == "run" && isPkgInstall(c.Argv) {
				return errors.New("injected pkg failure")
			}
			return nil
		}
		if _, err := Install(context.Background(), h, loadRecipe(t, "mail"), spec, testOpts()); err == nil {
			t.Fatal("install succeeded despite the injected failure")
		}
		if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
			t.Errorf("rollback left changes (-before +after):\n%s", diff)
		}
		if out := fakehost.MustRun(t, h, "sockstat", "-46l"); !strings.Contains(out, "sendmail") {
			t.Errorf("rollback did not start sendmail again:\n%s", out)
		}
	})
}
