package fakehost

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost/getopt"
	"github.com/jailkit/jailkit/engine/system"
)

// TestEverySimulatedCommandHasAnOptionString: no command is simulated
// without the option string its argv is read with.
func TestEverySimulatedCommandHasAnOptionString(t *testing.T) {
	for name := range commands {
		if getopt.Lookup(name) == nil {
			t.Errorf("%s is simulated but has no option string in getopt/testdata/getopt.txt", name)
		}
	}
}

// refusal is one argv the host must refuse, with the start of its
// message and its exit status.
type refusal struct {
	argv   []string
	msg    string
	status int
}

// TestHostRefusesLikeFreeBSD checks that Host.Run answers a refused
// argv the way running the real tool does: an ExitError with the tool's
// status and message, and no change on the host.
func TestHostRefusesLikeFreeBSD(t *testing.T) {
	h := newHost(t)
	before, err := h.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []refusal{
		{[]string{"kldunload", "-x", "if_bridge"}, "kldunload: illegal option -- x", 64},
		{[]string{"sysrc", "-y", "jail_enable=YES"}, "Illegal option -y", 1},
		{[]string{"jail", "-c", "-R", "dns"}, "usage: jail", 1},
		{[]string{"jail", "-f", "/etc/jail.conf", "-c", "dns", "extra"}, "fakehost: a jail given by parameters", 1},
		{[]string{"tar", "-f", "/x.txz", "-C", "/"}, "tar: Must specify one of -c, -r, -t, -u, -x", 1},
		{[]string{"tar", "-x", "-c", "-f", "/x.txz"}, "tar: Can't specify both -c and -x", 1},
		{[]string{"chflags", "schgg", "/etc"}, "chflags: invalid flag: schgg", 1},
		{[]string{"chflags", "-R", "0", "/nonexistent"}, "chflags: /nonexistent: No such file or directory", 1},
		{[]string{"jls", "-j", "nosuch"}, "jls: jail \"nosuch\" not found", 1},
		{[]string{"jls", "-v"}, "fakehost: jls -v without --libxo is not simulated", 1},
		{[]string{"sysrc", "nosuch_enable"}, "sysrc: unknown variable 'nosuch_enable'", 1},
	} {
		_, err := h.Run(context.Background(), system.Cmd{Argv: tc.argv, Mutates: true})
		var xe *system.ExitError
		if !errors.As(err, &xe) {
			t.Errorf("%v: %v, want an exit error", tc.argv, err)
			continue
		}
		if want := "exit status " + strconv.Itoa(tc.status); xe.Err.Error() != want || !strings.HasPrefix(xe.Stderr, tc.msg) {
			t.Errorf("%v: %v %q, want %s %q", tc.argv, xe.Err, xe.Stderr, want, tc.msg)
		}
	}
	after, err := h.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("a refused command changed the host:\n%s", diff)
	}
}

// TestCommandsFollowTheirParser checks behaviour that depends on reading
// argv as FreeBSD does: ifconfig -l prints names only, kldload fails on
// a loaded module without -n, sysrc takes clustered options, and tar
// keeps /tmp sticky.
func TestCommandsFollowTheirParser(t *testing.T) {
	h := newHost(t)
	if got := h.mustRun(t, false, "ifconfig", "-l"); got != "em0 lo0\n" {
		t.Errorf("ifconfig -l: %q", got)
	}
	h.mustRun(t, true, "kldload", "-n", "if_bridge", "if_epair")
	if _, err := h.Run(context.Background(), system.Cmd{Argv: []string{"kldload", "if_epair"}, Mutates: true}); err == nil ||
		!strings.Contains(err.Error(), "module already loaded or in kernel") {
		t.Errorf("kldload of a loaded module without -n: %v", err)
	}
	st, _ := h.State()
	if !slices.Equal(st.Modules, []string{"if_bridge", "if_epair"}) {
		t.Errorf("modules %v", st.Modules)
	}
	h.mustRun(t, true, "sysrc", "jail_enable=YES")
	if got := h.mustRun(t, false, "sysrc", "-in", "jail_enable", "nosuch"); got != "YES\n" {
		t.Errorf("sysrc -in: %q", got)
	}
	h.mustRun(t, true, "sysrc", "-xq", "jail_enable")
	if strings.Contains(h.read(t, "etc/rc.conf"), "jail_enable") {
		t.Error("sysrc -xq left jail_enable")
	}
	h.WriteFile("/base.txz", BaseTarball("14.3-RELEASE", "amd64"), 0o644)
	h.MkdirAll("/j", 0o755)
	h.mustRun(t, true, "tar", "xpf", "/base.txz", "-C", "/j", "--unlink", "./tmp", "./bin")
	fi, err := h.Lstat("/j/tmp")
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode(); got.Perm() != 0o777 || got&fs.ModeSticky == 0 {
		t.Errorf("/tmp mode %v, want sticky drwxrwxrwx", got)
	}
}
