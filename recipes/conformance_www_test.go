//go:build linux

package recipes_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/fcgi"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
)

// The www recipe's paths inside the jail.
const (
	httpdConf   = "/usr/local/etc/apache24/httpd.conf"
	wwwDocRoot  = "/usr/local/www/apache24/data"
	wwwNoAccf   = "/usr/local/etc/apache24/Includes/no-accf.conf"
	wwwSSLConf  = "/usr/local/etc/apache24/Includes/ssl.conf"
	debianMods  = "/usr/lib/apache2/modules"
	wwwMimeJail = "/usr/local/etc/apache24/mime.types"
)

// wwwLoadModuleRE is FreeBSD's form of a LoadModule line: NAME_module
// from libexec/apache24/mod_NAME.so.
var wwwLoadModuleRE = regexp.MustCompile(`^LoadModule ([a-z0-9_]+)_module libexec/apache24/mod_([a-z0-9_]+)\.so$`)

// wwwBuiltins returns the modules Debian's apache2 has compiled in, as
// LoadModule names ("log_config_module"), read from "apache2 -l" so that
// the list follows the binary rather than this file.
func wwwBuiltins(t *testing.T) map[string]bool {
	t.Helper()
	out := mustRun(t, time.Minute, "apache2", "-l")
	mods := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasSuffix(line, ".c") {
			continue
		}
		mods[strings.TrimPrefix(strings.TrimSuffix(line, ".c"), "mod_")+"_module"] = true
	}
	if !mods["so_module"] {
		t.Fatalf("apache2 -l does not list mod_so.c; cannot tell built-in modules:\n%s", out)
	}
	return mods
}

// wwwAdaptForDebian is the one change the test makes to the rendered
// httpd.conf, and it is made only here. FreeBSD builds every module
// shared, so the recipe loads log_config, unixd and the rest with
// LoadModule; Debian compiles some of them into apache2, which then
// refuses "module X is built-in and can't be loaded". The test drops
// exactly the LoadModule lines of modules "apache2 -l" lists, and checks
// every LoadModule line is in FreeBSD's form and names a module Debian
// has either built in or as a .so, so nothing else can slip through.
// (An <IfModule !X> guard in the recipe would do the same on both
// systems, but it would put a Debian workaround into every FreeBSD jail.)
func wwwAdaptForDebian(t *testing.T, root string, builtins map[string]bool) []string {
	t.Helper()
	p := filepath.Join(root, httpdConf)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var kept, dropped []string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if strings.HasPrefix(line, "LoadModule") {
			m := wwwLoadModuleRE.FindStringSubmatch(strings.TrimSpace(line))
			switch {
			case m == nil || m[1] != m[2]:
				t.Errorf("%q is not FreeBSD's LoadModule NAME_module libexec/apache24/mod_NAME.so", strings.TrimSpace(line))
			case builtins[m[1]+"_module"]:
				dropped = append(dropped, m[1]+"_module")
				continue
			default:
				if _, err := os.Stat(filepath.Join(debianMods, "mod_"+m[2]+".so")); err != nil {
					t.Errorf("%s: Apache has no such module: %v", strings.TrimSpace(line), err)
				}
			}
		}
		kept = append(kept, line)
	}
	if err := os.WriteFile(p, []byte(strings.Join(kept, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	return dropped
}

// wwwJail is a rendered www jail staged for Debian's apache2.
type wwwJail struct {
	root  string
	files []render.File
	etc   string            // holds the passwd and group files that know www
	cert  *x509.Certificate // the test certificate when tls is on
}

// stageWWW renders the www recipe and adds what the FreeBSD package would
// have installed beside the recipe's files: libexec/apache24 (Debian's
// module directory stands in), etc/apache24/mime.types, the www user and,
// for tls, a certificate and key at the paths the config names.
func stageWWW(t *testing.T, values any, builtins map[string]bool) *wwwJail {
	t.Helper()
	root, files := renderTo(t, "www", values)
	j := &wwwJail{root: root, files: files, etc: t.TempDir()}
	wwwAdaptForDebian(t, root, builtins)
	if err := os.MkdirAll(filepath.Join(root, "usr/local/libexec"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(debianMods, filepath.Join(root, "usr/local/libexec/apache24")); err != nil {
		t.Fatal(err)
	}
	mime, err := os.ReadFile("/etc/mime.types")
	if err != nil {
		t.Fatalf("Apache needs a mime.types file: %v (install media-types: bash .ci/deps)", err)
	}
	if err := os.WriteFile(filepath.Join(root, wwwMimeJail), mime, 0o644); err != nil {
		t.Fatal(err)
	}
	// FreeBSD's www user is uid and gid 80.
	for _, f := range []struct{ name, add string }{
		{"passwd", "www:x:80:80:World Wide Web Owner:/nonexistent:/usr/sbin/nologin\n"},
		{"group", "www:x:80:\n"},
	} {
		host, err := os.ReadFile(filepath.Join("/etc", f.name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(j.etc, f.name), append(host, f.add...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if ssl, err := os.ReadFile(filepath.Join(root, wwwSSLConf)); err == nil {
		j.cert = wwwCertificate(t, root, string(ssl))
	}
	return j
}

var (
	wwwCertFileRE = regexp.MustCompile(`(?m)^\s*SSLCertificateFile "([^"]+)"`)
	wwwKeyFileRE  = regexp.MustCompile(`(?m)^\s*SSLCertificateKeyFile "([^"]+)"`)
	wwwServerRE   = regexp.MustCompile(`(?m)^ServerName (\S+)`)
	wwwListenRE   = regexp.MustCompile(`(?m)^Listen (\S+)$`)
)

// wwwCertificate writes a fresh self-signed certificate and key where the
// rendered ssl.conf expects them (the admin's job on a real jail) and
// returns the certificate for the client to trust.
func wwwCertificate(t *testing.T, root, ssl string) *x509.Certificate {
	t.Helper()
	cm, km := wwwCertFileRE.FindStringSubmatch(ssl), wwwKeyFileRE.FindStringSubmatch(ssl)
	if cm == nil || km == nil {
		t.Fatalf("ssl.conf names no SSLCertificateFile or SSLCertificateKeyFile:\n%s", ssl)
	}
	conf, err := os.ReadFile(filepath.Join(root, httpdConf))
	if err != nil {
		t.Fatal(err)
	}
	host := wwwServerRE.FindStringSubmatch(string(conf))
	if host == nil {
		t.Fatalf("httpd.conf has no ServerName")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: host[1]},
		DNSNames:     []string{host[1]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path  string
		block *pem.Block
		mode  os.FileMode
	}{
		{cm[1], &pem.Block{Type: "CERTIFICATE", Bytes: der}, 0o644},
		{km[1], &pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}, 0o600},
	} {
		p := filepath.Join(root, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, pem.EncodeToMemory(f.block), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	return cert
}

// wwwNamespace makes a namespace in which Apache finds the FreeBSD paths:
// the rendered /usr/local, passwd and group that know www, and fresh
// /var/log and /run (so /var/run) directories it may write. It returns the
// host directories behind /var/log and /run, for logs and sockets.
func wwwNamespace(t *testing.T, j *wwwJail) (ns *namespace, logDir, runDir string) {
	t.Helper()
	ns = newNamespace(t)
	ns.bindMount(t, filepath.Join(j.root, "usr/local"), "/usr/local")
	ns.bindMount(t, filepath.Join(j.etc, "passwd"), "/etc/passwd")
	ns.bindMount(t, filepath.Join(j.etc, "group"), "/etc/group")
	logDir, runDir = t.TempDir(), t.TempDir()
	for _, d := range []string{logDir, runDir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ns.bindMount(t, logDir, "/var/log")
	ns.bindMount(t, runDir, "/run")
	return ns, logDir, runDir
}

// apacheCheck runs Apache's own syntax check the way rc.d/apache24 does
// in a jail with apache24_http_accept_enable="NO".
func apacheCheck(t *testing.T, ns *namespace) (string, error) {
	t.Helper()
	return ns.run(t, time.Minute, "apache2", "-t", "-DNOHTTPACCEPT", "-f", httpdConf)
}

// wwwJailAddrs lists the jail addresses of a rendered case: the
// addresses of its Listen lines must be exactly these.
func wwwJailAddrs(t *testing.T, file string) map[netip.Addr]bool {
	t.Helper()
	addrs := map[netip.Addr]bool{}
	for _, raw := range specFromArgs(t, file).IPs {
		for _, s := range strings.Split(raw, ",") {
			a, err := netip.ParseAddr(strings.SplitN(strings.TrimSpace(s), "/", 2)[0])
			if err != nil {
				t.Fatal(err)
			}
			addrs[a] = true
		}
	}
	return addrs
}

// TestWWWConformanceCheck runs "apache2 -t -DNOHTTPACCEPT" on every www
// case inside a private mount namespace that shows the rendered tree at
// /usr/local, and checks that every Listen line names a jail address and
// a port: a bare "Listen 80" would bind every address the jail can see.
func TestWWWConformanceCheck(t *testing.T) {
	requireTool(t, "apache2")
	builtins := wwwBuiltins(t)
	for _, file := range casesOf(t, "www") {
		name := strings.TrimSuffix(filepath.Base(file), ".args")
		t.Run(name, func(t *testing.T) {
			j := stageWWW(t, file, builtins)
			ns, _, _ := wwwNamespace(t, j)
			out, err := apacheCheck(t, ns)
			if err != nil || !strings.Contains(out, "Syntax OK") {
				t.Fatalf("apache2 -t rejected the rendered config: %v\n%s", err, out)
			}
			want := wwwJailAddrs(t, file)
			listens := 0
			for _, f := range j.files {
				for _, m := range wwwListenRE.FindAllStringSubmatch(string(f.Content), -1) {
					listens++
					ap, err := netip.ParseAddrPort(m[1])
					if err != nil || !want[ap.Addr()] {
						t.Errorf("%s: Listen %s is not a jail address and port (jail: %v)", f.Path, m[1], want)
					}
				}
			}
			if listens == 0 {
				t.Errorf("no Listen line in the rendered files")
			}
		})
	}
}

// TestWWWConformanceRejectsBroken proves apache2 -t can fail on this
// staging: each broken config must be refused.
func TestWWWConformanceRejectsBroken(t *testing.T) {
	requireTool(t, "apache2")
	builtins := wwwBuiltins(t)
	tests := []struct {
		name  string
		args  string
		path  string // file inside the jail to break
		edit  func(string) string
		gone  bool // delete the file instead
		wants string
	}{
		{"misspelt directive", "testdata/values/www.args", httpdConf, func(s string) string {
			return strings.Replace(s, "ServerTokens Prod", "ServerTokns Prod", 1)
		}, false, "ServerTokns"},
		{"module that does not exist", "testdata/values/www.args", httpdConf, func(s string) string {
			return strings.Replace(s, "LoadModule dir_module libexec/apache24/mod_dir.so", "LoadModule dir_module libexec/apache24/mod_nosuch.so", 1)
		}, false, "mod_nosuch.so"},
		// Includes/*.conf must match a file: with no-accf.conf gone from a
		// plain site, the Include fails, as it would on FreeBSD.
		{"no-accf.conf missing", "testdata/values/www.args", wwwNoAccf, nil, true, "Includes"},
		{"tls certificate missing", "testdata/values/www-tls-php.args", "/usr/local/etc/ssl/shop.example.org.crt", nil, true, "SSLCertificateFile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := stageWWW(t, tc.args, builtins)
			p := filepath.Join(j.root, tc.path)
			if tc.gone {
				if err := os.Remove(p); err != nil {
					t.Fatalf("the file to remove is not there; the test is stale: %v", err)
				}
			} else {
				breakFile(t, p, tc.edit)
			}
			ns, _, _ := wwwNamespace(t, j)
			out, err := apacheCheck(t, ns)
			if err == nil || strings.Contains(out, "Syntax OK") {
				t.Fatalf("apache2 -t accepted a broken config:\n%s", out)
			}
			if !strings.Contains(out, tc.wants) {
				t.Fatalf("apache2 -t failed, but not for the broken part (want %q in):\n%s", tc.wants, out)
			}
			t.Logf("rejected as expected: %s", strings.TrimSpace(out))
		})
	}
}

// fakePHP is a FastCGI responder standing in for PHP-FPM: it answers
// every request with the script PHP-FPM would run for it.
type fakePHP struct{ calls atomic.Int32 }

func (f *fakePHP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	fmt.Fprintf(w, "php-fpm would run %s", phpScript(fcgi.ProcessEnv(r)["SCRIPT_FILENAME"]))
}

// phpScript is the file PHP-FPM runs for a SCRIPT_FILENAME: like
// fpm_main.c, it strips the "proxy:fcgi://HOST[:PORT]" that Apache's
// proxy_fcgi puts in front of the path.
func phpScript(scriptFilename string) string {
	rest, ok := strings.CutPrefix(scriptFilename, "proxy:fcgi://")
	if !ok {
		return scriptFilename
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[i:]
	}
	return scriptFilename
}

// serveFakePHP serves fake on l until the test ends.
func serveFakePHP(t *testing.T, l net.Listener) *fakePHP {
	t.Helper()
	fake := &fakePHP{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = fcgi.Serve(l, fake)
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
	})
	return fake
}

// wwwClient is an HTTP client whose connections are made inside ns. With
// cert set it trusts that certificate for name.
func wwwClient(ns *namespace, name string, cert *x509.Certificate) *http.Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return ns.dial(network, addr, 5*time.Second)
		},
		DisableKeepAlives: true,
	}
	if cert != nil {
		pool := x509.NewCertPool()
		pool.AddCert(cert)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, ServerName: name}
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// wwwGet fetches url with Host set to host and returns status and body.
func wwwGet(t *testing.T, c *http.Client, url, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

// wwwRequireRefused requires that nothing accepts a TCP connection at addr
// inside ns: the kernel must answer with a reset (connection refused).
func wwwRequireRefused(t *testing.T, ns *namespace, addr string) {
	t.Helper()
	c, err := ns.dial("tcp", addr, 5*time.Second)
	if err == nil {
		c.Close()
		t.Fatalf("%s accepted a connection; only the jail address may", addr)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("%s: want connection refused, got %v", addr, err)
	}
}

// wwwIndexPage returns the rendered default page.
func wwwIndexPage(t *testing.T, j *wwwJail) string {
	t.Helper()
	for _, f := range j.files {
		if f.Path == wwwDocRoot+"/index.html" {
			return string(f.Content)
		}
	}
	t.Fatalf("the www recipe rendered no %s/index.html", wwwDocRoot)
	return ""
}

// startApache starts apache2 in the foreground (-DFOREGROUND keeps the
// parent, whose PID the harness stops, and runs the children as www, as
// on FreeBSD) and waits for every listener the test expects.
func startApache(t *testing.T, ns *namespace, logDir string, listens ...string) *daemon {
	t.Helper()
	d := ns.start(t, "apache2", "-DFOREGROUND", "-DNOHTTPACCEPT", "-f", httpdConf)
	t.Cleanup(func() {
		if t.Failed() {
			if log, err := os.ReadFile(filepath.Join(logDir, "httpd-error.log")); err == nil {
				t.Logf("/var/log/httpd-error.log:\n%s", log)
			}
		}
	})
	for _, l := range listens {
		ns.waitListen(t, d, "tcp", l, 20*time.Second)
	}
	return d
}

// wwwServeSpec is a www case moved onto a loopback jail address.
func wwwServeSpec(t *testing.T, file, ip string) render.JailSpec {
	t.Helper()
	spec := specFromArgs(t, file)
	spec.IPs = []string{ip}
	return spec
}

// requireWWWLog waits (bounded) for the access log to record want:
// Apache writes the line after it has sent the response.
func requireWWWLog(t *testing.T, logDir, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		log, err := os.ReadFile(filepath.Join(logDir, "httpd-access.log"))
		if err == nil && strings.Contains(string(log), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the access log has no line with %q (%v):\n%s", want, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWWWConformanceServe starts Apache on the rendered config in a
// private network namespace whose loopback holds the jail address, GETs
// the default page there, and proves that 127.0.0.1 in the same
// namespace is refused and that the kernel shows port 80 bound to the
// jail address only.
func TestWWWConformanceServe(t *testing.T) {
	requireTool(t, "apache2")
	const ip = "127.0.0.80"
	j := stageWWW(t, wwwServeSpec(t, "testdata/values/www.args", ip), wwwBuiltins(t))
	ns, logDir, _ := wwwNamespace(t, j)
	ns.addAddr(t, "lo", ip+"/8")
	startApache(t, ns, logDir, ip+":80")

	c := wwwClient(ns, "", nil)
	status, body := wwwGet(t, c, "http://"+ip+"/", "www.home.lan")
	if status != http.StatusOK || body != wwwIndexPage(t, j) {
		t.Fatalf("GET http://%s/: status %d, want 200 with the default page; body:\n%s", ip, status, body)
	}
	requireWWWLog(t, logDir, `"GET / HTTP/1.1" 200`)
	// Hidden files and the rest of the file system stay closed.
	if status, _ := wwwGet(t, c, "http://"+ip+"/.htaccess", "www.home.lan"); status != http.StatusForbidden {
		t.Errorf("GET /.htaccess: status %d, want 403", status)
	}
	wwwRequireRefused(t, ns, "127.0.0.1:80")
	ns.requireOnlyOn(t, "tcp", 80, ip)
	if got := ns.listening(t, "tcp", 443); len(got) != 0 {
		t.Errorf("port 443 is open (%v) without tls", got)
	}
}

// TestWWWConformanceServeTLSAndPHP serves the FAMP case: HTTPS on the
// jail address with the admin's certificate, and *.php handed to PHP-FPM
// on its unix socket. A FastCGI responder written in Go stands in for
// PHP-FPM (Debian's php-fpm is not among the test's packages); it listens
// on the socket path the config names, so the test proves Apache's
// proxy_fcgi wiring, not PHP.
func TestWWWConformanceServeTLSAndPHP(t *testing.T) {
	requireTool(t, "apache2")
	const ip = "127.0.0.81"
	const host = "shop.example.org"
	j := stageWWW(t, wwwServeSpec(t, "testdata/values/www-tls-php.args", ip), wwwBuiltins(t))
	if j.cert == nil {
		t.Fatal("the tls case rendered no Includes/ssl.conf")
	}
	if err := os.WriteFile(filepath.Join(j.root, wwwDocRoot, "info.php"), []byte("<?php echo 'hi';\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ns, logDir, runDir := wwwNamespace(t, j)
	ns.addAddr(t, "lo", ip+"/8")
	// /run in the namespace is runDir on the host, so a socket made here
	// is the /var/run/php-fpm.sock Apache connects to.
	sock := filepath.Join(runDir, "php-fpm.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(sock, 0o666); err != nil {
		t.Fatal(err)
	}
	php := serveFakePHP(t, l)
	startApache(t, ns, logDir, ip+":80", ip+":443")

	c := wwwClient(ns, host, j.cert)
	status, body := wwwGet(t, c, "https://"+ip+"/index.html", host)
	if status != http.StatusOK || body != wwwIndexPage(t, j) {
		t.Fatalf("GET https://%s/index.html: status %d, want 200 with the default page; body:\n%s", ip, status, body)
	}
	status, body = wwwGet(t, c, "https://"+ip+"/info.php", host)
	if want := "php-fpm would run " + wwwDocRoot + "/info.php"; status != http.StatusOK || body != want {
		t.Fatalf("GET https://%s/info.php: status %d body %q; want 200 %q from PHP-FPM's socket", ip, status, body, want)
	}
	// A .php name that is no file must never reach PHP.
	before := php.calls.Load()
	if status, _ := wwwGet(t, c, "http://"+ip+"/nosuch.php", host); status != http.StatusNotFound {
		t.Errorf("GET /nosuch.php: status %d, want 404", status)
	}
	if php.calls.Load() != before {
		t.Errorf("a request for a missing .php file reached PHP-FPM")
	}
	for _, port := range []string{"80", "443"} {
		wwwRequireRefused(t, ns, "127.0.0.1:"+port)
	}
	ns.requireOnlyOn(t, "tcp", 80, ip)
	ns.requireOnlyOn(t, "tcp", 443, ip)
}

// TestWWWConformanceServePHPTCP serves the php_listen=tcp case: Apache
// must reach PHP-FPM on the jail's own address and port, which the Go
// FastCGI stand-in holds inside the namespace.
func TestWWWConformanceServePHPTCP(t *testing.T) {
	requireTool(t, "apache2")
	const ip = "127.0.0.82"
	spec := wwwServeSpec(t, "testdata/values/www-php-tcp.args", ip)
	j := stageWWW(t, spec, wwwBuiltins(t))
	if err := os.WriteFile(filepath.Join(j.root, wwwDocRoot, "index.php"), []byte("<?php echo 'hi';\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var port string
	for _, s := range spec.Sets {
		if v, ok := strings.CutPrefix(s, "php_port="); ok {
			port = v
		}
	}
	if port == "" {
		t.Fatal("www-php-tcp.args sets no php_port")
	}
	ns, logDir, _ := wwwNamespace(t, j)
	ns.addAddr(t, "lo", ip+"/8")
	l, err := ns.listen("tcp", ip+":"+port)
	if err != nil {
		t.Fatal(err)
	}
	serveFakePHP(t, l)
	startApache(t, ns, logDir, ip+":80")

	// DirectoryIndex puts index.php first when php is on.
	status, body := wwwGet(t, wwwClient(ns, "", nil), "http://"+ip+"/", "blog.home.lan")
	if want := "php-fpm would run " + wwwDocRoot + "/index.php"; status != http.StatusOK || body != want {
		t.Fatalf("GET http://%s/: status %d body %q; want 200 %q from PHP-FPM at %s:%s", ip, status, body, want, ip, port)
	}
	wwwRequireRefused(t, ns, "127.0.0.1:80")
	ns.requireOnlyOn(t, "tcp", 80, ip)
}

// wwwLineCounts renders the www recipe and returns each rendered file's
// number of lines, or the input error.
func wwwLineCounts(t *testing.T, r *recipe.Recipe, spec render.JailSpec) (map[string]int, error) {
	t.Helper()
	v, err := render.NewValues(r, spec)
	if err != nil {
		if !errors.Is(err, inputerr.ErrInput) {
			t.Fatalf("bad values must be input errors: %v", err)
		}
		return nil, err
	}
	files, err := render.Render(v)
	if err != nil {
		t.Fatalf("values the parameters accepted do not render: %v (%q)", err, spec.Sets)
	}
	counts := map[string]int{}
	for _, f := range files {
		// The common base's files (/etc/rc.conf, /etc/resolv.conf, ...)
		// follow the host name by design; the recipe's own files must not.
		if !f.Dir && strings.HasPrefix(f.Path, "/usr/local/") {
			counts[f.Path] = strings.Count(string(f.Content), "\n")
		}
	}
	return counts, nil
}

// FuzzWWWValues feeds arbitrary --hostname and --set values to the www
// recipe. Whatever is accepted must render, and every file must have as
// many lines as a render with plain values and the same switches: no
// value may add a directive of its own to httpd.conf, ssl.conf or the
// PHP-FPM pool.
func FuzzWWWValues(f *testing.F) {
	f.Add("www.example.org", "ops@example.org", "/usr/local/etc/ssl/a.crt", "/usr/local/etc/ssl/a.key", true, true, "tcp", "9001")
	f.Add("w", "a@b", "/x", "/y", false, true, "socket", "1")
	f.Add("www.example.org\nListen 80", "a@b\nListen 80", "/x\"\nListen 80", "/y", true, false, "socket", "0")
	f.Add("www.example.org", "a@b.c", "/a/../b", "//", true, true, "udp", "65536")
	c, err := recipe.LoadCatalog()
	if err != nil {
		f.Fatal(err)
	}
	r, err := c.Get("www")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, host, admin, cert, key string, tls, php bool, listen, port string) {
		switches := []string{"tls=" + strconv.FormatBool(tls), "php=" + strconv.FormatBool(php), "php_listen=" + listen}
		spec := render.JailSpec{IPs: []string{"192.0.2.80", "2001:db8::80"}, Hostname: host,
			Sets: append([]string{"admin=" + admin, "tls_cert=" + cert, "tls_key=" + key, "php_port=" + port}, switches...)}
		got, err := wwwLineCounts(t, r, spec)
		if err != nil {
			return
		}
		want, err := wwwLineCounts(t, r, render.JailSpec{IPs: spec.IPs, Sets: switches})
		if err != nil {
			t.Fatal(err)
		}
		for p, n := range want {
			if got[p] != n {
				t.Errorf("%s has %d lines; a plain render has %d (hostname %q, values %q)", p, got[p], n, host, spec.Sets)
			}
		}
		if len(got) != len(want) {
			t.Errorf("rendered %d files; a plain render has %d", len(got), len(want))
		}
	})
}

// TestWWWConformanceServeDualStack serves a jail with an IPv4 and an IPv6
// address (a ULA inside the test's own namespace): the page answers on
// both, 127.0.0.1 and ::1 are refused, and port 80 is bound to the two
// jail addresses only.
func TestWWWConformanceServeDualStack(t *testing.T) {
	requireTool(t, "apache2")
	const ip4, ip6 = "127.0.0.83", "fd00:80::83"
	spec := specFromArgs(t, "testdata/values/www.args")
	spec.IPs = []string{ip4, ip6}
	j := stageWWW(t, spec, wwwBuiltins(t))
	ns, logDir, _ := wwwNamespace(t, j)
	ns.addAddr(t, "lo", ip4+"/8")
	ns.addAddr(t, "lo", ip6+"/128")
	startApache(t, ns, logDir, ip4+":80", "["+ip6+"]:80")
	c := wwwClient(ns, "", nil)
	for _, url := range []string{"http://" + ip4 + "/", "http://[" + ip6 + "]/"} {
		if status, body := wwwGet(t, c, url, "www.home.lan"); status != http.StatusOK || body != wwwIndexPage(t, j) {
			t.Errorf("GET %s: status %d, want 200 with the default page; body:\n%s", url, status, body)
		}
	}
	wwwRequireRefused(t, ns, "127.0.0.1:80")
	wwwRequireRefused(t, ns, "[::1]:80")
	ns.requireOnlyOn(t, "tcp", 80, ip4, ip6)
}
