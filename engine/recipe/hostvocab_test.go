package recipe

import (
	"errors"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// withHost is goodRecipe with a host: section and capabilities added.
func withHost(caps, host string) string {
	out := goodRecipe
	if caps != "" {
		out += "capabilities: [" + caps + "]\n"
	}
	if host != "" {
		out += "host:\n" + host
	}
	return out
}

// TestHostVocabularyAccepts: what real recipes ask of the host passes,
// with the capability each request needs.
func TestHostVocabularyAccepts(t *testing.T) {
	tests := []struct{ name, caps, host string }{
		{"linux compat", "linux", "  rc_conf:\n    linux_enable: \"YES\"\n  kernel_modules: [linux64, linprocfs, linsysfs, fdescfs]\n" +
			"  devfs_unhide: [\"shm\", \"shm/*\"]\n  mounts:\n" +
			"    - {fstype: linprocfs, source: linprocfs, path: /compat/linux/proc, options: rw}\n" +
			"    - {fstype: linsysfs, source: linsysfs, path: /compat/linux/sys, options: rw}\n" +
			"    - {fstype: devfs, source: devfs, path: /compat/linux/dev, options: \"rw,ruleset=${devfs_ruleset}\"}\n" +
			"    - {fstype: tmpfs, source: tmpfs, path: /compat/linux/dev/shm, options: \"rw,mode=1777,size=1g\"}\n" +
			"    - {fstype: fdescfs, source: fdescfs, path: /compat/linux/dev/fd, options: \"rw,linrdlnk\"}\n" +
			"  jail_params:\n    linux.osrelease: \"5.15.0\"\n"},
		{"bpf for dhcp", "bpf", "  devfs_unhide: [\"bpf*\"]\n"},
		{"a database", "sysvipc", ""},
		{"ping", "raw_sockets", ""},
		{"mlock", "mlock", ""},
		{"a read-only share", "host_paths", "  mounts:\n    - {fstype: nullfs, source: /usr/local/share/media, path: /srv/media, options: \"ro,nosuid\"}\n"},
		{"a tmpfs needs nothing", "", "  mounts:\n    - {fstype: tmpfs, source: tmpfs, path: /var/cache/app, options: \"rw,size=64m,nosuid,noexec\"}\n"},
		{"a higher securelevel and a name", "", "  jail_params:\n    securelevel: \"3\"\n    osrelease: \"14.3-RELEASE\"\n    stop.timeout: \"30\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRecipe("app.yaml", []byte(withHost(tt.caps, tt.host)), testTemplates)
			if err != nil {
				t.Fatalf("ParseRecipe: %v", err)
			}
			if tt.caps != "" && r.CheckGrants(nil) == nil {
				t.Errorf("installs without the grant of %s", tt.caps)
			}
			if err := r.CheckGrants([]string{tt.caps}); tt.caps != "" && err != nil {
				t.Errorf("refused with the grant: %v", err)
			}
		})
	}
}

// TestHostVocabularyRefuses: a few requests around the edges of the
// vocabulary (the hostile table in cmd/jailkit has the attacks), each
// with its reason and line.
func TestHostVocabularyRefuses(t *testing.T) {
	tests := []struct{ name, caps, host, want string }{
		{"securelevel 2 is jailkit's", "", "  jail_params:\n    securelevel: \"2\"\n", "app.yaml:33: host.jail_params: securelevel = \"2\" is not a value jailkit writes"},
		{"linux param without the capability", "", "  jail_params:\n    linux.osname: Linux\n", "app.yaml:33: host.jail_params linux.osname needs the capability linux"},
		// A parent holds the refused tree: a read-only /var shows /var/db.
		{"nullfs of /var", "host_paths", "  mounts:\n    - {fstype: nullfs, source: /var, path: /srv/var, options: ro}\n", "the host's /var/db is not shared"},
		{"nullfs of /usr", "host_paths", "  mounts:\n    - {fstype: nullfs, source: /usr, path: /srv/usr, options: ro}\n", "the host's /usr/local/etc is not shared"},
		{"nullfs of a jail", "host_paths", "  mounts:\n    - {fstype: nullfs, source: /usr/local/jails/containers/dns, path: /srv/dns, options: ro}\n", "the host's /usr/local/jails is not shared"},
		{"tmpfs size with a unit too many", "", "  mounts:\n    - {fstype: tmpfs, source: tmpfs, path: /srv/t, options: \"size=1gb\"}\n", "option \"size=1gb\" is not one jailkit writes for tmpfs"},
		{"a linprocfs from elsewhere", "linux", "  mounts:\n    - {fstype: linprocfs, source: /proc, path: /compat/linux/proc}\n", "source must be linprocfs"},
		{"a mount under /dev", "", "  mounts:\n    - {fstype: tmpfs, source: tmpfs, path: /dev/shm}\n", "would cover a directory jailkit manages"},
		{"devfs without the jail's ruleset", "", "  mounts:\n    - {fstype: devfs, source: devfs, path: /srv/dev, options: rw}\n", "must use the jail's ruleset"},
		{"vnet value", "", "  vnet: maybe\n", "host.vnet \"maybe\" must be no, optional or required"},
		{"capability twice", "sysvipc, sysvipc", "", "capabilities: sysvipc is declared twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRecipe("app.yaml", []byte(withHost(tt.caps, tt.host)), testTemplates)
			if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an input error with %q", err, tt.want)
			}
		})
	}
}

// TestParseGrants: names split on commas, checked, sorted, once each.
func TestParseGrants(t *testing.T) {
	got, err := ParseGrants("--grant", []string{"sysvipc,bpf", "bpf"})
	if err != nil || strings.Join(got, " ") != "bpf sysvipc" {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := ParseGrants("--grant", []string{"all"}); !errors.Is(err, inputerr.ErrInput) {
		t.Fatalf("an unknown grant: %v", err)
	}
}

// TestCheckText: what may and may not stand in a printed field.
func TestCheckText(t *testing.T) {
	for _, tt := range []struct {
		s         string
		multiline bool
		ok        bool
	}{
		{"plain text, with ünïcödé", false, true},
		{"two\nlines", true, true},
		{"two\nlines", false, false},
		{"tab\tinside", true, true},
		{"\x1b[2J", true, false},
		{"\u009b2J", true, false},
		{"\u202eevil", true, false},
		{"\r", true, false},
		{"\xff", true, false},
	} {
		if got := checkChars(tt.s, tt.multiline) == ""; got != tt.ok {
			t.Errorf("checkChars(%q, %v) ok = %v, want %v", tt.s, tt.multiline, got, tt.ok)
		}
	}
}

// TestCheckHostSource: install adds its jails directory to the refused
// trees, wherever jailkit.conf puts it.
func TestCheckHostSource(t *testing.T) {
	for src, refused := range map[string]bool{"/jails": true, "/jails/containers/dns": true, "/": true, "/srv/share": false, "/jailsx": false} {
		err := CheckHostSource("/mnt", src, "/jails")
		if (err != nil) != refused {
			t.Errorf("CheckHostSource(%s) = %v, want refused %v", src, err, refused)
		}
	}
}
