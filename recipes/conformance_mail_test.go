//go:build linux

package recipes_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"golang.org/x/sys/unix"
)

// postfixDir is where the mail recipe puts Postfix's config inside the jail.
const postfixDir = "/usr/local/etc/postfix"

// mailPostconf runs postconf on the host and returns its standard output. It
// fails on a non-zero exit and on any "warning:" on standard error:
// postconf exits 0 when main.cf has a misspelt parameter and only warns.
func mailPostconf(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := command(ctx, t, append([]string{"postconf"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return stdout.String(), fmt.Errorf("postconf timed out: %w", ctx.Err())
	}
	if err != nil {
		return stdout.String(), fmt.Errorf("postconf %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	if strings.Contains(stderr.String(), "warning:") {
		return stdout.String(), fmt.Errorf("postconf %s warned: %s", strings.Join(args, " "), stderr.String())
	}
	return stdout.String(), nil
}

// mailPostconfValue returns one parameter's value as Postfix reads it from dir.
func mailPostconfValue(t *testing.T, dir, name string) string {
	t.Helper()
	out, err := mailPostconf(t, "-c", dir, "-h", name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// mailDialFrom is namespace.dial with the local address chosen, to connect as a
// client other than the jail itself.
func mailDialFrom(ns *namespace, local, address string, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	err := ns.inNamespace(func() error {
		la, err := net.ResolveTCPAddr("tcp", local)
		if err != nil {
			return err
		}
		c, err = (&net.Dialer{LocalAddr: la, Timeout: timeout}).Dial("tcp", address)
		return err
	})
	return c, err
}

// mailOpenPTY returns the two ends of a new pseudo-terminal. The controller
// end is non-blocking so that closing it ends a pending read.
func mailOpenPTY() (ctrl, tty *os.File, err error) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open /dev/ptmx: %w", err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		unix.Close(fd)
		return nil, nil, fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		unix.Close(fd)
		return nil, nil, fmt.Errorf("pty number: %w", err)
	}
	ctrl = os.NewFile(uintptr(fd), "/dev/ptmx")
	tty, err = os.OpenFile("/dev/pts/"+strconv.FormatUint(uint64(n), 10), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		ctrl.Close()
		return nil, nil, err
	}
	return ctrl, tty, nil
}

// postfixRun runs a Postfix command inside ns with its standard error on a
// pseudo-terminal. Postfix commands write their messages ("fatal: no
// local interface found for ...") to syslog only, unless standard error
// is a terminal; this namespace has no syslog, so without the terminal a
// failing "postfix check" would say nothing at all.
func postfixRun(t *testing.T, ns *namespace, timeout time.Duration, argv ...string) (string, error) {
	t.Helper()
	ctrl, tty, err := mailOpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer ctrl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := ns.cmd(ctx, t, argv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, tty
	if err := cmd.Start(); err != nil {
		tty.Close()
		t.Fatalf("start %s: %v", argv[0], err)
	}
	tty.Close() // the child holds its own copy
	var logged bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(&logged, ctrl) // ends with EIO once every copy of tty is closed
	}()
	err = cmd.Wait()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		ctrl.Close() // a stray process kept the terminal; stop reading
		<-done
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("%s timed out after %v: %w", argv[0], timeout, ctx.Err())
	}
	return strings.ReplaceAll(logged.String(), "\r\n", "\n") + out.String(), err
}

// mailNamespace makes a namespace for Postfix: the given addresses on
// lo, a private /var (postfix check creates queue directories; delivery
// writes mailboxes), and the directories the package would have created
// there: the queue, the data directory's parent and the mail spool.
func mailNamespace(t *testing.T, dir string, addrs ...string) *namespace {
	t.Helper()
	ns := newNamespace(t)
	for _, a := range addrs {
		ns.addAddr(t, "lo", a)
	}
	ns.mountTmpfs(t, "/var")
	spool := mailPostconfValue(t, dir, "mail_spool_directory")
	ns.mustRun(t, 10*time.Second, "mkdir", "-p",
		mailPostconfValue(t, dir, "queue_directory"),
		filepath.Dir(mailPostconfValue(t, dir, "data_directory")),
		spool)
	ns.mustRun(t, 10*time.Second, "chmod", "1777", spool)
	return ns
}

// postfixCheck runs "postfix -c DIR check" in ns and fails on an error or
// on any warning or fatal message.
func postfixCheck(t *testing.T, ns *namespace, dir string) (string, error) {
	t.Helper()
	out, err := postfixRun(t, ns, time.Minute, "postfix", "-c", dir, "check")
	if err == nil && (strings.Contains(out, "warning:") || strings.Contains(out, "fatal:")) {
		err = errors.New("postfix check complained")
	}
	return out, err
}

// mailJailAddrs returns the jail addresses of an args file, each with the
// prefix length for lo (a /32 or /128: only the address itself).
func mailJailAddrs(t *testing.T, spec render.JailSpec) (addrs []string, cidrs []string) {
	t.Helper()
	for _, raw := range spec.IPs {
		for _, s := range strings.Split(raw, ",") {
			a, err := netip.ParseAddr(strings.SplitN(strings.TrimSpace(s), "/", 2)[0])
			if err != nil {
				t.Fatal(err)
			}
			addrs = append(addrs, a.String())
			cidrs = append(cidrs, netip.PrefixFrom(a, a.BitLen()).String())
		}
	}
	return addrs, cidrs
}

// mailRCConf returns the rendered /etc/rc.conf as name -> value.
func mailRCConf(t *testing.T, files []render.File) map[string]string {
	t.Helper()
	for _, f := range files {
		if f.Path != "/etc/rc.conf" {
			continue
		}
		vars := map[string]string{}
		for _, line := range strings.Split(string(f.Content), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
				vars[k] = strings.Trim(v, `"`)
			}
		}
		return vars
	}
	t.Fatal("no /etc/rc.conf rendered")
	return nil
}

// TestMailConformanceCheck runs Postfix's own checks on every mail case:
// postconf -n and -M read main.cf and master.cf without a single warning,
// Postfix reads inet_interfaces back as exactly the jail's addresses, and
// "postfix check" passes in a private namespace that has those addresses
// on lo. It also checks that the jail's rc.conf keeps sendmail fully off
// and that the recipe asks the host for the same.
func TestMailConformanceCheck(t *testing.T) {
	requireTool(t, "postconf", "postfix")
	c, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Get("mail")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Host.SendmailOff {
		t.Error("the mail recipe does not ask the host to turn sendmail off (host: sendmail_off: true)")
	}
	for _, file := range casesOf(t, "mail") {
		name := strings.TrimSuffix(filepath.Base(file), ".args")
		t.Run(name, func(t *testing.T) {
			spec := specFromArgs(t, file)
			root, files := renderTo(t, "mail", spec)
			dir := filepath.Join(root, postfixDir)
			if _, err := mailPostconf(t, "-c", dir, "-n"); err != nil {
				t.Fatal(err)
			}
			master, err := mailPostconf(t, "-c", dir, "-M")
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`(?m)^smtp +inet +n +- +n +- +- +smtpd$`).MatchString(master) {
				t.Errorf("master.cf has no smtp inet service:\n%s", master)
			}
			addrs, cidrs := mailJailAddrs(t, spec)
			got := strings.FieldsFunc(mailPostconfValue(t, dir, "inet_interfaces"), func(r rune) bool { return r == ',' || r == ' ' })
			if !slices.Equal(got, addrs) {
				t.Errorf("Postfix reads inet_interfaces as %q; want exactly the jail's %q", got, addrs)
			}
			ns := mailNamespace(t, dir, cidrs...)
			if out, err := postfixCheck(t, ns, dir); err != nil {
				t.Fatalf("postfix check: %v\n%s", err, out)
			}
			rc := mailRCConf(t, files)
			for k, want := range map[string]string{"postfix_enable": "YES", "sendmail_enable": "NONE",
				"sendmail_submit_enable": "NO", "sendmail_outbound_enable": "NO", "sendmail_msp_queue_enable": "NO"} {
				if rc[k] != want {
					t.Errorf("rc.conf %s=%q; want %q", k, rc[k], want)
				}
			}
		})
	}
}

// TestMailConformanceRejectsBroken proves each Postfix check can fail: a
// misspelt parameter (postconf only warns), a malformed master.cf line,
// and an inet_interfaces address that is on no interface.
func TestMailConformanceRejectsBroken(t *testing.T) {
	requireTool(t, "postconf", "postfix")
	tests := []struct {
		name  string
		file  string // inside postfixDir
		edit  func(string) string
		check string // postconf-n, postconf-M or postfix-check
		wants string
	}{
		{"misspelt parameter", "main.cf", func(s string) string {
			return strings.Replace(s, "\ninet_interfaces =", "\ninet_interface =", 1)
		}, "postconf-n", "unused parameter: inet_interface="},
		{"bad master.cf line", "master.cf", func(s string) string {
			return s + "submission inet n - n\n"
		}, "postconf-M", "bad field count"},
		{"address on no interface", "main.cf", func(s string) string {
			return strings.Replace(s, "\ninet_interfaces = 192.0.2.25\n", "\ninet_interfaces = 192.0.2.99\n", 1)
		}, "postfix-check", "no local interface found for 192.0.2.99"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, _ := renderTo(t, "mail", "testdata/values/mail.args")
			dir := filepath.Join(root, postfixDir)
			breakFile(t, filepath.Join(dir, tc.file), tc.edit)
			var out string
			var err error
			switch tc.check {
			case "postconf-n":
				_, err = mailPostconf(t, "-c", dir, "-n")
			case "postconf-M":
				_, err = mailPostconf(t, "-c", dir, "-M")
			case "postfix-check":
				ns := mailNamespace(t, dir, "192.0.2.25/32")
				out, err = postfixCheck(t, ns, dir)
			}
			if err == nil {
				t.Fatalf("%s accepted a broken %s:\n%s", tc.check, tc.file, out)
			}
			if msg := err.Error() + out; !strings.Contains(msg, tc.wants) {
				t.Fatalf("%s failed, but not for the broken part (want %q in): %s", tc.check, tc.wants, msg)
			}
			t.Logf("rejected as expected: %v %s", err, strings.TrimSpace(out))
		})
	}
}

// mailSMTP is a minimal SMTP client for the tests: one command, one
// reply, and the reply checked against the code expected.
type mailSMTP struct {
	t  *testing.T
	tp *textproto.Conn
}

func newMailSMTP(t *testing.T, c net.Conn) *mailSMTP {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	s := &mailSMTP{t: t, tp: textproto.NewConn(c)}
	t.Cleanup(func() { s.tp.Close() })
	s.expect(220)
	return s
}

// expect reads a reply and fails unless its code is want.
func (s *mailSMTP) expect(want int) string {
	s.t.Helper()
	code, msg, err := s.tp.ReadResponse(want)
	if err != nil {
		s.t.Fatalf("SMTP: want %d, got %d %s (%v)", want, code, msg, err)
	}
	return fmt.Sprintf("%d %s", code, msg)
}

// cmd sends one command and returns the reply's code and text.
func (s *mailSMTP) cmd(format string, args ...any) (int, string) {
	s.t.Helper()
	if err := s.tp.PrintfLine(format, args...); err != nil {
		s.t.Fatalf("SMTP %s: %v", format, err)
	}
	code, msg, err := s.tp.ReadResponse(0)
	if err != nil {
		s.t.Fatalf("SMTP %s: %v", fmt.Sprintf(format, args...), err)
	}
	return code, msg
}

// must sends one command and fails unless the reply code is want.
func (s *mailSMTP) must(want int, format string, args ...any) string {
	s.t.Helper()
	code, msg := s.cmd(format, args...)
	if code != want {
		s.t.Fatalf("SMTP %s: got %d %s; want %d", fmt.Sprintf(format, args...), code, msg, want)
	}
	return fmt.Sprintf("%d %s", code, msg)
}

// send runs a whole SMTP transaction and returns the final reply to DATA,
// which must be 250.
func (s *mailSMTP) send(from, to, subject string) string {
	s.t.Helper()
	s.must(250, "EHLO client.example.net")
	s.must(250, "MAIL FROM:<%s>", from)
	s.must(250, "RCPT TO:<%s>", to)
	s.must(354, "DATA")
	w := s.tp.DotWriter()
	fmt.Fprintf(w, "From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n\r\nSent by jailkit's conformance test.\r\n", from, to, subject)
	if err := w.Close(); err != nil {
		s.t.Fatalf("SMTP DATA: %v", err)
	}
	reply := s.expect(250)
	s.must(221, "QUIT")
	return reply
}

// startPostfix starts Postfix's master in the foreground inside ns (-d:
// no detaching, so the PID the harness stops is master itself), after
// "postfix check" has created the queue like "postfix start" would.
func startPostfix(t *testing.T, ns *namespace, dir, ip string) *daemon {
	t.Helper()
	if out, err := postfixCheck(t, ns, dir); err != nil {
		t.Fatalf("postfix check: %v\n%s", err, out)
	}
	master := filepath.Join(mailPostconfValue(t, dir, "daemon_directory"), "master")
	d := ns.start(t, master, "-c", dir, "-d")
	ns.waitListen(t, d, "tcp", ip+":25", 20*time.Second)
	return d
}

// TestMailConformanceServe starts Postfix on the rendered config in a
// private network and mount namespace whose loopback holds the jail
// address. An SMTP session to the jail address for a local user ends in
// "250 ... queued" and the message lands in the mailbox; a client from
// 127.0.0.1 may not relay; 127.0.0.1:25 is refused; and the kernel shows
// port 25 bound to the jail address only.
func TestMailConformanceServe(t *testing.T) {
	requireTool(t, "postconf", "postfix")
	const ip = "127.0.0.25"
	spec := specFromArgs(t, "testdata/values/mail.args")
	spec.IPs = []string{ip}
	root, _ := renderTo(t, "mail", spec)
	dir := filepath.Join(root, postfixDir)
	ns := mailNamespace(t, dir, ip+"/8")
	startPostfix(t, ns, dir, ip)

	conn, err := ns.dial("tcp", ip+":25", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	subject := fmt.Sprintf("jailkit conformance %d", time.Now().UnixNano())
	reply := newMailSMTP(t, conn).send("sender@example.net", "root@home.lan", subject)
	if !strings.Contains(reply, "queued") {
		t.Fatalf("DATA reply %q does not say the message was queued", reply)
	}
	t.Logf("SMTP to %s:25: %s", ip, reply)

	// Local delivery: the mailbox in the namespace's private /var.
	mbox := fmt.Sprintf("/proc/%d/root%s/root", ns.pid, mailPostconfValue(t, dir, "mail_spool_directory"))
	deadline := time.Now().Add(30 * time.Second)
	for {
		data, _ := os.ReadFile(mbox)
		if bytes.Contains(data, []byte("Subject: "+subject)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the message was queued but never reached root's mailbox:\n%s", data)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// mynetworks is the jail alone: a client at 127.0.0.1 may send to
	// local users but not relay.
	conn, err = mailDialFrom(ns, "127.0.0.1:0", ip+":25", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := newMailSMTP(t, conn)
	c.must(250, "EHLO outsider.example.net")
	c.must(250, "MAIL FROM:<outsider@example.net>")
	if code, msg := c.cmd("RCPT TO:<victim@example.com>"); code < 500 || !strings.Contains(msg, "Relay access denied") {
		t.Fatalf("relaying for 127.0.0.1: got %d %s; want 554 Relay access denied", code, msg)
	}

	wwwRequireRefused(t, ns, "127.0.0.1:25")
	ns.requireOnlyOn(t, "tcp", 25, ip)
}

// mailSink is a tiny SMTP server standing in for the relayhost: it
// accepts one message and records who connected and what they sent.
type mailSink struct {
	mu     sync.Mutex
	remote string
	rcpts  []string
	data   string
	got    chan struct{}
}

func (s *mailSink) serve(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go s.session(c)
	}
}

func (s *mailSink) session(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 relay.test ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250 relay.test")
		case "MAIL":
			_ = tp.PrintfLine("250 2.1.0 Ok")
		case "RCPT":
			s.mu.Lock()
			s.rcpts = append(s.rcpts, strings.TrimPrefix(line[5:], "TO:"))
			s.mu.Unlock()
			_ = tp.PrintfLine("250 2.1.5 Ok")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			body, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.remote, s.data = c.RemoteAddr().String(), string(body)
			s.mu.Unlock()
			_ = tp.PrintfLine("250 2.0.0 Ok: relayed")
			select {
			case s.got <- struct{}{}:
			default:
			}
		case "QUIT":
			_ = tp.PrintfLine("221 2.0.0 Bye")
			return
		default:
			_ = tp.PrintfLine("250 Ok")
		}
	}
}

// TestMailConformanceRelay sends through the relayhost: the mail-relay
// case, moved onto 127.0.0.25 with the smart host at 127.0.0.26 (a Go
// SMTP sink inside the namespace). The sink must see the message arrive
// from the jail's own address, which is what smtp_bind_address promises.
func TestMailConformanceRelay(t *testing.T) {
	requireTool(t, "postconf", "postfix")
	const ip, relay = "127.0.0.25", "127.0.0.26"
	spec := specFromArgs(t, "testdata/values/mail-relay.args")
	spec.IPs = []string{ip}
	spec.Sets = append(spec.Sets, "relayhost="+relay, "relay_port=2525")
	root, _ := renderTo(t, "mail", spec)
	dir := filepath.Join(root, postfixDir)
	if got := mailPostconfValue(t, dir, "relayhost"); got != "["+relay+"]:2525" {
		t.Fatalf("relayhost reads %q", got)
	}
	ns := mailNamespace(t, dir, ip+"/8", relay+"/8")
	l, err := ns.listen("tcp", relay+":2525")
	if err != nil {
		t.Fatal(err)
	}
	sink := &mailSink{got: make(chan struct{}, 1)}
	go sink.serve(l)
	t.Cleanup(func() { l.Close() })
	startPostfix(t, ns, dir, ip)

	// A program in the jail connects from the jail's address, which
	// mynetworks trusts to relay.
	conn, err := mailDialFrom(ns, ip+":0", ip+":25", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	subject := fmt.Sprintf("jailkit relay %d", time.Now().UnixNano())
	newMailSMTP(t, conn).send("office@example.org", "someone@example.com", subject)
	select {
	case <-sink.got:
	case <-time.After(30 * time.Second):
		t.Fatal("the message never reached the relayhost")
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	host, _, _ := net.SplitHostPort(sink.remote)
	if host != ip {
		t.Errorf("Postfix relayed from %s; want the jail address %s (smtp_bind_address)", host, ip)
	}
	if !slices.Contains(sink.rcpts, "<someone@example.com>") || !strings.Contains(sink.data, "Subject: "+subject) {
		t.Errorf("the relayhost got recipients %q and data:\n%s", sink.rcpts, sink.data)
	}
	ns.requireOnlyOn(t, "tcp", 25, ip)
}

// mailParams returns the parameter names main.cf sets, failing on any
// line that is neither a comment, blank, nor "name = value".
func mailParams(t *testing.T, files []render.File) []string {
	t.Helper()
	var names []string
	for _, f := range files {
		if f.Path != postfixDir+"/main.cf" {
			continue
		}
		for _, line := range strings.Split(string(f.Content), "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			m := mailParamRE.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("main.cf line %q is not NAME = VALUE:\n%s", line, f.Content)
			}
			names = append(names, m[1])
		}
		return names
	}
	t.Fatal("no main.cf rendered")
	return nil
}

var mailParamRE = regexp.MustCompile(`^([a-z0-9_]+) = ([^\s].*[^\s]|[^\s])$`)

// FuzzMailValues feeds arbitrary --set values to the mail recipe. Whatever
// the typed parameters accept must render, and main.cf must still set
// exactly the parameters a plain render sets (plus relayhost when one is
// given): no value may add a line or a parameter of its own.
func FuzzMailValues(f *testing.F) {
	f.Add("example.org", "example.net", "192.0.2.0/24,2001:db8::/64", "smtp.example.net", "587", "10")
	f.Add("a.b", "", "", "", "25", "0")
	f.Add("x\nrelayhost = evil", "a,,b", "10.0.0.0/8", "relay.example\n", "0", "-1")
	f.Add("example.org", "example.net, example.com", "::/0", "192.0.2.1", "65535", "65535")
	c, err := recipe.LoadCatalog()
	if err != nil {
		f.Fatal(err)
	}
	r, err := c.Get("mail")
	if err != nil {
		f.Fatal(err)
	}
	render := func(t *testing.T, sets []string) ([]render.File, error) {
		v, err := render.NewValues(r, render.JailSpec{IPs: []string{"192.0.2.25", "2001:db8::25"}, Sets: sets})
		if err != nil {
			if !errors.Is(err, inputerr.ErrInput) {
				t.Fatalf("bad values must be input errors: %v", err)
			}
			return nil, err
		}
		files, err := render.Render(v)
		if err != nil {
			t.Fatalf("values the parameters accepted do not render: %v (%q)", err, sets)
		}
		return files, nil
	}
	f.Fuzz(func(t *testing.T, domain, dests, nets, relay, port, prio string) {
		sets := []string{"domain=" + domain, "destinations=" + dests, "mynetworks=" + nets,
			"relay_port=" + port, "mx_priority=" + prio}
		if relay != "" {
			sets = append(sets, "relayhost="+relay)
		}
		files, err := render(t, sets)
		if err != nil {
			return
		}
		ref := []string{}
		if relay != "" {
			ref = append(ref, "relayhost=smtp.example.net")
		}
		want, err := render(t, ref)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := mailParams(t, files), mailParams(t, want); !slices.Equal(got, want) {
			t.Fatalf("main.cf sets %q; a plain render sets %q (values %q)", got, want, sets)
		}
	})
}

// TestMailConformanceServeDualStack serves the mail-relay case (both
// address families, inet_protocols = ipv4, ipv6) on 127.0.0.27 and a ULA
// inside the test's own namespace: SMTP over IPv6 to the jail's IPv6
// address ends in 250 queued, ::1 and 127.0.0.1 are refused, and port 25
// is bound to the two jail addresses only.
func TestMailConformanceServeDualStack(t *testing.T) {
	requireTool(t, "postconf", "postfix")
	const ip4, ip6 = "127.0.0.27", "fd00:25::27"
	spec := specFromArgs(t, "testdata/values/mail-relay.args")
	spec.IPs = []string{ip4, ip6}
	root, _ := renderTo(t, "mail", spec)
	dir := filepath.Join(root, postfixDir)
	if got := mailPostconfValue(t, dir, "inet_protocols"); got != "ipv4, ipv6" {
		t.Fatalf("inet_protocols reads %q; want both families", got)
	}
	ns := mailNamespace(t, dir, ip4+"/8", ip6+"/128")
	d := startPostfix(t, ns, dir, ip4)
	ns.waitListen(t, d, "tcp", "["+ip6+"]:25", 20*time.Second)

	conn, err := ns.dial("tcp", "["+ip6+"]:25", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	reply := newMailSMTP(t, conn).send("sender@example.net", "root@example.org", "jailkit over IPv6")
	if !strings.Contains(reply, "queued") {
		t.Fatalf("DATA reply %q does not say the message was queued", reply)
	}
	wwwRequireRefused(t, ns, "127.0.0.1:25")
	wwwRequireRefused(t, ns, "[::1]:25")
	ns.requireOnlyOn(t, "tcp", 25, ip4, ip6)
}

// TestMailNeedsADomain: a host name without a domain and no domain param
// is bad input with one line that names --hostname and the fix, and
// --set domain mends it.
func TestMailNeedsADomain(t *testing.T) {
	c, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Get("mail")
	if err != nil {
		t.Fatal(err)
	}
	v, err := render.NewValues(r, render.JailSpec{IPs: []string{"192.0.2.25"}, Hostname: "mail"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = render.Render(v)
	if err == nil || !errors.Is(err, inputerr.ErrInput) || strings.Contains(err.Error(), "\n") ||
		!strings.Contains(err.Error(), `--hostname "mail" has no domain`) || !strings.Contains(err.Error(), "--set domain=") {
		t.Fatalf("want one input-error line naming --hostname and the fix, got %v", err)
	}
	v, err = render.NewValues(r, render.JailSpec{IPs: []string{"192.0.2.25"}, Hostname: "mail", Sets: []string{"domain=example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := render.Render(v); err != nil {
		t.Fatalf("--set domain should mend it: %v", err)
	}
}
