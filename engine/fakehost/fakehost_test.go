package fakehost

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/system"
)

func newHost(t *testing.T) *Host {
	t.Helper()
	h, err := New(t.TempDir(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *Host) mustRun(t *testing.T, mutates bool, argv ...string) string {
	t.Helper()
	out, err := h.Run(context.Background(), system.Cmd{Argv: argv, Mutates: mutates})
	if err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	return string(out)
}

func (h *Host) read(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(h.Dir, p))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestSysrc(t *testing.T) {
	h := newHost(t)
	orig := h.read(t, "etc/rc.conf")
	out := h.mustRun(t, true, "sysrc", "jail_enable=YES", "sshd_enable=NO")
	if out != "jail_enable:  -> YES\nsshd_enable: YES -> NO\n" {
		t.Errorf("output %q", out)
	}
	rc := h.read(t, "etc/rc.conf")
	if !strings.Contains(rc, "\njail_enable=\"YES\"\n") || !strings.Contains(rc, "\nsshd_enable=\"NO\"\n") {
		t.Errorf("rc.conf:\n%s", rc)
	}
	if v := h.mustRun(t, false, "sysrc", "-n", "jail_enable"); v != "YES\n" {
		t.Errorf("sysrc -n: %q", v)
	}
	h.mustRun(t, true, "sysrc", "-x", "jail_enable")
	h.mustRun(t, true, "sysrc", "sshd_enable=YES")
	if rc := h.read(t, "etc/rc.conf"); rc != orig {
		t.Errorf("set and unset should give the file back byte for byte:\n%q\n%q", orig, rc)
	}
}

func TestJailLifecycle(t *testing.T) {
	h := newHost(t)
	os.MkdirAll(filepath.Join(h.Dir, "jails/dns/etc"), 0o755)
	os.MkdirAll(filepath.Join(h.Dir, "etc/jail.conf.d"), 0o755)
	os.WriteFile(filepath.Join(h.Dir, "etc/jail.conf.d/dns.conf"),
		[]byte("dns {\n\tpath = \"/jails/dns\";\n\thost.hostname = \"dns.lan\";\n\tip4.addr = \"em0|192.0.2.53/32\";\n}\n"), 0o644)
	os.WriteFile(filepath.Join(h.Dir, "jails/dns/etc/rc.conf"), []byte("named_enable=\"YES\"\n"), 0o644)
	h.mustRun(t, true, "jail", "-f", "/etc/jail.conf.d/dns.conf", "-c", "dns")
	if jls := h.mustRun(t, false, "jls", "--libxo", "json", "-n"); !strings.Contains(jls, `"ip4.addr":["192.0.2.53"]`) || !strings.Contains(jls, `"name":"dns"`) ||
		!strings.Contains(jls, `"jid":"1"`) || !strings.Contains(jls, `"__version":"2"`) {
		t.Errorf("jls: %s", jls)
	}
	if ifc := h.mustRun(t, false, "ifconfig", "-a"); !strings.Contains(ifc, "inet 192.0.2.53 netmask 0xffffffff") {
		t.Errorf("ifconfig should show the jail's alias:\n%s", ifc)
	}
	if _, err := h.Run(context.Background(), system.Cmd{Argv: []string{"jail", "-f", "/etc/jail.conf.d/dns.conf", "-c", "dns"}, Mutates: true}); err == nil {
		t.Error("a second jail -c worked")
	}
	// The service needs its package.
	if _, err := h.Run(context.Background(), system.Cmd{Argv: []string{"service", "-j", "dns", "named", "start"}, Mutates: true}); err == nil {
		t.Error("named started without bind920")
	}
	if _, err := h.Run(context.Background(), system.Cmd{Argv: []string{"jexec", "-l", "dns", "/usr/local/sbin/pkg", "install", "-y", "bind920"}, Mutates: true}); err == nil {
		t.Error("pkg ran before its bootstrap")
	}
	h.mustRun(t, true, "jexec", "-l", "dns", "/usr/sbin/pkg", "bootstrap", "-y")
	h.mustRun(t, true, "jexec", "-l", "dns", "/usr/local/sbin/pkg", "install", "-y", "bind920")
	h.mustRun(t, true, "service", "-j", "dns", "named", "start")
	sock := h.mustRun(t, false, "sockstat", "-46l", "-j", "dns")
	if !strings.Contains(sock, "udp4   192.0.2.53:53") || !strings.Contains(sock, "tcp4   192.0.2.53:53") {
		t.Errorf("sockstat -j:\n%s", sock)
	}
	if all := h.mustRun(t, false, "sockstat", "-46l"); !strings.Contains(all, "*:22") || !strings.Contains(all, "192.0.2.53:53") {
		t.Errorf("sockstat:\n%s", all)
	}
	h.mustRun(t, true, "jail", "-r", "dns")
	if jls := h.mustRun(t, false, "jls"); strings.Contains(jls, "dns") {
		t.Errorf("jail -r left it: %s", jls)
	}
	if sock := h.mustRun(t, false, "sockstat", "-46l"); strings.Contains(sock, ":53") {
		t.Errorf("the listener outlived the jail:\n%s", sock)
	}
}

func TestFetchAndTar(t *testing.T) {
	h := newHost(t)
	man := h.mustRun(t, false, "fetch", "-o", "-", "https://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE/MANIFEST")
	sum := sha256.Sum256(BaseTarball("14.3-RELEASE", "amd64"))
	if !strings.Contains(man, "base.txz\t"+hex.EncodeToString(sum[:])+"\t") {
		t.Errorf("MANIFEST does not carry the sum of base.txz:\n%s", man)
	}
	_, err := h.Run(context.Background(), system.Cmd{Argv: []string{"fetch", "-o", "-", "https://download.freebsd.org/releases/amd64/amd64/9.9-RELEASE/MANIFEST"}})
	if err == nil || !strings.Contains(err.Error(), "Not Found") {
		t.Errorf("unknown release: %v", err)
	}
	os.MkdirAll(filepath.Join(h.Dir, "media"), 0o755)
	h.mustRun(t, true, "fetch", "-o", "/media/base.txz", "https://download.freebsd.org/releases/arm64/aarch64/14.3-RELEASE/base.txz")
	os.MkdirAll(filepath.Join(h.Dir, "root1"), 0o755)
	h.mustRun(t, true, "tar", "-xf", "/media/base.txz", "-C", "/root1", "--unlink", "./etc", "./tmp")
	if p := h.read(t, "root1/etc/passwd"); !strings.Contains(p, "bind:*:53:53") {
		t.Errorf("passwd: %q", p)
	}
	if _, err := os.Stat(filepath.Join(h.Dir, "root1/bin")); err == nil {
		t.Error("tar extracted a member that was not asked for")
	}
	if fi, err := os.Stat(filepath.Join(h.Dir, "root1/tmp")); err != nil || fi.Mode().Perm() != 0o777 {
		t.Errorf("tmp: %v %v", fi, err)
	}
	// Extraction is confined to -C: a planted link cannot lead it out.
	outside := t.TempDir()
	os.MkdirAll(filepath.Join(h.Dir, "root2"), 0o755)
	os.Symlink(outside, filepath.Join(h.Dir, "root2/etc"))
	if _, err := h.Run(context.Background(), system.Cmd{Argv: []string{"tar", "-xf", "/media/base.txz", "-C", "/root2"}, Mutates: true}); err == nil {
		t.Error("tar followed a link out of its target")
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("tar wrote outside: %v", ents)
	}
}

func TestFaults(t *testing.T) {
	h := newHost(t)
	fault, count := FailNth(2)
	h.Fault = fault
	if err := h.WriteFile("/a", []byte("1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := h.MkdirAll("/b", 0o755); err == nil || !strings.Contains(err.Error(), "injected failure of mutation 2") {
		t.Errorf("want the injected failure, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(h.Dir, "b")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a failed mutation had an effect")
	}
	sub, _ := h.OpenRoot("/etc")
	sub.WriteFile("/x", []byte("y"), 0o644)
	if count() != 3 {
		t.Errorf("count %d: a jail root's mutations must count too", count())
	}
	// FailCommand in the config fails matching commands.
	cfg, _ := h.Config()
	cfg.FailCommand = "sysrc jail_enable"
	h.SetConfig(cfg)
	h.Fault = nil
	if _, err := h.Run(context.Background(), system.Cmd{Argv: []string{"sysrc", "jail_enable=YES"}, Mutates: true}); err == nil {
		t.Error("FailCommand did not fail the command")
	}
}

func TestSnapshotLeavesOutTheLock(t *testing.T) {
	h := newHost(t)
	before, _ := h.Snapshot()
	unlock, _, err := h.TryLock("/" + LockFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.TryLock("/" + LockFile); !errors.Is(err, system.ErrLocked) {
		t.Errorf("second lock: %v", err)
	}
	unlock()
	after, _ := h.Snapshot()
	if len(before) != len(after) {
		t.Errorf("the lock file shows in the snapshot")
	}
	os.WriteFile(filepath.Join(h.Dir, "etc/new"), nil, 0o644)
	if after, _ := h.Snapshot(); len(after) != len(before)+1 {
		t.Error("a new file does not show in the snapshot")
	}
}

// TestVNetInterfaces: ifconfig creates and destroys epairs (both sides at
// once) and bridges and adds members; a VNET jail's prestart runs at
// jail -c, its vnet.interface leaves the host's list, its addresses come
// from its rc.conf.d/netif, and jail -r gives the interface back and runs
// poststop.
func TestVNetInterfaces(t *testing.T) {
	h := newHost(t)
	if _, err := h.Run(context.Background(), system.Cmd{Argv: []string{"ifconfig", "bridge0", "addm", "em0"}, Mutates: true}); err == nil {
		t.Error("addm to a missing bridge should fail")
	}
	h.mustRun(t, true, "ifconfig", "bridge0", "create")
	h.mustRun(t, true, "ifconfig", "bridge0", "addm", "em0", "up")
	if _, err := h.Run(context.Background(), system.Cmd{Argv: []string{"ifconfig", "bridge0", "create"}, Mutates: true}); err == nil || !strings.Contains(err.Error(), "File exists") {
		t.Errorf("a second create: %v", err)
	}
	root := "usr/local/jails/containers/v"
	if err := os.MkdirAll(filepath.Join(h.Dir, root, "etc/rc.conf.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.Dir, root, "etc/rc.conf.d/netif"), []byte("ifconfig_epair3b=\"inet 192.0.2.9/24\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := "v {\n\tpath = \"/" + root + "\";\n\tvnet;\n\tvnet.interface = \"epair3b\";\n" +
		"\texec.prestart += \"/sbin/ifconfig epair3 create up\";\n\texec.prestart += \"/sbin/ifconfig bridge0 addm epair3a up\";\n" +
		"\texec.poststop += \"/sbin/ifconfig epair3a destroy\";\n}\n"
	if err := os.WriteFile(filepath.Join(h.Dir, "etc/v.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	h.mustRun(t, true, "jail", "-f", "/etc/v.conf", "-c", "v")
	ifc := h.mustRun(t, false, "ifconfig", "-a")
	if !strings.Contains(ifc, "epair3a: flags") || strings.Contains(ifc, "epair3b") || !strings.Contains(ifc, "member: epair3a") {
		t.Errorf("ifconfig:\n%s", ifc)
	}
	if jls := h.mustRun(t, false, "jls", "--libxo", "json"); !strings.Contains(jls, `"vnet":"new"`) || strings.Contains(jls, "192.0.2.9") {
		t.Errorf("jls: %s", jls)
	}
	st, _ := h.State()
	if len(st.Jails) != 1 || strings.Join(st.Jails[0].IP4, ",") != "192.0.2.9" {
		t.Errorf("the jail's own addresses: %+v", st.Jails)
	}
	h.mustRun(t, true, "jail", "-f", "/etc/v.conf", "-r", "v")
	if ifc := h.mustRun(t, false, "ifconfig", "-a"); strings.Contains(ifc, "epair3") || !strings.Contains(ifc, "member: em0") {
		t.Errorf("after jail -r the epair is gone, the bridge stays:\n%s", ifc)
	}
	h.mustRun(t, true, "ifconfig", "bridge0", "destroy")
	if st, _ := h.State(); len(st.NetIfs) != 0 || len(st.Members) != 0 {
		t.Errorf("state after destroy: %+v", st)
	}
}
