//go:build linux

package recipes_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
)

// sshdConfig is where the base (sshd=true) and the x11 recipe put sshd's
// config inside the jail.
const sshdConfig = "/etc/ssh/sshd_config"

// sshHostKey generates an ed25519 key pair in a temp dir and returns the
// private key's path; the public key is beside it with ".pub".
func sshHostKey(t *testing.T, name string) string {
	t.Helper()
	key := filepath.Join(t.TempDir(), name)
	mustRun(t, time.Minute, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "jailkit-test", "-f", key)
	return key
}

// sshdNamespace returns a namespace in which sshd can run: a private
// tmpfs on /run holding /run/sshd (the privilege separation directory
// Debian's sshd insists on), so the host's /run is never touched.
func sshdNamespace(t *testing.T) *namespace {
	t.Helper()
	ns := newNamespace(t)
	ns.mountTmpfs(t, "/run")
	ns.mustRun(t, 10*time.Second, "mkdir", "-m", "0755", "/run/sshd")
	return ns
}

// sshdCheck runs "sshd -t" on a rendered sshd_config inside ns.
func sshdCheck(t *testing.T, ns *namespace, conf, key string) (string, error) {
	t.Helper()
	return ns.run(t, time.Minute, "sshd", "-t", "-f", conf, "-h", key)
}

// x11Spec is a jail spec for the x11 recipe; renderTo takes it directly.
func x11Spec(ips []string, sets ...string) render.JailSpec {
	return render.JailSpec{Name: "x11", IPs: ips, Sets: sets}
}

// TestX11ConformanceCheck runs "sshd -t" on the sshd_config of every x11
// case, plus an IPv6-only jail, an IPv4-and-IPv6 jail and another recipe
// with the base sshd switched on: every sshd_config jailkit can write.
func TestX11ConformanceCheck(t *testing.T) {
	requireTool(t, "sshd", "ssh-keygen")
	key := sshHostKey(t, "host_ed25519")
	ns := sshdNamespace(t)
	type tcase struct {
		name   string
		recipe string
		values any
	}
	var cases []tcase
	for _, file := range casesOf(t, "x11") {
		cases = append(cases, tcase{strings.TrimSuffix(filepath.Base(file), ".args"), "x11", file})
	}
	cases = append(cases,
		tcase{"ipv6 only", "x11", x11Spec([]string{"2001:db8::70"})},
		tcase{"forwarding off", "x11", x11Spec([]string{"192.0.2.70"}, "x11_forwarding=false")},
		tcase{"base sshd in the dns jail", "dns", render.JailSpec{IPs: []string{"192.0.2.53"}, Sets: []string{"sshd=true", "sshd_port=2253"}}},
		tcase{"base sshd in the linux jail", "linux", "testdata/values/linux-sshd.args"},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root, _ := renderTo(t, tc.recipe, tc.values)
			if out, err := sshdCheck(t, ns, filepath.Join(root, sshdConfig), key); err != nil {
				t.Fatalf("sshd -t refused the rendered %s: %v\n%s", sshdConfig, err, out)
			}
		})
	}
}

// TestX11ConformanceRejectsBroken proves "sshd -t" can fail on what the
// recipe writes. FreeBSD-only options such as UseBlacklist are among the
// breakages: Debian's sshd refuses them, which is why jailkit leaves them
// out rather than trusting a check that cannot see them.
func TestX11ConformanceRejectsBroken(t *testing.T) {
	requireTool(t, "sshd", "ssh-keygen")
	key := sshHostKey(t, "host_ed25519")
	ns := sshdNamespace(t)
	tests := []struct {
		name string
		edit func(string) string
	}{
		{"bad value", func(s string) string {
			return strings.Replace(s, "PermitRootLogin no", "PermitRootLogin nope", 1)
		}},
		{"unknown option", func(s string) string {
			return strings.Replace(s, "X11Forwarding yes", "X11Forwardin yes", 1)
		}},
		{"FreeBSD-only UseBlacklist", func(s string) string { return s + "UseBlacklist yes\n" }},
		{"port out of range", func(s string) string {
			return strings.Replace(s, "Port 22\n", "Port 65536\n", 1)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, _ := renderTo(t, "x11", "testdata/values/x11.args")
			p := filepath.Join(root, sshdConfig)
			breakFile(t, p, tc.edit)
			out, err := sshdCheck(t, ns, p, key)
			if err == nil {
				t.Fatalf("sshd -t accepted a broken %s:\n%s", sshdConfig, out)
			}
			t.Logf("rejected as expected: %s", strings.TrimSpace(out))
		})
	}
}

// TestX11Config pins the settings the recipe exists for, in every case:
// sshd only on the jail's addresses, no root login, X11 forwarding with
// the port's xauth, and an AddressFamily that keeps X11 forwarding alive
// in a jail without IPv6.
func TestX11Config(t *testing.T) {
	for _, file := range casesOf(t, "x11") {
		name := strings.TrimSuffix(filepath.Base(file), ".args")
		t.Run(name, func(t *testing.T) {
			spec := specFromArgs(t, file)
			root, files := renderTo(t, "x11", spec)
			// The base (sshd=true) and the recipe both name sshd_config;
			// exactly one of them may write it.
			n := 0
			for _, f := range files {
				if f.Path == sshdConfig {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s is rendered %d times, want once", sshdConfig, n)
			}
			conf := sshdKeywords(t, filepath.Join(root, sshdConfig))
			var v4, v6 []string
			for _, ip := range spec.IPs {
				for _, a := range strings.Split(ip, ",") {
					addr := netip.MustParseAddr(strings.Split(a, "/")[0])
					if addr.Is4() {
						v4 = append(v4, addr.String())
					} else {
						v6 = append(v6, addr.String())
					}
				}
			}
			if got, want := conf["listenaddress"], append(v4, v6...); !slices.Equal(got, want) {
				t.Errorf("ListenAddress %v, want exactly the jail's addresses %v", got, want)
			}
			want := map[string]string{"permitrootlogin": "no", "x11forwarding": "yes",
				"x11uselocalhost": "yes", "xauthlocation": "/usr/local/bin/xauth"}
			switch {
			case len(v6) == 0:
				want["addressfamily"] = "inet"
			case len(v4) == 0:
				want["addressfamily"] = "inet6"
			}
			for k, v := range want {
				if got := conf[k]; len(got) != 1 || got[0] != v {
					t.Errorf("%s = %v, want %s", k, got, v)
				}
			}
			if _, ok := conf["useblacklist"]; ok {
				t.Error("UseBlacklist is FreeBSD-only; leave it to the FreeBSD default")
			}
			vars := readRCConf(t, filepath.Join(root, "etc/rc.conf"))
			if vars["sshd_enable"] != "YES" {
				t.Errorf("rc.conf sshd_enable = %q, want YES", vars["sshd_enable"])
			}
		})
	}
}

// sshdKeywords reads an sshd_config into lower-case keyword -> values.
func sshdKeywords(t *testing.T, file string) map[string][]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		k := strings.ToLower(fields[0])
		out[k] = append(out[k], strings.Join(fields[1:], " "))
	}
	return out
}

// TestX11RejectsBadApps requires a clear input error for an apps entry
// that is not a package name: install hands these to pkg.
func TestX11RejectsBadApps(t *testing.T) {
	for _, apps := range []string{"xterm xclock", "../xterm", "-rf"} {
		_, err := tryRender(t, "x11", x11Spec([]string{"192.0.2.70"}, "apps="+apps))
		if err == nil || !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "--set apps") {
			t.Errorf("apps=%q: got %v, want an input error naming --set apps", apps, err)
		}
	}
}

// tryRender renders like renderFiles but returns the error.
func tryRender(t *testing.T, recipeName string, spec render.JailSpec) ([]render.File, error) {
	t.Helper()
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
		return nil, err
	}
	return render.Render(v)
}

// x11DisplayRE finds the display sshd set for the session.
var x11DisplayRE = regexp.MustCompile(`(?m)^DISPLAY=localhost:(\d+)\.0$`)

// TestX11ConformanceServe starts sshd on the rendered x11 config in a
// private namespace whose jail address is 127.0.0.70, and proves: the
// banner and host key answer on the jail address; nothing answers on
// 127.0.0.1:22; and a real "ssh -Y" login (the article's
// ForwardX11Trusted client) gets an X11 display: sshd sets DISPLAY,
// runs xauth from XAuthLocation to store the session's cookie, and
// listens for X clients on the display port while the session lasts.
//
// The login user exists only in the namespace: /etc/passwd is
// bind-mounted there with one more line, and the user's home is a temp
// dir. /usr/local/bin/xauth (the FreeBSD path in XAuthLocation) is a
// link to Debian's xauth on a namespace-private tmpfs.
func TestX11ConformanceServe(t *testing.T) {
	requireTool(t, "sshd", "ssh", "ssh-keygen", "ssh-keyscan", "xauth", "ln")
	const jailIP = "127.0.0.70"
	root, _ := renderTo(t, "x11", x11Spec([]string{jailIP}, "apps=xterm"))
	hostKey := sshHostKey(t, "host_ed25519")
	userKey := sshHostKey(t, "id_ed25519")

	// The login user, known only inside the namespace.
	const user, uid = "jkx11", 64970
	home := t.TempDir()
	if err := os.Chmod(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile(userKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".ssh/authorized_keys"), pub, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{home, filepath.Join(home, ".ssh"), filepath.Join(home, ".ssh/authorized_keys")} {
		if err := os.Chown(p, uid, 65534); err != nil {
			t.Fatal(err)
		}
	}
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(passwd), user+":") {
		t.Fatalf("/etc/passwd already has %s", user)
	}
	fakePasswd := filepath.Join(t.TempDir(), "passwd")
	line := fmt.Sprintf("%s:*:%d:65534:jailkit x11 test:%s:/bin/sh\n", user, uid, home)
	if err := os.WriteFile(fakePasswd, append(passwd, line...), 0o644); err != nil {
		t.Fatal(err)
	}

	ns := sshdNamespace(t)
	ns.addAddr(t, "lo", jailIP+"/8")
	ns.bindMount(t, fakePasswd, "/etc/passwd")
	ns.mountTmpfs(t, "/usr/local/bin")
	ns.mustRun(t, 10*time.Second, "ln", "-s", toolPath(t, "xauth"), "/usr/local/bin/xauth")

	d := ns.start(t, "sshd", "-D", "-e", "-f", filepath.Join(root, sshdConfig), "-h", hostKey)
	ns.waitListen(t, d, "tcp", jailIP+":22", 20*time.Second)
	ns.requireOnlyOn(t, "tcp", 22, jailIP)

	// The banner on the jail address, and nothing on 127.0.0.1.
	conn, err := ns.dial("tcp", jailIP+":22", 5*time.Second)
	if err != nil {
		t.Fatalf("connect to %s:22: %v", jailIP, err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	banner, err := bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	if err != nil || !strings.HasPrefix(banner, "SSH-2.0-") {
		t.Fatalf("banner from %s:22 is %q (%v), want SSH-2.0-...", jailIP, banner, err)
	}
	if c, err := ns.dial("tcp", "127.0.0.1:22", 2*time.Second); err == nil {
		c.Close()
		t.Fatal("127.0.0.1:22 accepted a connection; sshd must listen on the jail address only")
	}

	// ssh-keyscan sees the host key the test generated.
	hostPub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	scan := ns.mustRun(t, 30*time.Second, "ssh-keyscan", "-T", "5", "-t", "ed25519", jailIP)
	if want := strings.Fields(string(hostPub))[1]; !strings.Contains(scan, want) {
		t.Fatalf("ssh-keyscan %s did not return the host key %s:\n%s", jailIP, want, scan)
	}

	out := x11Login(t, ns, userKey, user+"@"+jailIP)
	m := x11DisplayRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the session got no X11 display (want DISPLAY=localhost:N.0):\n%s", out)
	}
	if !regexp.MustCompile(`(?m)/unix:` + m[1] + `\s+MIT-MAGIC-COOKIE-1\s+[0-9a-f]{32}$`).MatchString(out) {
		t.Errorf("xauth list shows no MIT-MAGIC-COOKIE-1 for display %s; XAuthLocation did not run:\n%s", m[1], out)
	}
	// The display proxy: 127.0.0.1 port 6000+N, listening (state 0A),
	// in the session's own /proc/net/tcp.
	port := fmt.Sprintf("0100007F:%04X", 6000+atoiOr(m[1], -6000))
	if !regexp.MustCompile(`(?m)^\s*\d+: ` + port + ` 00000000:0000 0A `).MatchString(out) {
		t.Errorf("no X11 proxy listening on 127.0.0.1:%d during the session (X11UseLocalhost yes):\n%s", 6000+atoiOr(m[1], -6000), out)
	}
	if d.exited() {
		t.Fatalf("sshd exited: %v\n%s", d.err, d.log())
	}

	// The control: the same login to the config rendered with
	// x11_forwarding=false, on a second jail address, gets no display.
	const offIP = "127.0.0.71"
	offRoot, _ := renderTo(t, "x11", x11Spec([]string{offIP}, "apps=xterm", "x11_forwarding=false"))
	ns.addAddr(t, "lo", offIP+"/8")
	off := ns.start(t, "sshd", "-D", "-e", "-f", filepath.Join(offRoot, sshdConfig), "-h", hostKey)
	ns.waitListen(t, off, "tcp", offIP+":22", 20*time.Second)
	out = x11Login(t, ns, userKey, user+"@"+offIP)
	if x11DisplayRE.MatchString(out) || !strings.Contains(out, "X11 forwarding request failed") {
		t.Errorf("with x11_forwarding=false the login still got an X11 display, or ssh did not say it was refused:\n%s", out)
	}
}

// x11Login logs in to target ("user@ADDR") from inside ns with "ssh -Y"
// (the article's ForwardX11Trusted client) and returns what the session
// printed: its DISPLAY, "xauth list" and its /proc/net/tcp. DISPLAY=:0 on
// the client needs no X server: the client only forwards, with fake
// cookie data since there is no X authority, as it says.
func x11Login(t *testing.T, ns *namespace, key, target string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := ns.cmd(ctx, t, "ssh", "-F", "/dev/null", "-Y", "-i", key,
		"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "XAuthLocation="+toolPath(t, "xauth"),
		target,
		`echo "DISPLAY=$DISPLAY"; xauth list; cat /proc/net/tcp`)
	cmd.Env = append(cmd.Env, "DISPLAY=:0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ssh -Y %s: %v\n%s", target, err, out)
	}
	return string(out)
}

// atoiOr parses s, or returns def.
func atoiOr(s string, def int) int {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil {
		return def
	}
	return n
}
