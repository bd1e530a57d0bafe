//go:build linux

// This file is the conformance harness: the helpers every recipe's
// conformance test uses to prove its rendered config with the real Debian
// daemon (DESIGN.md section 7). It is Linux-only because it uses network
// and mount namespaces; the conformance_*_test.go files carry the same
// "//go:build linux" line.
//
// A recipe's conformance test (conformance_NAME_test.go) does three things:
//
//  1. Check: render the recipe into a temporary jail root and run the
//     daemon's own checker on it.
//
//     requireTool(t, "named-checkconf")
//     root, _ := renderTo(t, "dns", "testdata/values/dns.args")
//     mustRun(t, time.Minute, "named-checkconf", "-t", root, "-z", "/usr/local/etc/namedb/named.conf")
//
//  2. Serve: start the daemon on the rendered config inside a private
//     network (and mount) namespace that holds the jail address, talk to it
//     at the jail address, and prove that 127.0.0.1 in the same namespace
//     gets no answer.
//
//     ns := newNamespace(t)                 // only loopback, up; removed in t.Cleanup
//     ns.addAddr(t, "lo", "127.0.0.53/8")   // the jail address
//     ns.bindMount(t, root+"/usr/local", "/usr/local") // FreeBSD paths, if the daemon needs them
//     d := ns.start(t, "named", "-g", ...)  // background, stopped by PID in t.Cleanup
//     ns.waitListen(t, d, "tcp", "127.0.0.53:53", 20*time.Second)
//     out, err := ns.run(t, 10*time.Second, "dig", "@127.0.0.53", ...) // a client in the namespace
//     conn, err := ns.dial("tcp", "127.0.0.53:80", 5*time.Second) // or a Go client socket in it
//     l, err := ns.listen("tcp", "127.0.0.53:2525")                 // a Go peer in it
//     err = ns.inNamespace(func() error { ... })                     // any other socket code in it
//     ns.requireOnlyOn(t, "tcp", 80, "127.0.0.53") // nothing listens on * or 127.0.0.1
//
//     Mount helpers (bindMount, mountTmpfs) act on the namespace's private
//     mount table only, so a daemon that wants FreeBSD paths (Apache reads
//     /usr/local/etc/apache24, sshd wants /run/sshd) sees the rendered tree
//     there while the host's /usr/local stays untouched. Every ns.run and
//     ns.start command runs in both the network and the mount namespace.
//     For DHCP, vethPair(t, serverNS, clientNS, "jk0", "jk1") joins two
//     namespaces with a veth pair; give each end an address with addAddr.
//
//     Each namespace, tree and daemon belongs to one test, so conformance
//     tests may call t.Parallel. Use ns.inNamespace rather than a locked
//     thread of your own that exits: daemons carry Pdeathsig, and the
//     kernel sends it when the thread that forked them ends.
//
//  3. Prove the harness can fail: break the rendered config (write a bad
//     line into the tree) and require the checker to reject it, so that a
//     checker that passes everything cannot hide behind the test.
//
// Every command is an argv slice with a timeout (no shell), every wait is
// bounded, and every process a test starts is stopped by its PID when the
// test ends. Tools come from Debian packages that "bash .ci/deps" installs;
// requireTool fails the test (never skips it) when one is missing.
package recipes_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"golang.org/x/sys/unix"
)

// sbinDirs are searched after $PATH: root's PATH in CI may lack them, and
// the daemons live there.
var sbinDirs = []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"}

// toolPath returns the absolute path of a program, or fails the test with
// the command that installs it.
func toolPath(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range sbinDirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	t.Fatalf("%s is not installed; install it: bash .ci/deps", name)
	return ""
}

// requireTool fails the test unless every named program is installed and
// the test runs as root (namespaces, chroot and privileged ports need it).
// It never skips: a conformance check that silently does not run proves
// nothing.
func requireTool(t testing.TB, names ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatalf("conformance tests need root (namespaces, chroot, port 53); run them as root after: bash .ci/deps")
	}
	for _, n := range names {
		toolPath(t, n)
	}
}

// command builds an exec.Cmd for argv with the program resolved through
// toolPath. It never goes through a shell.
func command(ctx context.Context, t testing.TB, argv ...string) *exec.Cmd {
	t.Helper()
	if len(argv) == 0 {
		t.Fatal("command: empty argv")
	}
	cmd := exec.CommandContext(ctx, toolPath(t, argv[0]), argv[1:]...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	// A stuck child must not outlive the test by much after a cancel.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs argv on the host with a timeout and returns its combined output
// and error (an *exec.ExitError when it exited non-zero).
func run(t testing.TB, timeout time.Duration, argv ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := command(ctx, t, argv...).CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s: timed out after %v: %w", argv[0], timeout, ctx.Err())
	}
	return string(out), err
}

// mustRun is run that fails the test when argv fails.
func mustRun(t testing.TB, timeout time.Duration, argv ...string) string {
	t.Helper()
	out, err := run(t, timeout, argv...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return out
}

// renderFiles renders recipe with values: a path to a testdata/values/*.args
// file or an render.JailSpec.
func renderFiles(t testing.TB, recipeName string, values any) []render.File {
	t.Helper()
	var spec render.JailSpec
	switch v := values.(type) {
	case string:
		spec = specFromArgs(t, v)
	case render.JailSpec:
		spec = v
	default:
		t.Fatalf("renderFiles: values must be an args file or an render.JailSpec, not %T", values)
	}
	c, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Get(recipeName)
	if err != nil {
		t.Fatal(err)
	}
	v, err := render.NewValues(r, spec)
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Render(v)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// renderTo renders recipe with values (an args file or an render.JailSpec)
// into a fresh t.TempDir(), through render.WriteTree and os.Root exactly as
// "jailkit render" does, and returns that jail root and the files. Owners
// are left to the test user; call chownTree when a daemon drops privileges
// and must write into the tree.
func renderTo(t testing.TB, recipeName string, values any) (string, []render.File) {
	t.Helper()
	files := renderFiles(t, recipeName, values)
	dir := t.TempDir()
	// t.TempDir is 0700 under a 0700 parent: a daemon that drops to its
	// own user must still be able to walk into the tree.
	for p := dir; p != os.TempDir() && p != "/" && p != "."; p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := render.WriteTree(root, files, nil); err != nil {
		t.Fatal(err)
	}
	return dir, files
}

// chownTree gives each rendered file and directory under root the owner
// and group the recipe asked for, looked up on this Debian host. alias maps
// FreeBSD names to Debian ones (wheel -> root is built in; pass, say,
// {"www": "www-data"}). An unknown user fails the test.
func chownTree(t testing.TB, root string, files []render.File, alias map[string]string) {
	t.Helper()
	name := func(n string) string {
		if a, ok := alias[n]; ok {
			return a
		}
		if n == "wheel" {
			return "root"
		}
		return n
	}
	for _, f := range files {
		u, err := user.Lookup(name(f.Owner))
		if err != nil {
			t.Fatalf("chownTree %s: user %s: %v (install the package that creates it: bash .ci/deps)", f.Path, f.Owner, err)
		}
		g, err := user.LookupGroup(name(f.Group))
		if err != nil {
			t.Fatalf("chownTree %s: group %s: %v", f.Path, f.Group, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(g.Gid)
		if err := os.Lchown(filepath.Join(root, filepath.FromSlash(f.Path)), uid, gid); err != nil {
			t.Fatal(err)
		}
	}
}

// mkdirOwned creates dir (an absolute path on the host) with mode and the
// named Debian owner, for run-time directories a daemon wants (such as
// ROOT/var/run/named).
func mkdirOwned(t testing.TB, dir string, mode os.FileMode, owner string) {
	t.Helper()
	if err := os.MkdirAll(dir, mode); err != nil {
		t.Fatal(err)
	}
	u, err := user.Lookup(owner)
	if err != nil {
		t.Fatalf("mkdirOwned %s: %v (install it: bash .ci/deps)", dir, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

// namespace is a private network and mount namespace held open by a
// sleeping process. It starts with only a loopback interface (up, with
// 127.0.0.1/8 and ::1) and a private copy of the host's mount table.
// Commands enter it with nsenter; Go sockets enter it with dial.
type namespace struct {
	pid    int // the holder; /proc/PID/ns/{net,mnt} are the namespaces
	holder *exec.Cmd
}

// newNamespace creates a namespace that is torn down in t.Cleanup: the
// processes started in it are stopped first (cleanups run last-in,
// first-out), then the holder is killed and the kernel frees the
// namespace with its addresses, links and mounts.
func newNamespace(t testing.TB) *namespace {
	t.Helper()
	requireTool(t, "unshare", "nsenter", "ip", "mount")
	// unshare without --fork execs sleep in the new namespaces, so the
	// holder's PID is the process inside them. A bounded sleep and a
	// parent-death signal keep a crashed test from leaking it for long.
	holder := exec.Command(toolPath(t, "unshare"), "--net", "--mount", "--propagation", "private",
		"--", toolPath(t, "sleep"), "3600")
	holder.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var errBuf bytes.Buffer
	holder.Stderr = &errBuf
	if err := holder.Start(); err != nil {
		t.Fatalf("start namespace holder: %v", err)
	}
	ns := &namespace{pid: holder.Process.Pid, holder: holder}
	t.Cleanup(func() {
		_ = holder.Process.Kill()
		_ = holder.Wait()
	})
	// Wait (bounded) until unshare has switched namespaces.
	self, _ := os.Readlink("/proc/self/ns/net")
	deadline := time.Now().Add(5 * time.Second)
	for {
		cur, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", ns.pid))
		if err == nil && cur != self {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("namespace holder did not enter a new network namespace: %v %s", err, errBuf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	ns.mustRun(t, 10*time.Second, "ip", "link", "set", "lo", "up")
	return ns
}

// nsenterArgs prefixes argv so it runs inside the namespace. nsenter
// execs the program (no fork for net and mount namespaces), so the PID of
// the command is the PID of the program.
func (ns *namespace) nsenterArgs(t testing.TB, argv []string) []string {
	t.Helper()
	if len(argv) == 0 {
		t.Fatal("namespace: empty argv")
	}
	pid := strconv.Itoa(ns.pid)
	return append([]string{"nsenter", "--target", pid, "--net", "--mount", "--", toolPath(t, argv[0])}, argv[1:]...)
}

// cmd returns an exec.Cmd that runs argv inside the namespace.
func (ns *namespace) cmd(ctx context.Context, t testing.TB, argv ...string) *exec.Cmd {
	t.Helper()
	return command(ctx, t, ns.nsenterArgs(t, argv)...)
}

// run runs a client command inside the namespace with a timeout and
// returns its combined output and error.
func (ns *namespace) run(t testing.TB, timeout time.Duration, argv ...string) (string, error) {
	t.Helper()
	return run(t, timeout, ns.nsenterArgs(t, argv)...)
}

// mustRun is run that fails the test when argv fails.
func (ns *namespace) mustRun(t testing.TB, timeout time.Duration, argv ...string) string {
	t.Helper()
	return mustRun(t, timeout, ns.nsenterArgs(t, argv)...)
}

// addAddr adds an address such as "127.0.0.53/8" to a link of the
// namespace, usually "lo". A /8 on lo keeps 127.0.0.1 in place, so the
// test can show that the other address gets no answer.
func (ns *namespace) addAddr(t testing.TB, dev, cidr string) {
	t.Helper()
	pr, err := netip.ParsePrefix(cidr)
	if err != nil {
		t.Fatalf("addAddr: %v", err)
	}
	argv := []string{"ip", "addr", "add", cidr, "dev", dev}
	if pr.Addr().Is6() {
		// Without nodad an IPv6 address stays "tentative" until
		// duplicate address detection ends (about a second), and a
		// daemon started at once fails to bind it (EADDRNOTAVAIL): the
		// dual-stack tests failed now and then that way.
		argv = append(argv, "nodad")
	}
	ns.mustRun(t, 10*time.Second, argv...)
}

// bindMount bind-mounts src (a host path, say ROOT/usr/local) onto dst
// inside the namespace only. dst must exist.
func (ns *namespace) bindMount(t testing.TB, src, dst string) {
	t.Helper()
	ns.mustRun(t, 10*time.Second, "mount", "--bind", src, dst)
}

// mountTmpfs mounts an empty tmpfs on dst inside the namespace only (for
// /run/sshd and the like).
func (ns *namespace) mountTmpfs(t testing.TB, dst string) {
	t.Helper()
	ns.mustRun(t, 10*time.Second, "mount", "-t", "tmpfs", "-o", "mode=0755,size=16m", "tmpfs", dst)
}

// vethPair creates a veth pair whose end aName lives in a and bName in b,
// both up. The pair is created inside a, so its names never meet the
// host's links; it vanishes with the namespaces.
func vethPair(t testing.TB, a, b *namespace, aName, bName string) {
	t.Helper()
	a.mustRun(t, 10*time.Second, "ip", "link", "add", aName, "type", "veth",
		"peer", "name", bName, "netns", strconv.Itoa(b.pid))
	a.mustRun(t, 10*time.Second, "ip", "link", "set", aName, "up")
	b.mustRun(t, 10*time.Second, "ip", "link", "set", bName, "up")
}

// daemon is a process started in the background by namespace.start.
type daemon struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, valid after done
}

// syncBuffer collects a daemon's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// log returns what the daemon wrote to stdout and stderr so far; run it
// in the foreground (named -g, dhcpd -f -d, sshd -D -e, apache2 -X) so
// that this holds its log.
func (d *daemon) log() string { return d.out.String() }

// exited reports whether the daemon has exited.
func (d *daemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the daemon's PID, waits up to ten seconds, then
// kills it. It is safe to call twice.
func (d *daemon) stop() {
	if d.exited() {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

// start runs argv in the background inside the namespace and stops it by
// PID in t.Cleanup, logging its output when the test failed. Run the
// daemon in the foreground so its PID is the one to stop.
func (ns *namespace) start(t testing.TB, argv ...string) *daemon {
	t.Helper()
	args := ns.nsenterArgs(t, argv)
	cmd := exec.Command(toolPath(t, args[0]), args[1:]...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	d := &daemon{name: argv[0], cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = d.out, d.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", argv[0], err)
	}
	go func() {
		d.err = cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			t.Logf("%s (pid %d) log:\n%s", d.name, cmd.Process.Pid, d.log())
		}
	})
	return d
}

// socket is one socket from /proc/PID/net/{tcp,udp}{,6}.
type socket struct {
	Addr  netip.AddrPort
	State string // "0A" is TCP LISTEN; UDP sockets show "07"
}

// sockets lists the namespace's sockets of proto ("tcp" or "udp"), both
// address families, read from /proc: no tool and no namespace switch.
func (ns *namespace) sockets(t testing.TB, proto string) []socket {
	t.Helper()
	var out []socket
	for _, fam := range []string{"", "6"} {
		f, err := os.Open(fmt.Sprintf("/proc/%d/net/%s%s", ns.pid, proto, fam))
		if err != nil {
			t.Fatalf("sockets: %v", err)
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 4 {
				continue
			}
			ap, err := parseProcAddr(fields[1])
			if err != nil {
				f.Close()
				t.Fatalf("sockets: %s: %v", sc.Text(), err)
			}
			out = append(out, socket{Addr: ap, State: fields[3]})
		}
		f.Close()
	}
	return out
}

// parseProcAddr decodes /proc/net's "0100007F:0035" (address bytes in host
// order per 32-bit word, port in hex).
func parseProcAddr(s string) (netip.AddrPort, error) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, errors.New("no port")
	}
	raw, err := hex.DecodeString(h)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", h)
	}
	// Each 32-bit word is printed in host (little-endian) order.
	for i := 0; i < len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad port %q", p)
	}
	a, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(a.Unmap(), uint16(port)), nil
}

// listening returns the local addresses bound to port for proto: TCP
// sockets in LISTEN state, or every UDP socket.
func (ns *namespace) listening(t testing.TB, proto string, port int) []netip.Addr {
	t.Helper()
	var out []netip.Addr
	for _, s := range ns.sockets(t, proto) {
		if int(s.Addr.Port()) != port || (proto == "tcp" && s.State != "0A") {
			continue
		}
		out = append(out, s.Addr.Addr())
	}
	return out
}

// waitListen waits (bounded) until something in the namespace listens on
// proto addr ("127.0.0.53:53"), failing early with the daemon's log when
// the daemon exits first.
func (ns *namespace) waitListen(t testing.TB, d *daemon, proto, addr string, timeout time.Duration) {
	t.Helper()
	want, err := netip.ParseAddrPort(addr)
	if err != nil {
		t.Fatalf("waitListen: %v", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		for _, a := range ns.listening(t, proto, int(want.Port())) {
			if a == want.Addr() {
				return
			}
		}
		if d != nil && d.exited() {
			t.Fatalf("%s exited (%v) before listening on %s %s; log:\n%s", d.name, d.err, proto, addr, d.log())
		}
		if time.Now().After(deadline) {
			log := ""
			if d != nil {
				log = d.log()
			}
			t.Fatalf("nothing listens on %s %s after %v; log:\n%s", proto, addr, timeout, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// requireOnlyOn fails unless every socket on port for proto is bound to
// one of addrs: nothing on the wildcard, nothing on 127.0.0.1 or ::1.
// This is the "bound to the jail address and nothing else" check, read
// from the kernel rather than from the config.
func (ns *namespace) requireOnlyOn(t testing.TB, proto string, port int, addrs ...string) {
	t.Helper()
	allowed := map[netip.Addr]bool{}
	for _, a := range addrs {
		allowed[netip.MustParseAddr(a)] = true
	}
	got := ns.listening(t, proto, port)
	if len(got) == 0 {
		t.Errorf("nothing listens on %s port %d", proto, port)
	}
	for _, a := range got {
		if !allowed[a] {
			t.Errorf("%s port %d is bound to %s; want only %v", proto, port, a, addrs)
		}
	}
}

// inNamespace runs fn on an OS thread that has joined the namespace's
// network namespace. Sockets fn creates belong to the namespace and work
// from any goroutine afterwards. The thread then rejoins its original
// namespace and goes back to the scheduler. It must not simply die: the
// kernel's parent-death signal (Pdeathsig, which the holder and daemons
// use so a crashed test cannot leak them) follows the thread that forked
// a child, so ending a thread could kill a daemon some other test started
// from it. Only if the way back fails does the thread stay locked and die.
func (ns *namespace) inNamespace(fn func() error) error {
	ch := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			ch <- err
			return
		}
		defer orig.Close()
		target, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", ns.pid))
		if err != nil {
			runtime.UnlockOSThread()
			ch <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			ch <- fmt.Errorf("setns: %w", err)
			return
		}
		err = fn()
		if unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		ch <- err
	}()
	return <-ch
}

// listen opens a Go listener inside the namespace, for a test that needs
// a peer (a fake upstream, a relay host) on an address there.
func (ns *namespace) listen(network, address string) (net.Listener, error) {
	var l net.Listener
	err := ns.inNamespace(func() (err error) {
		l, err = net.Listen(network, address)
		return err
	})
	return l, err
}

// dial opens a Go socket inside the namespace and connects it to address
// (an IP literal and port); the connection works from any goroutine. Use it for
// protocol clients written in Go: an http.Transport with
// DialContext: func(...) { return ns.dial(...) }, net/smtp, or a raw banner read.
func (ns *namespace) dial(network, address string, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	err := ns.inNamespace(func() (err error) {
		c, err = net.DialTimeout(network, address, timeout)
		return err
	})
	return c, err
}

// waitLog waits (bounded) until the daemon's output contains want, such as
// named's "running" or dhcpd's "Server starting service.", failing with
// the log when the daemon exits first or the time runs out.
func (d *daemon) waitLog(t testing.TB, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(d.log(), want) {
		if d.exited() {
			t.Fatalf("%s exited (%v) before logging %q; log:\n%s", d.name, d.err, want, d.log())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not log %q within %v; log:\n%s", d.name, want, timeout, d.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestParseProcAddr pins the decoding of /proc/net addresses that
// requireOnlyOn relies on.
func TestParseProcAddr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"3500007F:0035", "127.0.0.53:53"},
		{"00000000:0050", "0.0.0.0:80"},
		{"00000000000000000000000001000000:0035", "[::1]:53"},
		{"0000000000000000FFFF00003500007F:0035", "127.0.0.53:53"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseProcAddr(tc.in)
			if err != nil || got.String() != tc.want {
				t.Fatalf("parseProcAddr(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
			}
		})
	}
	if _, err := parseProcAddr("zz:1"); err == nil {
		t.Fatal("parseProcAddr accepted garbage")
	}
}

// TestHarness proves the harness itself: a namespace is isolated from the
// host, the Go socket helpers work inside it, mounts stay private, a veth
// pair joins two namespaces, and stop ends a daemon by its PID.
func TestHarness(t *testing.T) {
	requireTool(t, "cat", "sleep")
	ns := newNamespace(t)
	ns.addAddr(t, "lo", "127.0.0.53/8")

	t.Run("sockets", func(t *testing.T) {
		l, err := ns.listen("tcp", "127.0.0.53:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		port := l.Addr().(*net.TCPAddr).Port
		go func() {
			if c, err := l.Accept(); err == nil {
				c.Write([]byte("hello\n"))
				c.Close()
			}
		}()
		ns.waitListen(t, nil, "tcp", fmt.Sprintf("127.0.0.53:%d", port), 5*time.Second)
		ns.requireOnlyOn(t, "tcp", port, "127.0.0.53")
		c, err := ns.dial("tcp", fmt.Sprintf("127.0.0.53:%d", port), 5*time.Second)
		if err != nil {
			t.Fatalf("dial inside the namespace: %v", err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if err != nil || line != "hello\n" {
			t.Fatalf("read %q, %v", line, err)
		}
		// The host's own network does not see the namespace's listener.
		if hc, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.53:%d", port), time.Second); err == nil {
			hc.Close()
			t.Fatal("the host reached a listener inside the namespace")
		}
	})

	t.Run("mounts", func(t *testing.T) {
		src, dst := t.TempDir(), t.TempDir()
		if err := os.WriteFile(filepath.Join(src, "marker"), []byte("inside\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		marker := filepath.Join(dst, "marker")
		ns.bindMount(t, src, dst)
		if out := ns.mustRun(t, 10*time.Second, "cat", marker); out != "inside\n" {
			t.Fatalf("cat %s in the namespace: %q", marker, out)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatal("the bind mount leaked onto the host")
		}
		ns.mountTmpfs(t, dst)
		if out, err := ns.run(t, 10*time.Second, "cat", marker); err == nil {
			t.Fatalf("a fresh tmpfs on %s still shows the marker: %q", dst, out)
		}
	})

	t.Run("veth", func(t *testing.T) {
		a, b := newNamespace(t), newNamespace(t)
		vethPair(t, a, b, "jk0", "jk1")
		a.addAddr(t, "jk0", "192.0.2.1/24")
		b.addAddr(t, "jk1", "192.0.2.2/24")
		l, err := a.listen("tcp", "192.0.2.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		go func() {
			if c, err := l.Accept(); err == nil {
				c.Close()
			}
		}()
		addr := fmt.Sprintf("192.0.2.1:%d", l.Addr().(*net.TCPAddr).Port)
		c, err := b.dial("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("dial %s across the veth pair: %v", addr, err)
		}
		c.Close()
		if c, err := ns.dial("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Fatal("a third namespace reached the pair")
		}
	})

	t.Run("stop by PID", func(t *testing.T) {
		d := ns.start(t, "sleep", "60")
		pid := d.cmd.Process.Pid
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
			t.Fatalf("daemon pid %d is not running: %v", pid, err)
		}
		start := time.Now()
		d.stop()
		if !d.exited() || time.Since(start) > 5*time.Second {
			t.Fatalf("stop took %v; exited=%v", time.Since(start), d.exited())
		}
	})
}
