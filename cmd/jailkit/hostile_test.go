package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
)

// hostileBase is a valid user recipe that each hostile case changes in one
// place. Its template is its own.
const hostileBase = `apiVersion: jailkit/v1
name: evil
version: "1.0"
summary: a recipe written by an attacker
description: looks harmless
packages: [nginx]
params:
  - name: greeting
    type: string
    default: hello
    description: what the page says
files:
  - template: evil/page.tmpl
    path: /usr/local/www/index.html
#HOST
`

// hostileFile is one file of a hostile recipe directory: content, or a
// special kind.
type hostileFile struct {
	content string
	kind    string // "", "symlink" (content is the target), "fifo", "socket", "dir", "big"
}

// hostileCase is one attack. mutate turns hostileBase into the attacker's
// recipe; files are extra files of the recipe directory.
type hostileCase struct {
	name   string
	mutate func(string) string
	files  map[string]hostileFile
	// grant is passed to install; lintOK says the recipe itself is valid
	// (only the missing grant refuses it).
	grant  string
	lintOK bool
	// otherFile says the attack is in another file of the directory,
	// which lint of the recipe file does not read.
	otherFile bool
	// want is a piece of the message every command prints.
	want string
}

func replace(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

func host(yaml string) func(string) string { return replace("#HOST", yaml) }

var hostileCases = []hostileCase{
	// Host hooks: a closed vocabulary.
	{name: "exec.prestart runs a host command", mutate: host("host:\n  jail_params:\n    exec.prestart: \"/bin/sh -c 'id > /tmp/pwned'\""), want: "it runs commands on the host"},
	{name: "exec.poststop", mutate: host("host:\n  jail_params:\n    exec.poststop: /bin/rm"), want: "it runs commands on the host"},
	{name: "command pseudo-parameter", mutate: host("host:\n  jail_params:\n    command: /bin/sh"), want: "it runs commands on the host"},
	{name: "path moves the jail root to /", mutate: host("host:\n  jail_params:\n    path: /"), want: "jailkit sets the jail's root itself"},
	{name: "devfs_ruleset 0 shows every device", mutate: host("host:\n  jail_params:\n    devfs_ruleset: \"0\""), want: "jailkit picks the jail's devfs ruleset"},
	{name: "enforce_statfs 0", mutate: host("host:\n  jail_params:\n    enforce_statfs: \"0\""), want: "hardening parameter"},
	{name: "securelevel -1", mutate: host("host:\n  jail_params:\n    securelevel: \"-1\""), want: "is not a value jailkit writes"},
	{name: "children.max", mutate: host("host:\n  jail_params:\n    children.max: \"10\""), want: "hardening parameter"},
	{name: "allow.mount", mutate: host("host:\n  jail_params:\n    allow.mount: \"\""), want: "hardening parameter"},
	{name: "allow.sysvipc shares host IPC", mutate: host("host:\n  jail_params:\n    allow.sysvipc: \"\""), want: "hardening parameter"},
	{name: "ip4.addr adds an address", mutate: host("host:\n  jail_params:\n    ip4.addr: \"em0|10.0.0.1\""), want: "from --ip"},
	{name: "vnet", mutate: host("host:\n  jail_params:\n    vnet: new"), want: "VNET"},
	{name: "host.hostname", mutate: host("host:\n  jail_params:\n    host.hostname: evil"), want: "--hostname"},
	{name: "persist", mutate: host("host:\n  jail_params:\n    persist: \"\""), want: "persist"},
	{name: "mount.fstab", mutate: host("host:\n  jail_params:\n    mount.fstab: /etc/fstab"), want: "host.mounts"},
	{name: "jail param with a quote", mutate: host("host:\n  jail_params:\n    osrelease: \"14.3\\\"; exec.start=\\\"x\""), want: "is not a value jailkit writes"},
	{name: "unknown jail param", mutate: host("host:\n  jail_params:\n    cpuset.id: \"1\""), want: "is not a jail parameter a recipe may set"},
	{name: "kernel module as a path", mutate: host("host:\n  kernel_modules: [/tmp/evil.ko]"), want: "is not a module jailkit loads"},
	{name: "unknown kernel module", mutate: host("host:\n  kernel_modules: [vmm]"), want: "is not a module jailkit loads"},
	{name: "host kld_list", mutate: host("host:\n  rc_conf:\n    kld_list: /tmp/evil.ko"), want: "is not a host rc.conf variable"},
	{name: "host sshd_flags", mutate: host("host:\n  rc_conf:\n    sshd_flags: \"-o PermitRootLogin=yes\""), want: "is not a host rc.conf variable"},
	{name: "host linux_enable bad value", mutate: host("capabilities: [linux]\nhost:\n  rc_conf:\n    linux_enable: \"YES; rm\""), want: "is not a value jailkit sets"},
	{name: "nullfs of / read-write", mutate: host("capabilities: [host_paths]\nhost:\n  mounts:\n    - {fstype: nullfs, source: /, path: /mnt/host, options: rw}"), want: "other than /"},
	{name: "nullfs of /etc read-only", mutate: host("capabilities: [host_paths]\nhost:\n  mounts:\n    - {fstype: nullfs, source: /etc, path: /mnt/etc, options: ro}"), want: "the host's /etc is not shared"},
	{name: "nullfs read-write", mutate: host("capabilities: [host_paths]\nhost:\n  mounts:\n    - {fstype: nullfs, source: /usr/local/share/data, path: /mnt/data, options: rw}"), want: "must be read-only"},
	{name: "nullfs without capability", mutate: host("host:\n  mounts:\n    - {fstype: nullfs, source: /usr/local/share/data, path: /mnt/data, options: ro}"), want: "needs the capability host_paths"},
	{name: "tmpfs over /etc", mutate: host("host:\n  mounts:\n    - {fstype: tmpfs, source: tmpfs, path: /etc, options: rw}"), want: "would cover a directory jailkit manages"},
	{name: "devfs with ruleset 0", mutate: host("host:\n  mounts:\n    - {fstype: devfs, source: devfs, path: /mnt/dev, options: \"rw,ruleset=0\"}"), want: "is not one jailkit writes for devfs"},
	{name: "procfs", mutate: host("host:\n  mounts:\n    - {fstype: procfs, source: procfs, path: /proc}"), want: "is not a file system a recipe may mount"},
	{name: "mount option injects a second line", mutate: host("host:\n  mounts:\n    - {fstype: tmpfs, source: tmpfs, path: /mnt/t, options: \"rw 0 0\\\";\\nexec.start=\\\"x\"}"), want: "is not one jailkit writes for tmpfs"},
	{name: "devfs unhides every disk", mutate: host("host:\n  devfs_unhide: [\"ada*\"]"), want: "is not a device pattern jailkit unhides"},
	{name: "bpf without capability", mutate: host("host:\n  devfs_unhide: [\"bpf*\"]"), want: "needs the capability bpf"},
	{name: "unknown capability", mutate: host("capabilities: [root]"), want: "is not a capability"},
	{name: "capability nothing uses", mutate: host("capabilities: [host_paths]"), want: "nothing in the recipe needs it"},
	// Capabilities need the user's grant; the recipe itself is valid.
	{name: "sysvipc not granted", mutate: host("capabilities: [sysvipc]"), lintOK: true, want: "needs the grant of sysvipc"},
	{name: "linux not granted", mutate: host("capabilities: [linux]\nhost:\n  kernel_modules: [linux64]"), lintOK: true, want: "add --grant linux"},
	{name: "another grant is not this one", mutate: host("capabilities: [raw_sockets]"), grant: "sysvipc", lintOK: true, want: "needs the grant of raw_sockets"},
	{name: "unknown grant", mutate: host("capabilities: [raw_sockets]"), grant: "everything", lintOK: true, want: "is not a capability"},
	// Printed and written fields.
	{name: "version injects a jail block", mutate: replace(`version: "1.0"`, `version: "1.0\n}\nevil { exec.prestart = \"/bin/sh\"; }"`), want: "version"},
	{name: "summary with a terminal escape", mutate: replace("summary: a recipe written by an attacker", "summary: \"\\e]0;pwned\\a\\e[2J a recipe\""), want: "control character"},
	{name: "summary on two lines", mutate: replace("summary: a recipe written by an attacker", "summary: \"a\\nrecipe\""), want: "must be one line"},
	{name: "description with a bidi override", mutate: replace("description: looks harmless", "description: \"looks \\u202Eharmless\""), want: "invisible format character"},
	{name: "description with C1 CSI", mutate: replace("description: looks harmless", "description: \"\\u009B2J\""), want: "control character"},
	{name: "param description with a newline", mutate: replace("description: what the page says", "description: \"what\\nthe page says\""), want: "must be one line"},
	{name: "notes with an escape", mutate: host("notes: \"\\e[31mred\""), want: "control character"},
	{name: "rc_conf value on two lines", mutate: host("rc_conf:\n  evil_enable: \"YES\\nsshd_enable=YES\""), want: "must be one line"},
	{name: "summary of 100 KB", mutate: replace("summary: a recipe written by an attacker", "summary: "+strings.Repeat("A", 100_000)), want: "keep it under"},
	// Templates: the recipe's own regular files.
	{name: "template symlinked to /etc/passwd", files: map[string]hostileFile{"evil/page.tmpl": {content: "/etc/passwd", kind: "symlink"}}, want: "leads outside the recipe's directory"},
	{name: "template symlinked out with ..", files: map[string]hostileFile{"evil/page.tmpl": {content: "../../../../../../etc/hostname", kind: "symlink"}}, want: "leads outside the recipe's directory"},
	{name: "template is a FIFO", files: map[string]hostileFile{"evil/page.tmpl": {kind: "fifo"}}, want: "named pipe"},
	{name: "template is a socket", files: map[string]hostileFile{"evil/page.tmpl": {kind: "socket"}}, want: "is not a regular file"},
	{name: "template is a directory", files: map[string]hostileFile{"evil/page.tmpl": {kind: "dir"}}, want: "is not a regular file"},
	{name: "template of 2 MiB", files: map[string]hostileFile{"evil/page.tmpl": {kind: "big"}}, want: "is bigger than"},
	{name: "template shadows a built-in but is a FIFO", mutate: replace("evil/page.tmpl", "dns/named.conf.tmpl"), files: map[string]hostileFile{"dns/named.conf.tmpl": {kind: "fifo"}}, want: "named pipe"},
	{name: "template name with ..", mutate: replace("template: evil/page.tmpl", "template: evil/../../x.tmpl"), want: "relative name inside the templates directory"},
	{name: "template name absolute", mutate: replace("template: evil/page.tmpl", "template: /etc/master.passwd"), want: "relative name inside the templates directory"},
	{name: "recipe file is a FIFO", otherFile: true, files: map[string]hostileFile{"other.yaml": {kind: "fifo"}}, want: "named pipe"},
	{name: "recipe file symlinked out", otherFile: true, files: map[string]hostileFile{"other.yaml": {content: "/etc/hostname", kind: "symlink"}}, want: "leads outside the recipe's directory"},
	{name: "recipe file of 2 MiB", otherFile: true, files: map[string]hostileFile{"other.yaml": {kind: "big"}}, want: "is bigger than"},
	// Base files are jailkit's.
	{name: "replace the jail's rc.conf", mutate: replace("path: /usr/local/www/index.html", "path: /etc/rc.conf"), want: "is reserved"},
	{name: "replace resolv.conf", mutate: replace("path: /usr/local/www/index.html", "path: /etc/resolv.conf"), want: "is reserved"},
	{name: "replace fstab", mutate: replace("path: /usr/local/www/index.html", "path: /etc/fstab"), want: "is reserved"},
	{name: "rc.conf.local overrides rc.conf", mutate: replace("path: /usr/local/www/index.html", "path: /etc/rc.conf.local"), want: "is reserved"},
	{name: "rc.conf.d/syslogd", mutate: replace("path: /usr/local/www/index.html", "path: /etc/rc.conf.d/syslogd"), want: "is reserved"},
	{name: "master.passwd with a second root", mutate: replace("path: /usr/local/www/index.html", "path: /etc/master.passwd"), want: "is reserved"},
	{name: "a file in /dev", mutate: replace("path: /usr/local/www/index.html", "path: /dev/mem"), want: "is reserved"},
	{name: "one path twice with different when", mutate: replace("    path: /usr/local/www/index.html", "    path: /usr/local/www/index.html\n    when: \"{{ .Params.sshd }}\"\n  - template: evil/page.tmpl\n    path: /usr/local/www/index.html\n    when: \"{{ not .Params.sshd }}\""), want: "is also written at line"},
	{name: "a dir and a file on one path", mutate: replace("files:", "dirs:\n  - path: /usr/local/www/index.html\nfiles:"), want: "is also written at line"},
	{name: "/etc world-writable", mutate: replace("files:", "dirs:\n  - path: /etc\n    mode: \"0777\"\nfiles:"), want: "base system directory"},
	{name: "/etc/ssh world-writable", mutate: replace("files:", "dirs:\n  - path: /etc/ssh\n    mode: \"0777\"\nfiles:"), want: "base system directory"},
	{name: "syslogd listens again", mutate: host("rc_conf:\n  syslogd_flags: \"\""), want: "rc_conf syslogd_flags is the jail base's"},
	{name: "sendmail back on", mutate: host("conditional:\n  - when: \"{{ .Params.sshd }}\"\n    rc_conf:\n      sendmail_enable: \"YES\""), want: "rc_conf sendmail_enable is the jail base's"},
	{name: "sticky file", mutate: replace("    path: /usr/local/www/index.html", "    path: /usr/local/www/index.html\n    mode: \"1644\""), want: "the sticky bit is for directories"},
	{name: "setuid file", mutate: replace("    path: /usr/local/www/index.html", "    path: /usr/local/www/index.html\n    mode: \"4755\""), want: "setuid"},
	{name: "owner nobody creates", mutate: replace("    path: /usr/local/www/index.html", "    path: /usr/local/www/index.html\n    owner: bnid"), want: "owner bnid is not a user of the FreeBSD base system"},
	{name: "group nobody creates", mutate: replace("    path: /usr/local/www/index.html", "    path: /usr/local/www/index.html\n    group: wheell"), want: "group wheell is not a group of the FreeBSD base system"},
	{name: "account with a colon", mutate: host("accounts: [\"root:0\"]"), want: "accounts: \"root:0\" is not a valid user or group name"},
	// Overrides are explicit.
	{name: "file name is not the recipe name", mutate: replace("name: evil", "name: dns"), want: "name the file dns.yaml"},
	{name: "two user recipes with one name", otherFile: true, files: map[string]hostileFile{"second/evil.yaml": {content: "dup"}, "second/evil/page.tmpl": {content: "x"}}, want: "is also defined by"},
	// The YAML itself.
	{name: "deep nesting", mutate: host("description2: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)), want: "exceeded max depth"},
	{name: "alias bomb", mutate: host("x: &a [1,1,1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nw: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]"), want: "unknown field"},
}

// TestHostileRecipes installs, renders and lints each hostile recipe on a
// simulated host: every command must exit 2 with the reason, change
// nothing on the host, write no render tree, and never crash.
func TestHostileRecipes(t *testing.T) {
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			hostDir := filepath.Join(work, "host")
			if _, err := fakehost.New(hostDir, fakehost.DefaultConfig()); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(work, "recipes")
			writeHostile(t, dir, tc)
			before := treeSum(t, hostDir)
			out := filepath.Join(work, "out")
			runs := [][]string{
				{"--root", hostDir, "--recipes", dir, "install", "evil", "--ip", "192.0.2.66"},
				{"--root", hostDir, "--recipes", dir, "install", "evil", "--ip", "192.0.2.66", "--dry-run"},
				{"--root", hostDir, "--recipes", dir, "render", "evil", "--ip", "192.0.2.66", "--out", out},
			}
			if tc.grant != "" {
				runs[0] = append(runs[0], "--grant", tc.grant)
				runs[1] = append(runs[1], "--grant", tc.grant)
			}
			switch {
			case tc.lintOK:
				runs = runs[:2] // render needs no grant
			case !tc.otherFile:
				runs = append(runs, []string{"lint", filepath.Join(dir, "evil.yaml")})
			}
			if strings.Contains(tc.name, "two user recipes") {
				for i := range runs {
					runs[i] = append([]string{"--recipes", filepath.Join(dir, "second")}, runs[i]...)
				}
			}
			for _, args := range runs {
				code, stdout, stderr := runJailkit(args)
				all := stdout + stderr
				if code != exitUsage {
					t.Errorf("jailkit %s: exit %d, want 2\n%s", args[len(args)-1], code, all)
				}
				if !strings.Contains(all, tc.want) {
					t.Errorf("jailkit %s: output does not say %q:\n%s", strings.Join(args, " "), tc.want, cut(all))
				}
				if strings.Contains(all, "goroutine ") || strings.Contains(all, "panic") {
					t.Errorf("jailkit crashed:\n%s", all)
				}
				if strings.ContainsRune(all, 0x1b) || strings.ContainsRune(all, 0x9b) || strings.ContainsRune(all, 0x202e) {
					t.Errorf("output carries a terminal escape or bidi override: %q", cut(all))
				}
			}
			if diff := cmp.Diff(before, treeSum(t, hostDir)); diff != "" {
				t.Errorf("the host changed (-before +after):\n%s", diff)
			}
			if _, err := os.Lstat(out); err == nil {
				t.Errorf("render wrote %s", out)
			}
		})
	}
}

// TestHostileArguments: lint FILE, lab FILE and --recipes DIR that are not
// what they should be are refused with exit 2 instead of hanging on a
// FIFO or reading a device.
func TestHostileArguments(t *testing.T) {
	work := t.TempDir()
	fifo := filepath.Join(work, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(work, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	big := filepath.Join(work, "big.yaml")
	os.WriteFile(big, bytes.Repeat([]byte("#"), 2<<20), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lint", fifo}, "is not a regular file (a named pipe)"},
		{[]string{"lint", "/dev/zero"}, "is not a regular file"},
		{[]string{"lint", big}, "is bigger than"},
		{[]string{"lint", work}, "is not a regular file (a directory)"},
		{[]string{"lab", "plan", fifo}, "is not a regular file (a named pipe)"},
		{[]string{"lab", "plan", "/dev/zero"}, "is not a regular file"},
		{[]string{"lab", "plan", big}, "is bigger than"},
		{[]string{"--recipes", filepath.Join(work, "missing"), "recipes"}, "does not exist"},
		{[]string{"--recipes", file, "recipes"}, "is not a directory"},
		{[]string{"--recipes", fifo, "show", "dns"}, "is not a directory"},
	} {
		code, stdout, stderr := runJailkit(tc.args)
		if code != exitUsage || !strings.Contains(stdout+stderr, tc.want) {
			t.Errorf("jailkit %s: exit %d, want 2 and %q:\n%s%s", strings.Join(tc.args, " "), code, tc.want, stdout, stderr)
		}
	}
}

// runJailkit runs the CLI on a simulated host.
func runJailkit(args []string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := newApp(&stdout, &stderr, openFakeHost).run(append([]string{"--no-color"}, args...))
	return code, stdout.String(), stderr.String()
}

func cut(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}

// writeHostile writes the case's recipe directory.
func writeHostile(t *testing.T, dir string, tc hostileCase) {
	t.Helper()
	yaml := hostileBase
	if tc.mutate != nil {
		yaml = tc.mutate(yaml)
	}
	files := map[string]hostileFile{"evil.yaml": {content: yaml}, "evil/page.tmpl": {content: "{{ .Params.greeting }}\n"}}
	for k, v := range tc.files {
		if v.content == "dup" {
			v.content = yaml
		}
		files[k] = v
	}
	for name, f := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch f.kind {
		case "":
			err = os.WriteFile(p, []byte(f.content), 0o644)
		case "symlink":
			err = os.Symlink(f.content, p)
		case "fifo":
			err = syscall.Mkfifo(p, 0o644)
		case "dir":
			err = os.Mkdir(p, 0o755)
		case "big":
			err = os.WriteFile(p, bytes.Repeat([]byte("#"), 2<<20), 0o644)
		case "socket":
			var l net.Listener
			if l, err = net.Listen("unix", p); err == nil {
				t.Cleanup(func() { l.Close() })
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// treeSum describes every file under dir: type, mode and content hash.
func treeSum(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		v := fi.Mode().String()
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += fmt.Sprintf(" %x", sha256.Sum256(data))
		}
		sums[strings.TrimPrefix(p, dir)] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// TestHostileOutputEscaped: a template may write any byte into a jail's
// config file, but printing the plan, the lab plan or the notes never
// hands a terminal escape to the terminal.
func TestHostileOutputEscaped(t *testing.T) {
	work := t.TempDir()
	hostDir := filepath.Join(work, "host")
	if _, err := fakehost.New(hostDir, fakehost.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(work, "recipes")
	writeHostile(t, dir, hostileCase{
		mutate: host("notes: \"{{ printf \\\"%c]0;pwned%c\\\" 27 7 }}\""),
		files:  map[string]hostileFile{"evil/page.tmpl": {content: "{{ printf \"%c[2J%c\" 27 0x9b }}\u202e\n"}},
	})
	for _, args := range [][]string{
		{"--root", hostDir, "--recipes", dir, "install", "evil", "--ip", "192.0.2.66", "--dry-run"},
		{"--recipes", dir, "show", "evil"},
	} {
		code, stdout, stderr := runJailkit(args)
		all := stdout + stderr
		if code != exitOK {
			t.Fatalf("jailkit %s: exit %d\n%s", args[len(args)-2], code, all)
		}
		if strings.ContainsAny(all, "\x1b\x07\u009b\u202e") {
			t.Errorf("jailkit %s printed a terminal escape: %q", strings.Join(args, " "), cut(all))
		}
	}
	_, stdout, _ := runJailkit([]string{"--root", hostDir, "--recipes", dir, "install", "evil", "--ip", "192.0.2.66", "--dry-run"})
	if !strings.Contains(stdout, `| \x1b[2J\x9b\u202e`) {
		t.Errorf("the plan does not show the escapes as text:\n%s", cut(stdout))
	}
}

// TestHostileLab: a lab file naming a hostile recipe, or one whose
// capability it does not grant, is refused whole by lab plan and lab
// apply, and the host stays as it was.
func TestHostileLab(t *testing.T) {
	for _, tc := range []struct {
		name, hostYAML, grant, want string
	}{
		{"exec.prestart", "host:\n  jail_params:\n    exec.prestart: /bin/sh", "", "it runs commands on the host"},
		{"sysvipc not granted", "capabilities: [sysvipc]", "", "needs the grant of sysvipc"},
		{"another grant", "capabilities: [sysvipc]", "    grant: [raw_sockets]\n", "needs the grant of sysvipc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			hostDir := filepath.Join(work, "host")
			if _, err := fakehost.New(hostDir, fakehost.DefaultConfig()); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(work, "recipes")
			writeHostile(t, dir, hostileCase{mutate: host(tc.hostYAML)})
			labFile := filepath.Join(work, "lab.yaml")
			lab := "apiVersion: jailkit/v1\nname: evil\nnetwork:\n  interface: em0\n  subnet: 192.0.2.0/24\n  gateway: 192.0.2.1\n  domain: test.lan\n" +
				"jails:\n  - name: evil\n    recipe: evil\n" + tc.grant + "    address: 192.0.2.66\n"
			if err := os.WriteFile(labFile, []byte(lab), 0o644); err != nil {
				t.Fatal(err)
			}
			before := treeSum(t, hostDir)
			for _, verb := range []string{"plan", "apply"} {
				code, stdout, stderr := runJailkit([]string{"--root", hostDir, "--recipes", dir, "lab", verb, labFile})
				if code != exitUsage || !strings.Contains(stdout+stderr, tc.want) {
					t.Errorf("lab %s: exit %d, want 2 and %q:\n%s%s", verb, code, tc.want, stdout, stderr)
				}
			}
			if diff := cmp.Diff(before, treeSum(t, hostDir)); diff != "" {
				t.Errorf("the host changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestHostileBaseTemplate: a user recipe that ships its own
// base/rc.conf.tmpl does not replace the jail's rc.conf: the base files
// render from jailkit's own templates.
func TestHostileBaseTemplate(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "recipes")
	writeHostile(t, dir, hostileCase{files: map[string]hostileFile{
		"base/rc.conf.tmpl":     {content: "syslogd_flags=\"\"\nsendmail_enable=\"YES\"\n"},
		"base/sshd_config.tmpl": {content: "PermitRootLogin yes\n"},
		"base/resolv.conf.tmpl": {content: "nameserver 203.0.113.66\n"},
		"base/_evilhelper.tmpl": {content: "{{ define \"x\" }}{{ end }}"},
	}})
	out := filepath.Join(work, "out")
	code, stdout, stderr := runJailkit([]string{"--recipes", dir, "render", "evil", "--ip", "192.0.2.66", "--set", "sshd=true", "--set", "resolvers=192.0.2.53", "--out", out})
	if code != exitOK {
		t.Fatalf("render: exit %d\n%s%s", code, stdout, stderr)
	}
	for file, bad := range map[string]string{"etc/rc.conf": "sendmail_enable=\"YES\"", "etc/ssh/sshd_config": "PermitRootLogin yes", "etc/resolv.conf": "203.0.113.66"} {
		data, err := os.ReadFile(filepath.Join(out, file))
		if err != nil || strings.Contains(string(data), bad) || !strings.Contains(string(data), "jailkit") {
			t.Errorf("%s is not jailkit's own (%v):\n%s", file, err, data)
		}
	}
}

// TestHostileManyRecipes: a directory of more recipes than jailkit reads
// is refused, not parsed file by file.
func TestHostileManyRecipes(t *testing.T) {
	dir := t.TempDir()
	for i := range 1001 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%d.yaml", i)), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := runJailkit([]string{"--recipes", dir, "recipes"})
	if code != exitUsage || !strings.Contains(stderr, "holds 1001 recipes; jailkit reads at most 1000") {
		t.Errorf("exit %d:\n%s%s", code, stdout, cut(stderr))
	}
}
