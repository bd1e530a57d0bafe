package hostcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeBigSnapshot writes a snapshot of a host with nSockets listening
// sockets and nJails running jails, each with a jail.conf.d file, a passwd
// and an rc.conf, into dir.
func writeBigSnapshot(tb testing.TB, dir string, nSockets, nJails int) {
	tb.Helper()
	write := func(rel, data string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	write("snapshot.json", `{"format": 1, "tool": "benchmark"}`)
	ip := func(i int) string { return fmt.Sprintf("10.%d.%d.%d", 1+i/65536, (i/256)%256, i%256) }

	var jls strings.Builder
	jls.WriteString(`{"__version": "2", "jail-information": {"jail": [`)
	for i := 0; i < nJails; i++ {
		if i > 0 {
			jls.WriteString(", ")
		}
		unsafe := i%10 == 0
		fmt.Fprintf(&jls, `{"jid": %d, "name": "j%d", "host.hostname": "j%d.home.lan", "path": "/usr/local/jails/containers/j%d", "ip4.addr": ["%s"], "ip6.addr": [], "securelevel": 2, "enforce_statfs": 2, "children.max": 0, "devfs_ruleset": 4, "allow.set_hostname": false, "allow.sysvipc": %v, "allow.raw_sockets": %v, "allow.chflags": false, "allow.mount": false, "persist": true, "vnet": "inherit"}`,
			i+1, i, i, i, ip(i), unsafe, unsafe)
		write(fmt.Sprintf("files/etc/jail.conf.d/j%d.conf", i), fmt.Sprintf("j%d {\n\tpath = \"/usr/local/jails/containers/$name\";\n\tip4.addr = \"em0|%s/32\";\n\tallow.noraw_sockets;\n\tenforce_statfs = 2;\n}\n", i, ip(i)))
		write(fmt.Sprintf("files/usr/local/jails/containers/j%d/etc/passwd", i), fmt.Sprintf("root:*:0:0::/root:/bin/sh\nuser%d:*:%d:%d::/home/u:/bin/sh\n", i, 2000+i, 2000+i))
		write(fmt.Sprintf("files/usr/local/jails/containers/j%d/etc/rc.conf", i), "sendmail_enable=\"NONE\"\nsyslogd_flags=\"-ss\"\n")
	}
	jls.WriteString("]}}\n")
	write("commands/jls.json", jls.String())

	var ss strings.Builder
	ss.WriteString("USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS\n")
	for i := 0; i < nSockets; i++ {
		switch i % 5 {
		case 0:
			fmt.Fprintf(&ss, "www      httpd      %5d %-3d tcp4   %s:%d          *:*\n", 1000+i, i%2000, ip(i%nJails), 80+i%50)
		case 1:
			fmt.Fprintf(&ss, "bind     named      %5d %-3d udp4   %s:53          *:*\n", 1000+i, i%2000, ip(i%nJails))
		case 2:
			fmt.Fprintf(&ss, "root     syslogd    %5d %-3d dgram  /var/run/log%d\n", 1000+i, i%2000, i)
		case 3:
			fmt.Fprintf(&ss, "longusername app%d %5d %dtcp6 fe80::1%%lo0:%d   *:*\n", i, 1000+i, 1000+i%9000, 1024+i%60000)
		case 4:
			d := (i / 5) % 20
			fmt.Fprintf(&ss, "root     daemon%d  %5d %-3d tcp46  *:%d                *:*\n", d, 1000+d, i%100, 2000+d)
		}
	}
	write("commands/sockstat.txt", ss.String())
	data, err := os.ReadFile("testdata/snapshots/sample/commands/sysctl.txt")
	if err != nil {
		tb.Fatal(err)
	}
	write("commands/sysctl.txt", string(data))
	for _, name := range []string{"commands/ifconfig.txt", "commands/kldstat.txt", "commands/df.txt", "commands/freebsd-version.txt",
		"files/etc/rc.conf", "files/etc/passwd", "files/etc/defaults/devfs.rules", "files/etc/jail.conf"} {
		data, err := os.ReadFile(filepath.Join("testdata/snapshots/sample", name))
		if err != nil {
			tb.Fatal(err)
		}
		write(name, string(data))
	}
}

// BenchmarkAuditLargeHost gathers and audits a snapshot with 100,000
// sockets and 1,000 jails: the whole of `jailkit check --from DIR`.
func BenchmarkAuditLargeHost(b *testing.B) {
	dir := b.TempDir()
	writeBigSnapshot(b, dir, 100000, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := OpenSnapshot(dir)
		if err != nil {
			b.Fatal(err)
		}
		f := Gather(context.Background(), s, GatherOptions{})
		s.Close()
		if len(f.Sockets) < 80000 || len(f.Jails) != 1000 || len(f.Configured) != 1000 {
			b.Fatalf("gathered %s", f)
		}
		r := Run(f, Options{Planned: []Planned{dhcpPlan}})
		if r.Summary.Warn == 0 {
			b.Fatal("no warnings on a host full of them")
		}
	}
}

// BenchmarkRunLargeHost measures the checks alone on the same facts.
func BenchmarkRunLargeHost(b *testing.B) {
	dir := b.TempDir()
	writeBigSnapshot(b, dir, 100000, 1000)
	s, err := OpenSnapshot(dir)
	if err != nil {
		b.Fatal(err)
	}
	f := Gather(context.Background(), s, GatherOptions{})
	s.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Run(f, Options{Planned: []Planned{dhcpPlan}})
	}
}

// TestBigSnapshotShape keeps the benchmark honest: the generated host
// parses completely and the audit finds the unsafe jails it plants.
func TestBigSnapshotShape(t *testing.T) {
	dir := t.TempDir()
	writeBigSnapshot(t, dir, 5000, 50)
	s, err := OpenSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := Gather(context.Background(), s, GatherOptions{})
	if len(f.Sockets) != 5000 || len(f.Jails) != 50 || len(f.Configured) != 50 || len(f.JailFiles) != 50 {
		t.Fatalf("gathered %s, %d jail files", f, len(f.JailFiles))
	}
	r := Run(f, Options{})
	if n := len(findingsOf(r, "JK-JAIL-010")); n != 5 {
		t.Errorf("%d raw socket findings, want 5 (every tenth jail)", n)
	}
	if n := len(findingsOf(r, "JK-NET-010")); n != 20 {
		t.Errorf("%d wildcard findings, want 20 daemons", n)
	}
}
